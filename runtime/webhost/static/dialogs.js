// Toasts and the dialogs a program can cause: consent, payment sheet, modal
// confirm and file pick. Plus a plain message dialog for the shell itself.
//
// Dialogs are real <dialog> elements opened with showModal(): the rest of the
// page is inert, focus moves in, and Escape (the dialog's "cancel") is "no".
// Prompts queue: one is shown at a time, in the order they came.

import { el, nextId, api, appIcon, scopeInWords, formatMoney, clip } from "./util.js";
import { t, errorText } from "./i18n.js";

// What a program (or the server on its behalf) can put in a dialog is cut to
// these lengths here too, so no label can push the buttons off the screen.
const MAX_TITLE_CHARS = 80;
const MAX_MESSAGE_CHARS = 1000;
const MAX_LABEL_CHARS = 200;
const MAX_BUTTON_CHARS = 40;
const MAX_DETAIL_LINES = 60;
const PIN_DIGITS = 6;

// -- toasts ---------------------------------------------------------------------

const TOAST_MS = { info: 4000, success: 4000, warning: 6000, error: 8000 };
// Heard before a warning or an error (a function: the language can change).
const TOAST_PREFIX = { warning: () => t("toast.warning"), error: () => t("toast.error") };
// At most this many toasts show at once (the oldest goes), each cut to this length.
export const MAX_TOASTS = 3;
export const MAX_TOAST_CHARS = 300;

export class Toasts {
  /** @param {HTMLElement} region an aria-live="polite" container */
  constructor(region) {
    this.region = region;
  }

  show(kind, message, source) {
    kind = TOAST_MS[kind] ? kind : "info";
    const text = el("span", { className: "toast-text" });
    // Screen readers hear the kind; sighted users see it from the colour and icon.
    if (TOAST_PREFIX[kind]) text.append(el("span", { className: "visually-hidden", textContent: TOAST_PREFIX[kind]() }));
    if (source) text.append(el("strong", { className: "toast-source", textContent: `${clip(String(source), 60)}: ` }));
    text.append(document.createTextNode(clip(String(message), MAX_TOAST_CHARS)));
    const toast = el("div", { className: `toast toast-${kind}` }, el("span", { className: "toast-icon", "aria-hidden": "true" }), text);
    const dismiss = el("button", { type: "button", className: "icon-button toast-close", "aria-label": t("toast.dismiss"), textContent: "×" });
    toast.append(dismiss);
    const remove = () => toast.remove();
    dismiss.addEventListener("click", remove);
    this.region.append(toast);
    while (this.region.children.length > MAX_TOASTS) this.region.firstElementChild.remove();
    setTimeout(remove, TOAST_MS[kind]);
    return toast;
  }
}

// -- dialog building blocks ----------------------------------------------------------

/** Dialog builders other modules add for their own prompt kinds (messages.js: "contact"). */
const EXTRA_KINDS = {};
export function registerPrompt(kind, build) {
  EXTRA_KINDS[kind] = build;
}

export function dialogShell(className, heading) {
  const headingId = nextId("dialog-title");
  const dialog = el("dialog", { className: `dialog ${className}`, "aria-labelledby": headingId });
  const title = el("h2", { id: headingId, className: "dialog-title", textContent: heading });
  return { dialog, title };
}

export function actions(...buttons) {
  return el("div", { className: "dialog-actions" }, ...buttons);
}

export function button(label, style, onClick) {
  return el("button", { type: "button", className: `btn btn-${style}`, textContent: label, onclick: onClick });
}

export function openDialog(dialog, focusTarget) {
  document.body.append(dialog);
  dialog.showModal();
  // showModal focuses the first focusable element; we pick the safe one.
  if (focusTarget) focusTarget.focus();
}

/** A message for the user (e.g. the text of a scanned code). Resolves when closed. */
export function messageDialog(heading, message, { detail } = {}) {
  return new Promise((resolve) => {
    const { dialog, title } = dialogShell("message-dialog", heading);
    const ok = button(t("dialog.ok"), "primary", () => dialog.close());
    dialog.append(title, el("p", { className: "dialog-message selectable", textContent: message }));
    if (detail) dialog.append(el("p", { className: "dialog-detail", textContent: detail }));
    dialog.append(actions(ok));
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve();
    });
    openDialog(dialog, ok);
  });
}

// -- prompts -------------------------------------------------------------------------------

