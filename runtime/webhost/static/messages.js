// The Messages tab: threads per program and per contact, an unread badge,
// live arrival over the socket, cards that open a program at their page, a
// composer (customer-service chats and contacts), mute/unfollow/report per
// program. Plus Me's "Messages and contacts" section: subscriptions and
// follows (each revocable), contacts, contact requests and the user's own
// contact QR code. And the contact picker a program's `share` opens.
//
// Everything a program, merchant or contact wrote becomes text nodes only
// (`el` has no way to set HTML).

import { el, api, clip, formatMoney, formatNumber, formatTime } from "./util.js";
import { registerPrompt, dialogShell, actions, button } from "./dialogs.js";
import { t } from "./i18n.js";

const MAX_TEXT_CHARS = 1000;
/** How long after the user's last message a program may reply in its chat (the store's CHAT_WINDOW). */
const CHAT_WINDOW_SECONDS = 48 * 3600;
/** setTimeout's largest delay; a longer wait is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class MessagesPage {
  /**
   * @param {object} hooks
   *   toast(kind, message)
   *   openAddress(address)   open a capsule:// address in a new slot
   *   showTab()              make the Messages tab the visible one
   */
  constructor(hooks) {
    this.hooks = hooks;
    this.list = document.getElementById("threads");
    this.view = document.getElementById("thread-view");
    this.badge = document.getElementById("messages-badge");
    this.meBody = document.getElementById("messages-me-body");
    this.current = null; // the open thread's name
    this.unread = 0;
    this.opening = 0; // counts openThread calls: only the latest one renders
    document.getElementById("messages-refresh").addEventListener("click", () => this.load({ thread: true }));
    // Me's Refresh reloads this section too.
    const meRefresh = document.getElementById("me-refresh");
    if (meRefresh) meRefresh.addEventListener("click", () => this.loadMe());
    registerPrompt("contact", (msg, app, queue) => contactDialog(msg, app, queue));
  }

  setUnread(count) {
    this.unread = Number.isSafeInteger(count) && count > 0 ? count : 0;
    this.badge.textContent = this.unread > 99 ? "99+" : String(this.unread);
    this.badge.hidden = this.unread === 0;
    document.body.dataset.unread = String(this.unread);
  }

  async refreshBadge() {
    try {
      this.setUnread((await api("/api/messages/threads")).unread);
    } catch {
      // The badge waits for the next message.
    }
  }

  /** The thread list (and, with `thread`, the open thread again). */
  async load({ thread = false } = {}) {
    let data;
    try {
      data = await api("/api/messages/threads");
    } catch (error) {
      this.list.replaceChildren(el("li", { className: "error-text", textContent: t("messages.loadFailed", { message: error.message }) }));
      return;
    }
    this.setUnread(data.unread);
    const threads = Array.isArray(data.threads) ? data.threads : [];
    if (threads.length === 0) {
      this.list.replaceChildren(el("li", { className: "shelf-empty", textContent: t("messages.empty") }));
    } else {
      this.list.replaceChildren(...threads.map((thread) => this.threadRow(thread)));
    }
    if (thread && this.current) await this.openThread(this.current, { focus: false });
  }

  threadRow(thread) {
    const last = thread.last || {};
    const preview = last.title || last.body || "";
    const open = el(
      "button",
      { type: "button", className: "thread-row", dataset: { thread: String(thread.thread) }, onclick: () => this.openThread(thread.thread) },
      el("span", { className: "thread-title", textContent: clip(String(thread.title || ""), 60) }),
      el("span", { className: "thread-preview", textContent: clip(String(preview), 80) }),
      el("span", { className: "thread-time", textContent: formatTime(last.at) }),
      thread.unread > 0 ? el("span", { className: "unread-badge", "aria-label": t("messages.unread", { count: thread.unread }), textContent: String(thread.unread) }) : null,
      thread.muted ? el("span", { className: "thread-muted", textContent: t("messages.muted") }) : null,
    );
    return el("li", {}, open);
  }

  async openThread(name, { focus = true } = {}) {
    this.current = name;
    const mine = ++this.opening;
    let data;
    try {
      data = await api(`/api/messages/thread?thread=${encodeURIComponent(name)}`);
    } catch (error) {
      this.hooks.toast("error", t("messages.openFailed", { message: error.message }));
      return;
    }
    if (mine !== this.opening) return; // opened again meanwhile: that one renders
    this.setUnread(data.unread);
    const messages = Array.isArray(data.messages) ? data.messages : [];
    const isProgram = name.startsWith("program:");
    const appId = isProgram ? name.slice("program:".length) : null;
    const title = typeof data.title === "string" && data.title ? data.title : name.slice(name.indexOf(":") + 1);
    const heading = el("h2", { className: "thread-heading", tabIndex: -1, textContent: clip(String(title), 60) });
    const log = el("ol", { className: "thread-messages", "aria-label": t("messages.title") }, ...messages.map((m) => this.bubble(m)));
    const parts = [heading];
    if (isProgram) parts.push(this.programActions(appId));
    this.window = null;
    if (isProgram && data.chat && data.chat.offered) {
      this.window = el("p", { className: "chat-window", id: "chat-window", role: "status" });
      parts.push(this.window);
      this.windowName = clip(String(title), 60);
      this.showReplyWindow(data.chat.reply_until);
    }
    parts.push(log, this.composer(name));
    this.view.replaceChildren(...parts);
    this.view.hidden = false;
    this.log = log;
    this.hooks.showTab();
    if (focus) heading.focus();
    // The list's unread counts changed: refresh it quietly.
    this.refreshList();
  }

  /**
   * The line under a chat's heading: until when the program may still reply (48 hours after the
   * user's last message), or that it may not until the user writes. It turns when the time passes.
   */
  showReplyWindow(until) {
    const line = this.window;
    if (!line) return;
    clearTimeout(this.windowTimer);
    const ms = typeof until === "number" && Number.isFinite(until) ? until * 1000 : null;
    const open = ms !== null && ms > Date.now();
    line.dataset.open = String(open);
    line.dataset.replyUntil = ms === null ? "" : String(until);
    line.textContent = open ? t("messages.replyUntil", { name: this.windowName, time: formatTime(until) })
      : t("messages.replyClosed", { name: this.windowName });
    if (open) this.windowTimer = setTimeout(() => this.showReplyWindow(until), Math.min(ms - Date.now() + 500, MAX_TIMER_MS));
  }

  async refreshList() {
    try {
      const data = await api("/api/messages/threads");
      const threads = Array.isArray(data.threads) ? data.threads : [];
      if (threads.length) this.list.replaceChildren(...threads.map((thread) => this.threadRow(thread)));
      this.setUnread(data.unread);
    } catch {
      // Stays as it was.
    }
  }

  /** One message: a card (opens the program) or a chat bubble. */
  bubble(m) {
    const mine = m.direction === "out";
    const item = el("li", { className: `message ${mine ? "message-out" : "message-in"}`, dataset: { kind: String(m.kind || ""), id: String(m.id || "") } });
    if (typeof m.address === "string" && m.address.startsWith("capsule://")) {
      const fields = m.fields && typeof m.fields === "object" ? Object.entries(m.fields).slice(0, 10) : [];
      const kinds = m.field_kinds && typeof m.field_kinds === "object" ? m.field_kinds : {};
      const card = el(
        "button",
        { type: "button", className: "message-card", onclick: () => this.hooks.openAddress(m.address) },
        el("span", { className: "card-app", textContent: clip(String(m.app_name || m.app_id || ""), 40) }),
        el("strong", { className: "card-title", textContent: clip(String(m.title || ""), 80) }),
        m.body ? el("span", { className: "card-body", textContent: clip(String(m.body), MAX_TEXT_CHARS) }) : null,
        fields.length
          ? el("dl", { className: "card-fields" }, ...fields.map(([k, v]) => el("div", {}, el("dt", { textContent: clip(String(k), 32) }), el("dd", { textContent: clip(fieldText(v, kinds[k]), 200) }))))
          : null,
        el("span", { className: "card-open", textContent: t("messages.open") }),
      );
      item.append(card);
    } else {
      item.append(el("p", { className: "message-text", textContent: clip(String(m.body || m.title || ""), MAX_TEXT_CHARS) }));
    }
    item.append(el("span", { className: "message-time", textContent: formatTime(m.at) }));
    return item;
  }

  programActions(appId) {
    const act = async (action, done) => {
      try {
        await api("/api/messages/program", { body: { app_id: appId, action } });
        this.hooks.toast("success", done);
        this.load();
      } catch (error) {
        this.hooks.toast("error", error.message);
      }
    };
    return el(
      "div",
      { className: "thread-actions" },
      button(t("messages.mute"), "secondary", () => act("mute", t("messages.muteDone"))),
      button(t("messages.unfollow"), "secondary", () => act("unfollow", t("messages.unfollowDone"))),
      button(t("messages.report"), "secondary", () => act("report", t("messages.reportDone"))),
    );
  }

  composer(name) {
    const input = el("input", { type: "text", id: "composer-text", maxLength: MAX_TEXT_CHARS, autocomplete: "off", placeholder: t("messages.placeholder") });
    const form = el(
      "form",
      { className: "composer" },
      el("label", { for: "composer-text", className: "visually-hidden", textContent: t("messages.composer") }),
      input,
      el("button", { type: "submit", className: "btn btn-primary", textContent: t("messages.send") }),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      try {
        const answer = await api("/api/messages/send", { body: { thread: name, text } });
        input.value = "";
        this.appendIfOpen(answer.message, name);
        if (answer.chat && this.current === name) this.showReplyWindow(answer.chat.reply_until);
      } catch (error) {
        this.hooks.toast("error", t("messages.notSent", { message: error.message }));
      }
    });
    return form;
  }

  appendIfOpen(message, thread) {
    if (!this.log || this.current !== thread || !message) return;
    if (message.id && this.log.querySelector(`[data-id="${CSS.escape(message.id)}"]`)) return;
    this.log.append(this.bubble(message));
  }

  /** A `message` from the socket: a new message in one of the user's threads. */
  arrived(msg) {
    const message = msg.message || {};
    this.setUnread(msg.unread);
    const visible = !document.getElementById("messages").hidden;
    if (visible && this.current === message.thread) {
      this.appendIfOpen(message, message.thread);
      // The user wrote in this chat from another tab: the reply window starts again.
      if (message.kind === "chat" && message.direction === "out" && typeof message.at === "number") {
        this.showReplyWindow(message.at + CHAT_WINDOW_SECONDS);
      }
      api(`/api/messages/thread?thread=${encodeURIComponent(message.thread)}`).then((d) => this.setUnread(d.unread)).catch(() => {});
    }
    if (visible) this.refreshList();
    else if (message.direction === "in") this.hooks.toast("info", t("messages.new", { text: clip(String(message.title || message.body || ""), 80) }));
  }

  // -- Me: subscriptions, follows, contacts, the contact code --------------------------------

  async loadMe() {
    const body = this.meBody;
    body.setAttribute("aria-busy", "true");
    try {
      const data = await api("/api/me/messages");
      body.replaceChildren(...this.meSections(data));
    } catch (error) {
      body.replaceChildren(el("p", { className: "error-text", textContent: t("messages.meFailed", { message: error.message }) }));
    } finally {
      body.removeAttribute("aria-busy");
    }
  }

  meSections(data) {
    const list = (items, row, empty) => (items.length ? el("ul", { className: "me-list" }, ...items.map(row)) : el("p", { textContent: empty }));
    const subscriptions = Array.isArray(data.subscriptions) ? data.subscriptions : [];
    const follows = Array.isArray(data.follows) ? data.follows : [];
    const contacts = Array.isArray(data.contacts) ? data.contacts : [];
    const requests = Array.isArray(data.requests) ? data.requests : [];
    const post = async (path, body, done) => {
      try {
        await api(path, { body });
        this.hooks.toast("success", done);
      } catch (error) {
        this.hooks.toast("error", error.message);
      }
      this.loadMe();
    };
    return [
      el("h3", { textContent: t("messages.codeTitle") }),
      el("p", { textContent: t("messages.codeHelp") }),
      el("img", { className: "contact-code", src: "/api/me/contact-code.svg", alt: t("messages.codeAlt"), width: 180, height: 180 }),
      el("h3", { textContent: t("messages.requests") }),
      list(requests, (r) => el("li", { className: "me-row", dataset: { request: String(r.user) } },
        el("span", { textContent: clip(String(r.display || r.user), 60) }),
        button(t("messages.accept"), "primary", () => post("/api/contacts/answer", { user: r.user, accept: true }, t("messages.accepted"))),
        button(t("messages.decline"), "secondary", () => post("/api/contacts/answer", { user: r.user, accept: false }, t("messages.declined")))), t("messages.noRequests")),
      el("h3", { textContent: t("messages.contacts") }),
      list(contacts, (c) => el("li", { className: "me-row", dataset: { contact: String(c.user) } },
        el("span", { textContent: clip(String(c.display || c.user), 60) }),
        button(t("messages.message"), "secondary", () => this.openThread(`contact:${c.user}`))), t("messages.noContacts")),
      el("h3", { textContent: t("messages.subscriptions") }),
      list(subscriptions, (s) => el("li", { className: "me-row", dataset: { subscription: `${s.app_id}/${s.template_id}` } },
        el("span", { textContent: `${clip(String(s.app_name), 40)}: ${clip(String(s.title), 60)} (${s.always ? t("messages.always") : t("messages.left", { count: s.remaining })})` }),
        button(t("messages.revoke"), "secondary", () => post("/api/me/messages/revoke", { app_id: s.app_id, template_id: s.template_id }, t("messages.revoked")))), t("messages.noSubscriptions")),
      el("h3", { textContent: t("messages.following") }),
      list(follows, (f) => el("li", { className: "me-row", dataset: { follow: String(f.app_id) } },
        el("span", { textContent: `${clip(String(f.app_name), 40)}${f.muted ? ` ${t("messages.mutedSuffix")}` : ""}` }),
        button(t("messages.unfollow"), "secondary", () => post("/api/messages/program", { app_id: f.app_id, action: "unfollow" }, t("messages.unfollowed")))), t("messages.noFollows")),
    ];
  }

  /** The Scan button read a personal contact code: ask to become that person's contact. */
  async scannedContact(text) {
    try {
      const answer = await api("/api/contacts/request", { body: { code: text } });
      const name = clip(String(answer.display || ""), 60);
      this.hooks.toast("success", answer.status === "contacts" ? t("messages.already", { name }) : t("messages.requestSent", { name }));
    } catch (error) {
      this.hooks.toast("error", t("messages.requestFailed", { message: error.message }));
    }
  }
}

