// The shell's entry point: tabs, search, launching programs, and the
// socket's messages (docs/webhost.md is the contract).
//
// Each program the user opens gets a "slot": its bar (icon, name, close),
// a status area (opening, stopped, errors) and its rendered view. One slot
// is visible at a time; the server hears `hide` when the user looks away
// and `show` when they come back.

import { el, api, appIcon, clip, isContactCode, locale, scopeInWords, setCsrfToken } from "./util.js";
import { t, setLanguage, useMessages, pickLanguage, isSupported, errorText } from "./i18n.js";
import { Socket } from "./socket.js";
import { ViewRenderer } from "./render.js";
import { Toasts, PromptQueue, messageDialog } from "./dialogs.js";
import { HomeShelf } from "./home.js";
import { Scanner } from "./scan.js";

// Loaded when first used, so the first paint fetches and parses only what Home needs:
// Me (with its charts), Messages, the program menu, the switcher, developer tools.
const later = (load) => {
  let found = null;
  return () => (found ||= load());
};

const $ = (id) => document.getElementById(id);

const state = {
  config: null,
  tab: "discover",
  slots: [], // every open slot, oldest first
  sessions: new Map(), // session id -> slot
  pending: [], // slots waiting for `launched`, in the order they were asked for
  abandoned: [], // closed by the user before `launched` came: their session is closed on arrival
  former: new Map(), // session id -> slot, for sessions that ended (a late `reload` still finds its slot)
  visible: null, // the slot the Program tab shows
  generation: 0, // counts socket (re)connections
  views: 0,
  dev: null, // DevTools in developer mode
};

const toasts = new Toasts($("toasts"));
const toast = (kind, message, source) => toasts.show(kind, message, source);

const socket = new Socket({ onMessage: dispatch, onStatus: connectionChanged });

const prompts = new PromptQueue({
  answer: (prompt, value, secret, choice) => {
    const message = { type: "answer", prompt, value };
    if (typeof secret === "string") message.secret = secret;
    if (typeof choice === "string") message.choice = choice;
    if (!socket.send(message)) toast("error", t("error.notConnected"));
  },
  appOf: (sessionId) => {
    const slot = state.sessions.get(sessionId);
    return slot ? { appId: slot.appId, appName: slot.appName, hasIcon: slot.hasIcon } : null;
  },
  toast,
});

const mePage = later(async () => {
  const { MePage } = await import("./me.js");
  const page = new MePage({
    toast,
    appName: (appId) => {
      const slot = state.slots.find((s) => s.appId === appId);
      return slot ? slot.appName : null;
    },
  });
  page.setUpLanguage(async (language) => {
    await api("/api/me/language", { body: { language } });
    await setLanguage(language);
    syncProgram();
    runSearch();
    home.load();
  });
  return page;
});

// Messages: loaded just after the first paint (the unread badge, messages as they arrive).
let inboxLoaded = null;
const inbox = later(async () => {
  const { MessagesPage } = await import("./messages.js");
  inboxLoaded = new MessagesPage({ toast, openAddress: (address) => openAddress(address), showTab: () => selectTab("messages") });
  return inboxLoaded;
});

const home = new HomeShelf({ launch: (appId, name, hasIcon) => launch(appId, name, {}, hasIcon), toast });
const programMenu = later(async () => new (await import("./menu.js")).ProgramMenu({ home, toast }));

// -- program slots -----------------------------------------------------------------

let nextSlotKey = 1;