export class PromptQueue {
  /**
   * @param {object} hooks
   *   answer(promptId, value, secret)    send {"type":"answer"} (secret: a PIN the sheet asked for)
   *   appOf(sessionId)           {appId, appName} of a session, or null
   *   toast(kind, message)
   */
  constructor(hooks) {
    this.hooks = hooks;
    this.queue = [];
    this.current = null; // {msg, dialog, busy}
  }

  add(msg) {
    if (typeof msg.prompt !== "string") return;
    this.queue.push(msg);
    if (!this.current) this.next();
  }

  /** The server closed a prompt (timed out, answered elsewhere). */
  closed(promptId) {
    this.queue = this.queue.filter((msg) => msg.prompt !== promptId);
    if (this.current && this.current.msg.prompt === promptId) this.finish(undefined, false);
  }

  /** Every prompt of a session that is gone is moot. */
  dropSession(sessionId) {
    this.queue = this.queue.filter((msg) => msg.session !== sessionId);
    if (this.current && this.current.msg.session === sessionId) this.finish(undefined, false);
  }

  /** The socket was lost: the server has answered every open prompt "no". */
  clear() {
    this.queue = [];
    if (this.current) this.finish(undefined, false);
  }

  next() {
    const msg = this.queue.shift();
    if (!msg) return;
    const app = this.hooks.appOf(msg.session) || {};
    const appName = typeof msg.app_name === "string" && msg.app_name ? msg.app_name : app.appName || t("dialog.aProgram");
    const build = { consent: consentDialog, confirm: confirmDialog, pick: pickDialog, ...EXTRA_KINDS }[msg.kind];
    if (!build) {
      // A kind this shell does not know: say no rather than leave the program waiting.
      this.hooks.answer(msg.prompt, false);
      this.next();
      return;
    }
    this.current = { msg, dialog: null, busy: false };
    const { dialog, focus } = build(msg, { appName, appId: app.appId, hasIcon: app.hasIcon }, this);
    this.current.dialog = dialog;
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      if (!this.current || this.current.dialog !== dialog || this.current.busy) return;
      this.finish(false);
    });
    // Closed some other way (a browser gesture): that is a "no" too.
    dialog.addEventListener("close", () => {
      if (this.current && this.current.dialog === dialog) this.finish(false);
    });
    openDialog(dialog, focus);
  }

  /** Close the current prompt; `send` the answer (a typed PIN, a choice) unless it went another way. */
  finish(value, send = true, secret = undefined, choice = undefined) {
    const current = this.current;
    if (!current) return;
    this.current = null;
    if (send) this.hooks.answer(current.msg.prompt, value, secret, choice);
    if (current.dialog.open) current.dialog.close();
    current.dialog.remove();
    this.next();
  }
}

function appHeader({ appId, appName, hasIcon }) {
  return el("div", { className: "dialog-app" }, appId ? appIcon(appId, appName, Boolean(hasIcon)) : null);
}

function consentDialog(msg, app, queue) {
  const { appName } = app;
  const { dialog, title } = dialogShell("consent-dialog", appName);
  const scope = typeof msg.scope === "string" ? msg.scope : "";
  const deny = button(t("consent.deny"), "secondary", () => queue.finish(false));
  const allow = button(t("consent.allow"), "primary", () => queue.finish(true));
  const descriptionId = nextId("consent-text");
  dialog.setAttribute("aria-describedby", descriptionId);
  dialog.append(
    appHeader(app),
    title,
    el("p", { id: descriptionId, className: "dialog-message" }, t("consent.wants"), " ", el("strong", { textContent: scopeInWords(scope) }), t("consent.end")),
  );
  if (msg.reason) {
    dialog.append(
      el("div", { className: "consent-reason" }, el("span", { className: "consent-reason-label", textContent: t("consent.reason") }), el("p", { textContent: msg.reason })),
    );
  }
  dialog.append(
    el("p", { className: "dialog-detail", textContent: t("consent.detail", { scope }) }),
    actions(deny, allow),
  );
  return { dialog, focus: deny };
}

/** A money value from the server ({amount, currency}) in the shell's one format; text stays text. */
function shown(value) {
  if (value && typeof value === "object" && Number.isSafeInteger(value.amount) && typeof value.currency === "string") {
    return formatMoney(value.amount, value.currency);
  }
  return clip(String(value ?? ""), MAX_LABEL_CHARS);
}