/** A template field's value in the reader's locale: money ("1250 CNY"), a time (ms), a number; text as sent. */
function fieldText(value, kind) {
  if (kind === "amount" && typeof value === "string") {
    const [minor, currency] = value.split(" ");
    if (/^[0-9]+$/.test(minor || "") && /^[A-Z]{3}$/.test(currency || "")) return formatMoney(Number(minor), currency);
  }
  if (kind === "time" && typeof value === "number") return formatTime(value);
  if (kind === "number" && typeof value === "number") return formatNumber(value);
  return String(value);
}

/** The contact picker a program's `share` opens: the program never sees this list. */
function contactDialog(msg, app, queue) {
  const { dialog, title } = dialogShell("contact-dialog", t("messages.sendTo"));
  const contacts = Array.isArray(msg.contacts) ? msg.contacts.filter((c) => typeof c === "string").slice(0, 500) : [];
  const cancel = button(t("dialog.cancel"), "secondary", () => queue.finish(false));
  dialog.append(
    el("p", { className: "dialog-kicker", textContent: clip(String(app.appName || ""), 40) }),
    title,
    el("p", { className: "dialog-message", textContent: t("messages.pickHelp", { title: clip(String(msg.title || ""), 60) }) }),
  );
  if (contacts.length === 0) dialog.append(el("p", { textContent: t("messages.noContactsYet") }));
  const list = el("ul", { className: "contact-list" }, ...contacts.map((name) => el("li", {}, button(clip(name, 60), "secondary", () => queue.finish(true, true, undefined, name)))));
  dialog.append(list, actions(cancel));
  return { dialog, focus: cancel };
}