class Slot {
  /**
   * @param origin {type:"launch", app_id, page?, query?, scene?} or {type:"open", address}
   * @param hasIcon  whether the program has an icon (asking for a missing one is a 404)
   */
  constructor(origin, appName, hasIcon = false) {
    this.origin = origin;
    this.appId = origin.app_id || null;
    this.appName = appName || origin.app_id || t("program.unnamed");
    this.id = null; // the session id, once launched
    this.live = false;
    this.concealed = false; // we told the server `hide`
    this.sentOn = null; // the socket generation the launch went out on
    this.renderer = new ViewRenderer({ appId: this.appId, onEvent: (page, handler, data) => this.event(page, handler, data) });
    this.renderer.title.tabIndex = -1; // focus lands here when a program opens
    this.icon = el("span", { className: "program-icon" });
    this.name = el("span", { className: "program-name" });
    this.key = nextSlotKey++; // names the slot in the browser's history
    this.close = el("button", { type: "button", className: "icon-button close-button" }, el("span", { className: "icon icon-close", "aria-hidden": "true" }));
    this.close.addEventListener("click", () => closeSlot(this));
    // The program menu: About, Share, Add to favourites, Report, Close.
    this.more = el("button", { type: "button", className: "icon-button menu-button", "aria-label": t("program.menu"), "aria-haspopup": "dialog" }, el("span", { "aria-hidden": "true", textContent: "⋯" }));
    this.more.addEventListener("click", async () => (await programMenu()).open(this, () => closeSlot(this)));
    this.back = el("button", { type: "button", className: "icon-button back-button", "aria-label": t("program.back"), title: t("program.back.title"), textContent: "‹" });
    this.back.addEventListener("click", () => goBack());
    this.status = el("div", { className: "session-status" });
    this.notice = el("div", { className: "session-notice" });
    this.element = el(
      "div",
      { className: "session", hidden: true },
      el("div", { className: "program-bar" }, this.back, this.icon, this.name, this.more, this.close),
      this.status,
      this.notice,
      this.renderer.root,
    );
    this.setApp(this.appId, this.appName, hasIcon);
  }

  setApp(appId, appName, hasIcon) {
    this.appId = appId;
    this.hasIcon = hasIcon;
    this.appName = appName || appId || t("program.unnamed");
    this.renderer.appId = appId;
    this.icon.replaceChildren(appId ? appIcon(appId, this.appName, hasIcon) : el("span", { className: "app-icon letter", "aria-hidden": "true", textContent: "?" }));
    this.name.textContent = this.appName;
    // Just "Close": a name with the program's in it would also match lookups
    // for the tabs ("Close Member Card" contains "Me"). The tooltip says which.
    this.close.setAttribute("aria-label", t("dialog.close"));
    this.close.title = t("program.close.title", { name: this.appName });
    this.more.title = t("program.menu.title", { name: this.appName });
  }

  event(page, handler, data) {
    if (!this.live) {
      toast("warning", t("program.notRunning", { name: this.appName }));
      return;
    }
    this.notice.replaceChildren(); // an error belonged to the previous action
    if (!socket.send({ type: "event", session: this.id, page, handler, data })) {
      toast("error", t("error.notConnected"));
    }
  }

  /** A short line while the program starts. */
  waiting(text) {
    this.status.replaceChildren(el("p", { className: "session-waiting", textContent: text }));
  }

  showView(view) {
    this.status.replaceChildren();
    this.renderer.root.hidden = false;
    this.renderer.render(view);
  }

  showError(msg) {
    const card = el(
      "div",
      { className: "error-card", role: "alert" },
      el("p", { className: "error-title" }, el("strong", { textContent: t("error.title") }), msg.code ? el("code", { className: "error-code", textContent: String(msg.code) }) : null),
      el("p", { className: "error-message", textContent: errorText(msg) }),
    );
    // What the program itself said about its error (its own words, as sent).
    const detail = msg.params && typeof msg.params.detail === "string" ? msg.params.detail : "";
    if (detail && !state.dev) card.append(el("p", { className: "error-where", textContent: clip(detail, 300) }));
    // Developer mode also shows the server's own words (a view's JSON pointers, say), and where it happened.
    const english = state.dev ? serverWords(msg) : "";
    if (english) card.append(el("p", { className: "error-where", textContent: english }));
    if (msg.file) card.append(el("p", { className: "error-where" }, el("code", { textContent: `${msg.file}${msg.line ? `:${msg.line}` : ""}` })));
    if (state.dev && msg.traceback) {
      card.append(el("details", { className: "traceback" }, el("summary", { textContent: "Traceback" }), el("pre", { textContent: String(msg.traceback) })));
    }
    const hide = el("button", { type: "button", className: "btn btn-secondary btn-small", textContent: t("error.hide") });
    hide.addEventListener("click", () => this.notice.replaceChildren());
    card.append(hide);
    this.notice.replaceChildren(card);
  }