// The payment capability's sheets come with English labels (the terminal shows them
// as sent); the shell shows the ones it knows in its language. Anything else a
// sheet carries (a program's description, line items) is shown as sent.
const SHEET_TEXT = {
  "Confirm payment": () => t("sheet.confirmPayment"),
  "Confirm transfer": () => t("sheet.confirmTransfer"),
  "Send a red envelope": () => t("sheet.redEnvelope"),
  "Payments locked": () => t("sheet.locked"),
  Program: () => t("sheet.program"),
  To: () => t("sheet.to"),
  Amount: () => t("sheet.amount"),
  Description: () => t("sheet.description"),
  Transfer: () => t("sheet.transfer"),
  "Your balance": () => t("sheet.balance"),
  Pay: () => t("sheet.pay"),
  OK: () => t("dialog.ok"),
  Cancel: () => t("dialog.cancel"),
};

/** A payment sheet's fixed label in the shell's language; other text as sent. */
function sheetText(value, ours) {
  const text = String(value ?? "");
  return ours && Object.prototype.hasOwnProperty.call(SHEET_TEXT, text) ? SHEET_TEXT[text]() : text;
}

/**
 * A sheet's `message` or `problem`: where the host wrote it (a wrong PIN, payments locked), its
 * code says it in the shell's language (`msg.codes[name]`); a program's own text stays as sent.
 */
function hostText(msg, name, ours) {
  const coded = ours && msg.codes && typeof msg.codes === "object" ? msg.codes[name] : null;
  if (coded && typeof coded.code === "string") return errorText({ ...coded, message: msg[name] });
  return sheetText(msg[name], ours);
}

function confirmDialog(msg, app, queue) {
  const { appName, appId } = app;
  const payment = msg.sheet === "payment";
  // The payment capability's own sheets (the sheet and its "locked" notice), not a program's confirm.
  const ours = payment || msg.sheet === "notice";
  const { dialog, title } = dialogShell(payment ? "sheet payment-sheet" : "confirm-dialog", clip(sheetText(msg.title || "", ours), MAX_TITLE_CHARS));
  dialog.append(el("p", { className: "dialog-kicker", textContent: payment ? t("sheet.kicker", { name: appName }) : appName }), title);
  if (msg.message) dialog.append(el("p", { className: "dialog-message", textContent: clip(hostText(msg, "message", ours), MAX_MESSAGE_CHARS) }));
  const details = Array.isArray(msg.details) ? msg.details.filter((line) => Array.isArray(line) && line.length >= 2).slice(0, MAX_DETAIL_LINES) : [];
  if (details.length) {
    const list = el("dl", { className: "details" });
    for (const [label, value] of details) {
      list.append(el("div", { className: "details-row" }, el("dt", { textContent: clip(sheetText(label, ours), MAX_LABEL_CHARS) }), el("dd", { textContent: typeof value === "string" ? clip(sheetText(value, ours), MAX_LABEL_CHARS) : shown(value) })));
    }
    dialog.append(list);
  }
  const pin = msg.secret === "pin" || msg.secret === "new-pin" ? pinFields(msg) : null;
  if (pin) dialog.append(pin.box);
  const amount = msg.amount && typeof msg.amount === "object" ? ` ${shown(msg.amount)}` : "";
  const confirm = button(`${clip(msg.confirm_label ? sheetText(msg.confirm_label, ours) : t("dialog.ok"), MAX_BUTTON_CHARS)}${amount}`, "primary", () => {
    if (!pin) return queue.finish(true);
    const secret = pin.read();
    if (secret !== null) queue.finish(true, true, secret);
  });
  const hasCancel = typeof msg.cancel_label === "string" && msg.cancel_label !== "";
  const cancel = hasCancel ? button(clip(sheetText(msg.cancel_label, ours), MAX_BUTTON_CHARS), "secondary", () => queue.finish(false)) : null;
  // Further "yes" buttons the sheet offers (the subscribe sheet's "Always allow").
  const choices = !pin && Array.isArray(msg.choices)
    ? msg.choices.filter((c) => Array.isArray(c) && typeof c[0] === "string").slice(0, 3)
      .map(([value, label]) => button(clip(String(label), MAX_BUTTON_CHARS), "secondary", () => queue.finish(true, true, undefined, value)))
    : [];
  dialog.append(actions(cancel, ...choices, confirm));
  if (appId && payment) dialog.prepend(appHeader(app));
  if (pin) {
    // Enter in the PIN field pays, as in a wallet; the PIN field gets the focus.
    pin.box.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        confirm.click();
      }
    });
    return { dialog, focus: pin.first };
  }
  // A payment starts on Cancel, so a stray Enter never pays.
  return { dialog, focus: cancel || confirm };
}

