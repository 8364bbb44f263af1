// Diagnostics for the developer: log.info("..."). Shown by `capsule run` and `capsule dev`.
import { call } from "./_bindings.js";

const write = (level, message) => call("log", "write", level, String(message));

/** Detail only useful while developing. */
export const debug = (message) => write("debug", message);
/** What the program did. */
export const info = (message) => write("info", message);
/** Something looks wrong; the program goes on. */
export const warn = (message) => write("warn", message);
/** Something failed. */
export const error = (message) => write("error", message);