  /** The session is over (stopped, failed to start, lost): say why and offer a restart. */
  showEnded(msg, heading = t("program.stopped")) {
    this.renderer.reset();
    this.renderer.root.hidden = true;
    this.notice.replaceChildren();
    const restart = el("button", { type: "button", className: "btn btn-primary", textContent: t("program.restart") });
    restart.addEventListener("click", () => {
      restartSlot(this, { currentPage: false });
      this.renderer.title.focus();
    });
    const box = el(
      "div",
      { className: "ended-card", role: "alert" },
      el("h2", { className: "ended-title", textContent: heading }),
      el("p", { className: "ended-message", textContent: errorText(msg) }),
      msg.code ? el("p", { className: "cell-sub" }, el("code", { textContent: String(msg.code) })) : null,
      state.dev && serverWords(msg) ? el("p", { className: "error-where", textContent: serverWords(msg) }) : null,
    );
    if (state.dev && msg.traceback) {
      box.append(el("details", { className: "traceback" }, el("summary", { textContent: "Traceback" }), el("pre", { textContent: String(msg.traceback) })));
    }
    box.append(restart);
    this.status.replaceChildren(box);
  }
}

/** The server's English message when the shell showed other words for it (developer mode shows both). */
function serverWords(msg) {
  const english = typeof msg.message === "string" ? msg.message : "";
  return english && english !== errorText(msg) ? clip(english, 2000) : "";
}

function startMessage(slot) {
  const o = slot.origin;
  if (o.type === "open") return { type: "open", address: o.address };
  const msg = { type: "launch", app_id: o.app_id };
  if (o.page) msg.page = o.page;
  if (o.query) msg.query = o.query;
  if (o.scene) msg.scene = o.scene;
  return msg;
}

/** Ask the server for a session for `slot` (now, or when the socket is back). */
function requestSession(slot) {
  if (!state.pending.includes(slot)) state.pending.push(slot);
  state.abandoned = state.abandoned.filter((s) => s !== slot);
  slot.sentOn = socket.send(startMessage(slot)) ? state.generation : null;
}

/** Open a program from a search result (or developer mode). */
function launch(appId, appName, options = {}, hasIcon = false) {
  const existing = state.slots.find((slot) => slot.appId === appId); // opened before (or by a scan)
  if (existing) {
    // Re-opened: the same session comes back (`show`), or a stopped one restarts.
    if (!existing.live && !state.pending.includes(existing)) restartSlot(existing, { currentPage: false });
    activate(existing, { focus: true });
    return;
  }
  const slot = addSlot(new Slot({ type: "launch", app_id: appId, ...options }, appName, hasIcon));
  slot.waiting(t("program.opening", { name: slot.appName }));
  requestSession(slot);
  activate(slot, { focus: true });
}

/** Open a scanned capsule:// address. */
function openAddress(address) {
  const slot = addSlot(new Slot({ type: "open", address }, t("program.scanned")));
  slot.waiting(t("program.openingScanned"));
  requestSession(slot);
  activate(slot, { focus: true });
}

function addSlot(slot) {
  state.slots.push(slot);
  $("program-slots").append(slot.element);
  return slot;
}

