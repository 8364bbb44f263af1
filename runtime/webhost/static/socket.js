// The one WebSocket of this tab (/ws), with reconnection.
//
// A dropped socket is retried with exponential backoff (0.25 s doubling to
// 10 s, with jitter so many tabs do not reconnect in lockstep). Nothing is
// queued here: a message for a session means nothing on a new socket, so the
// shell decides what to send again once it reconnects (onStatus "open").

export class Socket {
  /**
   * @param {object} hooks
   *   onMessage(msg)              every JSON message from the server
   *   onStatus(state, info)       "connecting" | "open" | "closed" ({retryIn, attempt}); info.first on the first open
   */
  constructor(hooks) {
    this.hooks = hooks;
    this.ws = null;
    this.attempt = 0;
    this.opened = false; // has it ever been open?
    this.timer = null;
    this.url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
  }

  get isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  connect() {
    clearTimeout(this.timer);
    this.timer = null;
    this.hooks.onStatus("connecting", { attempt: this.attempt });
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.addEventListener("open", () => {
      const first = !this.opened;
      this.restarting = false;
      this.opened = true;
      this.attempt = 0;
      this.hooks.onStatus("open", { first });
    });
    ws.addEventListener("message", (event) => {
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        return; // not JSON: nothing the shell could act on
      }
      if (msg && typeof msg === "object" && typeof msg.type === "string") this.hooks.onMessage(msg);
    });
    ws.addEventListener("close", () => {
      if (this.ws === ws) {
        this.ws = null;
        this.retry();
      }
    });
    // "error" is always followed by "close", which does the retrying.
  }

  retry() {
    this.attempt += 1;
    const base = Math.min(10000, 250 * 2 ** (this.attempt - 1));
    const retryIn = Math.round(base / 2 + Math.random() * (base / 2));
    this.hooks.onStatus("closed", { retryIn, attempt: this.attempt, asked: Boolean(this.restarting) });
    this.restarting = false;
    this.timer = setTimeout(() => this.connect(), retryIn);
  }

  /** Drop the socket and connect again (e.g. as another user: the cookie is read on connect). */
  restart() {
    this.restarting = true; // the close that follows was asked for
    if (this.ws) this.ws.close();
    else this.connect();
  }

  /** Reconnect now instead of waiting for the backoff. */
  retryNow() {
    if (!this.ws) this.connect();
  }

  /** Send one message; false when it could not be sent (the socket is down). */
  send(msg) {
    if (!this.isOpen) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }
}