/**
 * The PIN field(s) of a sheet: one to type the PIN, or two to choose a first
 * one. `read()` is the PIN, or null after saying what is wrong.
 */
function pinFields(msg) {
  const choose = msg.secret === "new-pin";
  const field = (label) => {
    const id = nextId("pin");
    const input = el("input", {
      type: "password", id, className: "pin-input", inputMode: "numeric", autocomplete: choose ? "new-password" : "current-password",
      maxLength: PIN_DIGITS, pattern: "[0-9]*",
    });
    return { input, box: el("div", { className: "field" }, el("label", { for: id, textContent: label }), input) };
  };
  const first = field(choose ? t("pin.choose", { digits: PIN_DIGITS }) : t("pin.label"));
  const second = choose ? field(t("pin.repeat")) : null;
  const error = el("p", { className: "dialog-error", role: "alert", textContent: msg.problem ? clip(hostText(msg, "problem", true), MAX_MESSAGE_CHARS) : "", hidden: !msg.problem });
  const note = choose ? el("p", { className: "dialog-detail", textContent: t("pin.none") }) : null;
  const box = el("div", { className: "pin-box" }, note, first.box, second && second.box, error);
  const read = () => {
    const pin = first.input.value;
    const fail = (text) => {
      error.textContent = text;
      error.hidden = false;
      first.input.focus();
      return null;
    };
    if (!new RegExp(`^[0-9]{${PIN_DIGITS}}$`).test(pin)) return fail(t("pin.digits", { digits: PIN_DIGITS }));
    if (second && second.input.value !== pin) return fail(t("pin.different"));
    return pin;
  };
  return { box, first: first.input, read };
}

const PICK_ACCEPT = { image: "image/*", video: "video/*", code: "image/*" };

function pickDialog(msg, app, queue) {
  const { appName } = app;
  const { dialog, title } = dialogShell("pick-dialog", appName);
  const max = Number.isInteger(msg.max_count) && msg.max_count > 0 ? msg.max_count : 1;
  const kind = typeof msg.pick === "string" ? msg.pick : "";
  const asks = kind === "code" ? t("pick.asks.code")
    : kind === "image" ? t("pick.asks.image", { count: max })
      : kind === "video" ? t("pick.asks.video", { count: max })
        : t("pick.asks.files", { count: max });
  const inputId = nextId("pick-files");
  const input = el("input", { type: "file", id: inputId, className: "file-input", accept: PICK_ACCEPT[kind] || "image/*,video/*", multiple: max > 1 });
  const error = el("p", { className: "dialog-error", role: "alert", hidden: true });
  const cancel = button(t("dialog.cancel"), "secondary", () => {
    if (!queue.current || !queue.current.busy) queue.finish(false);
  });
  const upload = button(t("pick.upload"), "primary", async () => {
    const files = Array.from(input.files || []);
    const fail = (text) => {
      error.textContent = text;
      error.hidden = false;
    };
    if (files.length === 0) return fail(t("pick.none"));
    if (files.length > max) return fail(t("pick.tooMany", { count: max }));
    const form = new FormData();
    for (const file of files) form.append("files", file, file.name);
    const current = queue.current;
    current.busy = true;
    upload.disabled = cancel.disabled = input.disabled = true;
    upload.textContent = t("pick.uploading");
    try {
      await api(`/api/prompts/${encodeURIComponent(msg.prompt)}/files`, { body: form });
      if (queue.current === current) queue.finish(undefined, false); // the files were the answer
    } catch (err) {
      current.busy = false;
      upload.disabled = cancel.disabled = input.disabled = false;
      upload.textContent = t("pick.upload");
      fail(t("pick.failed", { message: err.message }));
    }
  });
  dialog.append(
    appHeader(app),
    title,
    el("p", { className: "dialog-message", textContent: asks }),
    el("div", { className: "field" }, el("label", { for: inputId, textContent: t("pick.label") }), input),
    error,
    actions(cancel, upload),
  );
  return { dialog, focus: input };
}