/** End the slot's session (if any) and start it again, in the same slot. */
function restartSlot(slot, { currentPage, close = true, keepView = false }) {
  if (slot.live) {
    if (close) socket.send({ type: "close", session: slot.id });
    forgetSession(slot);
  }
  // Developer reloads and reconnects come back to the page the user was on.
  const page = slot.renderer.view && slot.renderer.view.name;
  if (currentPage && page && slot.origin.type === "launch") slot.origin = { ...slot.origin, page };
  if (!keepView) {
    slot.renderer.reset();
    slot.waiting(t("program.restarting", { name: slot.appName }));
  }
  requestSession(slot);
}

function forgetSession(slot) {
  if (slot.id) {
    state.sessions.delete(slot.id);
    state.former.set(slot.id, slot);
    prompts.dropSession(slot.id);
  }
  slot.live = false;
  slot.concealed = false;
  syncProgram();
}

function closeSlot(slot) {
  delete slot.element.dataset.session;
  if (slot.live) socket.send({ type: "close", session: slot.id });
  forgetSession(slot);
  if (state.pending.includes(slot) && slot.sentOn === state.generation) state.abandoned.push(slot);
  state.pending = state.pending.filter((s) => s !== slot);
  state.slots = state.slots.filter((s) => s !== slot);
  slot.element.remove();
  if (state.visible === slot) {
    state.visible = null;
    const next = state.slots[state.slots.length - 1];
    if (next) activate(next, { focus: true });
    else {
      selectTab("discover");
      $("tab-discover").focus();
    }
  }
  syncProgram();
}

function conceal(slot) {
  if (slot.live && !slot.concealed) {
    socket.send({ type: "hide", session: slot.id });
    slot.concealed = true;
  }
}

function reveal(slot) {
  if (slot.live && slot.concealed) {
    socket.send({ type: "show", session: slot.id });
    slot.concealed = false;
  }
}

/** Make `slot` the visible program and show the Program tab. */
function activate(slot, { focus = false, remember = true } = {}) {
  const previous = state.visible;
  const moved = previous !== slot || state.tab !== "program";
  if (previous && previous !== slot) {
    conceal(previous);
    previous.element.hidden = true;
  }
  if (previous !== slot) scrollOf.program = 0;
  state.visible = slot;
  slot.element.hidden = false;
  if (state.tab !== "program") selectTab("program");
  else reveal(slot);
  if (focus) slot.renderer.title.focus({ preventScroll: true });
  if (moved && remember) rememberPlace();
  syncProgram();
}

/**
 * The visible program's container carries `data-session` (only it: hidden
 * programs stay out of `[data-session]` lookups); the Program tab and the
 * document title follow it.
 */
function syncProgram() {
  const slot = state.visible;
  for (const other of state.slots) if (other !== slot || !other.live) delete other.element.dataset.session;
  if (slot && slot.live) slot.element.dataset.session = slot.id;
  $("tab-program").hidden = state.slots.length === 0;
  $("switcher-button").hidden = state.slots.length === 0;
  const running = state.slots.filter((s) => s.live).length;
  $("switcher-label").textContent = t("switcher.button", { count: running });
  const title = state.tab === "program" && slot ? (slot.renderer.view && slot.renderer.view.title) || slot.appName : null;
  document.title = title ? `${title} · Capsule` : "Capsule";
}

// -- tabs -------------------------------------------------------------------------------

const TABS = ["discover", "program", "messages", "me"];
const scrollOf = {}; // each tab comes back where the user left it

function selectTab(name, { remember = true } = {}) {
  if (name === "program" && !state.visible) name = "discover";
  const moved = state.tab !== name;
  if (state.tab === "program" && name !== "program" && state.visible) conceal(state.visible);
  const changed = state.tab !== name;
  if (changed) scrollOf[state.tab] = window.scrollY;
  state.tab = name;
  for (const tab of TABS) {
    $(tab).hidden = tab !== name;
    const button = $(`tab-${tab}`);
    if (tab === name) button.setAttribute("aria-current", "page");
    else button.removeAttribute("aria-current");
  }
  if (name === "program" && state.visible) reveal(state.visible);
  if (name === "me") {
    mePage().then((me) => me.load());
    inbox().then((messages) => messages.loadMe());
  }
  if (name === "messages" && changed) inbox().then((messages) => messages.load());
  if (name === "discover" && home.stale) {
    home.stale = false;
    home.load();
  }
  if (changed) window.scrollTo(0, scrollOf[name] || 0);
  if (moved && remember) rememberPlace();
  syncProgram();
}

