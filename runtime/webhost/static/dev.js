// Developer mode (`capsule dev DIR`): the Log and Inspector panels, the
// build banner, and presets (user, locale, position, wallet balance) that
// the server applies to the next launch or call (POST /api/dev/presets).

import { el, api, formatTime, parseMoney, currencyDigits, minorToDecimal } from "./util.js";

const MAX_LINES = 500;
const MAX_ARGS_CHARS = 2000;

export class DevTools {
  /**
   * @param {object} options
   *   config        the /api/config answer (users, dev)
   *   toast(kind, message)
   *   relaunch()         start the program again (after a locale change)
   *   switchUser(name)   run as another user (the socket's user is fixed when it connects)
   */
  constructor({ config, toast, relaunch, switchUser }) {
    this.toast = toast;
    this.relaunch = relaunch;
    this.switchUser = switchUser;
    this.panel = document.getElementById("dev");
    this.log = document.getElementById("dev-log");
    this.calls = document.getElementById("dev-calls");
    this.banner = document.getElementById("build-error");
    this.panel.hidden = false;
    document.body.classList.add("dev-mode");
    document.getElementById("dev-log-clear").addEventListener("click", () => this.log.replaceChildren());
    document.getElementById("dev-calls-clear").addEventListener("click", () => this.calls.replaceChildren());
    this.setUpPresets(config);
    // What happened before this tab opened: the inspector's history, then the build state.
    const dev = config.dev || {};
    for (const entry of Array.isArray(dev.entries) ? dev.entries : []) this.entry(entry);
    if (dev.build && dev.build.ok === false) this.showBuild(dev.build);
  }

  /** One `dev` message from the server. */
  entry(entry) {
    if (!entry || typeof entry !== "object") return;
    if (entry.kind === "log") this.addLog(entry.level, entry.message, entry.at);
    else if (entry.kind === "call") this.addCall(entry);
    else if (entry.kind === "build") this.build(entry);
  }

  addLog(level, message, at) {
    const stick = nearBottom(this.log);
    const lvl = String(level || "info").toLowerCase();
    this.log.append(
      el(
        "li",
        { className: `log-line log-${lvl.replace(/[^a-z]/g, "")}` },
        el("span", { className: "log-time", textContent: at ? formatTime(at) : "" }),
        el("span", { className: "log-level", textContent: lvl }),
        el("span", { className: "log-message", textContent: String(message ?? "") }),
      ),
    );
    trim(this.log);
    if (stick) this.log.scrollTop = this.log.scrollHeight;
  }

  /** A capability call, newest on top; its arguments as readable JSON (a text node). */
  addCall(call) {
    const box = this.calls.parentElement;
    const atTop = box.scrollTop < 40;
    const args = readableArgs(call.args);
    const argsCell = el("pre", { className: "call-args", textContent: args.length > MAX_ARGS_CHARS ? `${args.slice(0, MAX_ARGS_CHARS)}…` : args });
    argsCell.title = args; // the whole of it on hover (a property, never markup)
    const decision = String(call.decision ?? "");
    this.calls.prepend(
      el(
        "tr",
        {},
        el("td", {}, el("code", { textContent: `${call.capability}.${call.function}` }), call.scope ? el("span", { className: "cell-sub", textContent: String(call.scope) }) : null),
        el("td", {}, argsCell),
        el("td", {}, el("span", { className: decision === "ok" ? "decision-ok" : "decision-other", textContent: decision })),
        el("td", { className: "num", textContent: duration(call.duration_us) }),
      ),
    );
    while (this.calls.children.length > MAX_LINES) this.calls.lastElementChild.remove();
    if (atTop) box.scrollTop = 0;
  }

  /** A build result: logged; a failure stays on screen, with file and line, until a build succeeds. */
  build(entry) {
    const where = whereOf(entry);
    const message = String(entry.message || "");
    const place = where && !message.startsWith(where) ? ` (${where})` : "";
    this.addLog(entry.ok ? "info" : "error", `build ${entry.ok ? "ok" : "failed"}${place}${message ? `: ${message}` : ""}`, entry.at);
    this.showBuild(entry);
  }

  showBuild(entry) {
    const where = whereOf(entry);
    if (entry.ok) {
      const wasFailing = !this.banner.hidden;
      this.banner.hidden = true;
      this.banner.replaceChildren();
      if (wasFailing) this.toast("success", "Build fixed.");
      return;
    }
    this.banner.replaceChildren(
      el("h2", { className: "build-title", textContent: "Build failed" }),
      where ? el("p", { className: "build-where" }, el("code", { textContent: where })) : null,
      el("pre", { className: "build-message", textContent: String(entry.message || "") }),
      entry.traceback ? el("details", { className: "traceback" }, el("summary", { textContent: "Traceback" }), el("pre", { textContent: String(entry.traceback) })) : null,
    );
    this.banner.hidden = false;
  }

