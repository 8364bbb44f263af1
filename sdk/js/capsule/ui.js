// Toasts, modals and waits (the view itself is rendered by App).
import { call } from "./_bindings.js";
import { oneOf, text, u64 } from "./_checks.js";

export const TOAST_KINDS = Object.freeze(["info", "success", "warning", "error"]);

/** A short, non-blocking message (1 to 200 characters); kind is info, success, warning or error. */
export function toast(message, kind = "info") {
  call("ui", "toast", text(message, "message"), oneOf(kind, TOAST_KINDS, "kind"));
}

/** Ask the user in the host's dialog; true when they choose `confirm`. */
export function modal(title, message, { confirm = "OK", cancel = "Cancel" } = {}) {
  return Boolean(call("ui", "modal", text(title, "title"), text(message, "message"), text(confirm, "confirm"),
    cancel === null ? undefined : text(cancel, "cancel")));
}

/** Wait `milliseconds` in the host (counts against the turn's wall clock, not its CPU time). */
export function sleep(milliseconds) {
  call("ui", "sleep", u64(milliseconds, "milliseconds"));
}