for (const tab of TABS) $(`tab-${tab}`).addEventListener("click", () => selectTab(tab));

// -- the browser's Back -----------------------------------------------------------------------
//
// Every move between tabs and programs is a history entry, so Back (the
// browser's, or the program bar's) returns to where the user was: to
// Discover after a scanned code opened a program, to the program before.

let shellDepth = 0; // entries this page added (Back beyond them would leave the shell)

function place() {
  return { capsule: true, tab: state.tab, slot: state.tab === "program" && state.visible ? state.visible.key : null };
}

function rememberPlace() {
  const here = place();
  const current = history.state;
  if (current && current.capsule && current.tab === here.tab && current.slot === here.slot) return;
  shellDepth += 1;
  history.pushState({ ...here, depth: shellDepth }, "", `#${here.tab}`);
}

function goBack() {
  if (shellDepth > 0) history.back();
  else selectTab("discover");
}

window.addEventListener("popstate", (event) => {
  const target = event.state;
  if (!target || !target.capsule) {
    shellDepth = 0;
    selectTab("discover", { remember: false });
    return;
  }
  shellDepth = target.depth || 0;
  const slot = target.slot ? state.slots.find((s) => s.key === target.slot) : null;
  if (target.tab === "program" && slot) activate(slot, { remember: false });
  else selectTab(target.tab === "program" ? "discover" : target.tab, { remember: false });
});

// -- messages from the server -------------------------------------------------------------

const HANDLERS = {
  launched(msg) {
    // Launches are answered in order; a scanned address names its program only now.
    let index = state.pending.findIndex((slot) => slot.origin.app_id === msg.app_id);
    if (index < 0) index = state.pending.findIndex((slot) => slot.origin.type === "open");
    if (index < 0) {
      // Closed while it was starting: end it at once.
      const gone = state.abandoned.findIndex((slot) => slot.origin.app_id === msg.app_id || slot.origin.type === "open");
      if (gone >= 0) {
        state.abandoned.splice(gone, 1);
        socket.send({ type: "close", session: msg.session });
        return;
      }
    }
    let slot = index >= 0 ? state.pending.splice(index, 1)[0] : null;
    if (!slot) {
      // Not asked for by this tab (the server started it): show it if nothing else is.
      slot = addSlot(new Slot({ type: "launch", app_id: msg.app_id }, msg.app_name));
      if (!state.visible) {
        state.visible = slot;
        slot.element.hidden = false;
      }
    }
    slot.setApp(msg.app_id, msg.app_name, Boolean(msg.icon));
    slot.id = msg.session;
    slot.live = true;
    slot.concealed = false;
    state.sessions.set(msg.session, slot);
    // The server put it first in the recents: Home shows that when it is next seen.
    if (state.tab === "discover") home.load();
    else home.stale = true;
    if (slot.renderer.view === null) slot.waiting(t("program.opening", { name: slot.appName }));
    // The user looked elsewhere while it started.
    if (!(state.visible === slot && state.tab === "program")) conceal(slot);
    syncProgram();
  },

  view(msg) {
    const slot = state.sessions.get(msg.session);
    if (!slot || !msg.view || msg.view.type !== "page") return;
    slot.showView(msg.view);
    state.views += 1;
    document.body.dataset.views = String(state.views);
    syncProgram();
  },

  toast(msg) {
    const slot = state.sessions.get(msg.session);
    const elsewhere = slot && !(state.visible === slot && state.tab === "program");
    toast(msg.kind, String(msg.message ?? ""), elsewhere ? slot.appName : null);
  },

  prompt(msg) {
    // The contact picker is the Messages module's (it registers that kind of prompt).
    if (msg.kind === "contact" && !inboxLoaded) inbox().then(() => prompts.add(msg));
    else prompts.add(msg);
  },

  prompt_closed(msg) {
    prompts.closed(msg.prompt);
  },

  error(msg) {
    let slot = msg.session ? state.sessions.get(msg.session) : null;
    if (slot) {
      slot.showError(msg);
      return;
    }
    if (!msg.session && state.pending.length > 0) {
      // No session yet: the oldest launch failed.
      slot = state.pending.shift();
      slot.showEnded(msg, t("program.couldNotOpen", { name: slot.appName }));
      return;
    }
    if (!msg.session) toast("error", msg.code || msg.message ? errorText(msg) : t("error.unknown"));
  },

  ended(msg) {
    if (!msg.session && state.pending.length > 0) {
      // A launch stopped before it had a session (a limit hit while starting).
      const starting = state.pending.shift();
      starting.showEnded(msg, t("program.couldNotOpen", { name: starting.appName }));
      return;
    }
    const slot = state.sessions.get(msg.session);
    if (!slot) return;
    forgetSession(slot);
    slot.showEnded(msg);
  },

  reload(msg) {
    const slot = state.sessions.get(msg.session) || state.former.get(msg.session);
    // Unknown, closed by the user, or already starting again: nothing to do.
    if (!slot || !state.slots.includes(slot) || state.pending.includes(slot)) return;
    // Rebuilt: a new session at the same page and query; the old view stays
    // on screen and is patched, so scroll and typed values survive.
    restartSlot(slot, { currentPage: true, keepView: true });
  },

  dev(msg) {
    if (state.dev) state.dev.entry(msg.entry);
  },

  message(msg) {
    inbox().then((messages) => messages.arrived(msg));
  },

  open_chat(msg) {
    if (typeof msg.thread === "string") inbox().then((messages) => messages.openThread(msg.thread));
  },

  signed_out() {
    location.assign("/signin");
  },
};