  // -- presets ---------------------------------------------------------------------------

  setUpPresets(config) {
    const dev = config.dev || {};
    const presets = dev.presets || {};
    const form = document.getElementById("dev-presets");
    const user = document.getElementById("preset-user");
    const localeInput = document.getElementById("preset-locale");
    const lat = document.getElementById("preset-latitude");
    const lon = document.getElementById("preset-longitude");
    const balance = document.getElementById("preset-balance");
    const currency = document.getElementById("preset-currency");
    const status = document.getElementById("preset-status");

    for (const u of config.users || []) user.append(el("option", { value: u.name, textContent: u.display || u.name }));
    user.value = presets.user || config.user || "";
    const locales = document.getElementById("preset-locales");
    for (const tag of dev.locales || ["en", "nl", "zh-CN"]) locales.append(el("option", { value: String(tag) }));
    if (presets.locale) localeInput.value = presets.locale;
    // The server keeps the position as [latitude, longitude].
    const position = Array.isArray(dev.position) ? { latitude: dev.position[0], longitude: dev.position[1] } : presets.position;
    if (position) {
      lat.value = String(position.latitude ?? "");
      lon.value = String(position.longitude ?? "");
    }
    if (presets.balance && Number.isSafeInteger(presets.balance.amount)) {
      currency.value = presets.balance.currency || "CNY";
      balance.value = minorToDecimal(presets.balance.amount, currency.value);
    }

    // Only what changed since the last apply is sent, so a relaunch happens only when needed.
    const dirty = new Set();
    for (const input of [localeInput, lat, lon, balance, currency]) input.addEventListener("input", () => dirty.add(input.id));
    const say = (text, bad = false) => {
      status.textContent = text;
      status.classList.toggle("error-text", bad);
    };

    const send = async (body) => {
      try {
        await api("/api/dev/presets", { body });
      } catch (error) {
        say(`Not applied: ${error.message}`, true);
        return;
      }
      say(`Applied: ${Object.keys(body).join(", ")}.`);
      // The session's user and locale are fixed at launch: start it again.
      if ("user" in body) await this.switchUser(body.user);
      else if ("locale" in body) this.relaunch();
    };

    user.addEventListener("change", () => send({ user: user.value }));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = {};
      if (dirty.has("preset-locale") && localeInput.value.trim()) body.locale = localeInput.value.trim();
      if (dirty.has("preset-latitude") || dirty.has("preset-longitude")) {
        const latitude = Number(lat.value);
        const longitude = Number(lon.value);
        if (lat.value.trim() === "" || lon.value.trim() === "" || !(Math.abs(latitude) <= 90) || !(Math.abs(longitude) <= 180)) {
          return say("Latitude must be -90 to 90 and longitude -180 to 180.", true);
        }
        body.position = { latitude, longitude };
      }
      if (dirty.has("preset-balance") || dirty.has("preset-currency")) {
        const code = currency.value.trim().toUpperCase();
        if (!/^[A-Z]{3}$/.test(code)) return say("The currency is a three-letter code such as CNY.", true);
        const amount = parseMoney(balance.value, code);
        if (amount === null) return say(`The balance is an amount such as ${currencyDigits(code) ? "100.00" : "100"}.`, true);
        body.balance = { amount, currency: code };
      }
      if (Object.keys(body).length === 0) return say("Nothing changed.");
      dirty.clear();
      send(body);
    });
  }
}

/**
 * A call's arguments as a person reads them: one "name: value" per argument,
 * text as it is (not quoted and escaped), JSON text (a view) parsed, and
 * objects indented.
 */
export function readableArgs(args) {
  if (args === undefined || args === null) return "";
  if (typeof args !== "object" || Array.isArray(args)) return pretty(args);
  return Object.entries(args)
    .map(([name, value]) => `${name}: ${pretty(value)}`)
    .join("\n");
}

function pretty(value) {
  if (typeof value === "string") {
    const text = value.trim();
    if ((text.startsWith("{") && text.endsWith("}")) || (text.startsWith("[") && text.endsWith("]"))) {
      try {
        return JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        return value; // cut short by the server, or not JSON after all
      }
    }
    return value;
  }
  return JSON.stringify(value, null, 2) ?? String(value);
}

function whereOf(entry) {
  return entry.file ? `${entry.file}${entry.line ? `:${entry.line}` : ""}` : "";
}

function duration(us) {
  if (typeof us !== "number" || !Number.isFinite(us)) return "";
  return us < 1000 ? `${Math.round(us)} µs` : `${(us / 1000).toFixed(us < 10000 ? 2 : 1)} ms`;
}

function nearBottom(box) {
  return box.scrollHeight - box.scrollTop - box.clientHeight < 40;
}

function trim(list) {
  while (list.children.length > MAX_LINES) list.firstElementChild.remove();
}