function dispatch(msg) {
  const handler = HANDLERS[msg.type];
  if (handler) handler(msg);
}

// -- the connection ----------------------------------------------------------------------------

let readyParts = 0;
function partReady() {
  readyParts += 1;
  if (readyParts !== 2) return; // socket open + config loaded
  document.body.dataset.ready = "1";
  performance.mark("capsule-ready");
  // After the first paint: the Messages module (its unread badge, messages as they arrive).
  const idle = window.requestIdleCallback || ((run) => setTimeout(run, 200));
  idle(() => inbox().then((messages) => messages.refreshBadge()));
}

function connectionChanged(status, info) {
  document.body.dataset.connection = status;
  const banner = $("connection");
  if (status === "open") {
    state.generation += 1;
    banner.hidden = true;
    if (info.first) partReady();
    else reconnected();
    // Launches asked for while the socket was down (or lost with it).
    for (const slot of [...state.pending]) if (slot.sentOn !== state.generation) requestSession(slot);
  } else if (status === "closed") {
    $("connection-text").textContent = info.asked
      ? t("connection.reconnecting")
      : t("connection.lost", { count: Math.max(1, Math.round(info.retryIn / 1000)) });
    banner.hidden = false;
  } else if (!banner.hidden) {
    $("connection-text").textContent = t("connection.reconnecting");
  }
}

/** A new socket has none of the old sessions: restart the visible one, mark the rest stopped. */
function reconnected() {
  prompts.clear();
  for (const slot of state.slots) {
    if (!slot.live) continue;
    if (slot === state.visible) restartSlot(slot, { currentPage: true, close: false, keepView: true });
    else {
      forgetSession(slot);
      slot.showEnded({ code: "disconnected", message: t("connection.lostInBackground") });
    }
  }
  toast("info", t("connection.back"));
}

$("connection-retry").addEventListener("click", () => socket.retryNow());

$("switcher-button").addEventListener("click", async () =>
  (await import("./switcher.js")).openSwitcher(state.slots, state.tab === "program" ? state.visible : null, (slot) => {
    // A stopped one (ended at the background bound, say) starts again; a live one resumes as it was.
    if (!slot.live && !state.pending.includes(slot)) restartSlot(slot, { currentPage: true, keepView: true });
    activate(slot, { focus: true });
  }),
);

// -- search --------------------------------------------------------------------------------------

const search = { seq: 0, abort: null, timer: null };

async function runSearch() {
  clearTimeout(search.timer);
  if (search.abort) search.abort.abort();
  const controller = new AbortController();
  search.abort = controller;
  const seq = (search.seq += 1);
  const params = new URLSearchParams({ q: $("search").value, lang: locale(), limit: "30" });
  if ($("category").value) params.set("category", $("category").value);
  const results = $("results");
  results.setAttribute("aria-busy", "true");
  let data;
  try {
    data = await api(`/api/search?${params}`, { signal: controller.signal });
  } catch (error) {
    if (error.name === "AbortError") return;
    $("search-status").textContent = t("search.failed", { message: error.message });
    results.removeAttribute("aria-busy");
    return;
  }
  if (seq !== search.seq) return; // a newer search is on its way
  results.removeAttribute("aria-busy");
  fillCategories(data.categories || []);
  showResults(data.results || []);
}

function fillCategories(categories) {
  const select = $("category");
  const chosen = select.value;
  const known = Array.from(select.options, (option) => option.value);
  const wanted = ["", ...categories.map(String)];
  if (known.length === wanted.length && known.every((value, i) => value === wanted[i])) return;
  select.replaceChildren(el("option", { value: "", textContent: t("search.allCategories") }), ...categories.map((c) => el("option", { value: String(c), textContent: categoryName(String(c)) })));
  select.value = wanted.includes(chosen) ? chosen : "";
}

function categoryName(category) {
  return category.charAt(0).toUpperCase() + category.slice(1).replace(/[_-]/g, " ");
}

function showResults(results) {
  const list = $("results");
  const query = $("search").value.trim();
  $("search-status").textContent =
    results.length === 0 ? (query ? t("search.none", { query }) : t("search.empty")) : t("search.count", { count: results.length });
  // Update in place, keyed by program: a row that stays keeps its element, so
  // focus on it survives a newer answer (typing, or the first, empty search).
  const focused = Array.from(list.children).find((li) => li.contains(document.activeElement));
  const old = new Map(Array.from(list.children, (li) => [li.appId, li]));
  results.forEach((result, index) => {
    const key = JSON.stringify({ ...result, score: null });
    let li = old.get(result.app_id);
    if (!li || li.resultKey !== key) li = resultRow(result, key);
    const here = list.children[index];
    if (here !== li) list.insertBefore(li, here || null);
  });
  while (list.children.length > results.length) list.lastElementChild.remove();
  if (focused && !focused.isConnected) {
    const again = Array.from(list.children).find((li) => li.appId === focused.appId);
    if (again) again.firstElementChild.focus();
  }
}

/** Scopes in the reader's words, joined as their language joins a list ("a, b and c"). */
function listInWords(scopes) {
  const words = [...new Set(scopes.map(scopeInWords))];
  try {
    return new Intl.ListFormat(locale(), { style: "long", type: "conjunction" }).format(words);
  } catch {
    return words.join(", ");
  }
}

function resultRow(result, key) {
  const scopes = (result.permissions || []).map((p) => String(p.scope)).filter(Boolean);
  // The accessible name starts with the program's name (the icon is decorative).
  const button = el(
    "button",
    { type: "button", className: "result" },
    appIcon(result.app_id, result.name, Boolean(result.icon)),
    el(
      "span",
      { className: "result-text" },
      el("span", { className: "result-name", textContent: String(result.name || result.app_id) }),
      result.description ? el("span", { className: "result-description", textContent: ` ${result.description}` }) : null,
      scopes.length ? el("span", { className: "result-permissions", textContent: ` ${t("search.asks", { scopes: listInWords(scopes) })}` }) : null,
    ),
  );
  button.addEventListener("click", () => launch(result.app_id, result.name, {}, Boolean(result.icon)));
  const li = el("li", {}, button);
  li.appId = result.app_id;
  li.resultKey = key;
  return li;
}

$("search").addEventListener("input", () => {
  clearTimeout(search.timer);
  search.timer = setTimeout(runSearch, 150);
});
$("category").addEventListener("change", runSearch);
$("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  runSearch();
});

// -- scanning ---------------------------------------------------------------------------------------

new Scanner({
  scanButton: $("scan-button"),
  cameraButton: $("camera-button"),
  input: $("qr-file"),
  onResult(result) {
    if (isContactCode(result.text)) inbox().then((messages) => messages.scannedContact(String(result.text)));
    else if (result.target) openAddress(String(result.text));
    else messageDialog(t("scan.result"), String(result.text ?? ""), { detail: t("scan.notProgram") });
  },
  onError(message) {
    toast("error", t("scan.failed", { message }));
  },
});

// -- start --------------------------------------------------------------------------------------------

/** The page's boot data (boot.py): the account's config and its language's messages. */
function bootData() {
  try {
    const data = JSON.parse($("boot").textContent);
    return data && typeof data === "object" ? data : null;
  } catch {
    return null; // a page without it (an old copy): fetch both
  }
}

async function start() {
  document.body.dataset.views = "0";
  history.replaceState({ capsule: true, tab: "discover", slot: null, depth: 0 }, "", location.pathname + location.search);
  socket.connect(); // first: the handshake runs while the page starts
  const boot = bootData();
  let config = boot && boot.config;
  if (boot) useMessages(boot.language, boot.messages, boot.fallback);
  else {
    const messages = setLanguage(pickLanguage()).catch((error) => toast("error", error.message));
    try {
      config = await api("/api/config");
    } catch (error) {
      config = { mode: "host", user: null, users: [], dev: null, failed: error };
    }
    await messages;
    if (config.failed) toast("error", t("error.config", { message: config.failed.message }));
  }
  state.config = config;
  setCsrfToken(config.csrf);
  if (config.language && isSupported(config.language) && (!boot || config.language !== boot.language)) await setLanguage(config.language);
  else if (!config.language && config.mode === "host" && config.user) {
    // The first visit: remember the language the page came in (the browser's choice) for the account, so programs get it too.
    api("/api/me/language", { body: { language: boot ? boot.language : pickLanguage() } }).catch(() => {});
  }
  runSearch();
  home.load();
  const dev = config.mode === "dev" && config.dev;
  if (dev) $("account").remove();
  else {
    $("dev").remove();
    setUpAccount(config);
  }
  if (dev) {
    const { DevTools } = await import("./dev.js");
    state.dev = new DevTools({
      config,
      toast,
      relaunch: () => {
        const slot = state.visible;
        if (slot) restartSlot(slot, { currentPage: true, keepView: true });
      },
      // The presets moved the developer's sign-in to that persona; the socket's user
      // is fixed when it connects: reconnect, and the visible program restarts on its page.
      switchUser: async () => socket.restart(),
    });
    if (config.dev.app_id) {
      const options = {};
      if (config.dev.page) options.page = config.dev.page;
      if (config.dev.query) options.query = config.dev.query;
      launch(config.dev.app_id, config.dev.app_name || config.dev.name || config.dev.app_id, options);
    }
  }
  partReady();
}

/** Who is signed in, and the Sign out button (the server ends the sign-in; the cookie is worthless after). */
function setUpAccount(config) {
  $("account-name").textContent = String(config.display || config.user || "");
  $("sign-out").addEventListener("click", async () => {
    try {
      await api("/api/signout", { body: {} });
    } catch (error) {
      toast("error", t("error.signOut", { message: error.message }));
      return;
    }
    location.assign("/signin");
  });
}

start();
