// The Capsule guest SDK for JavaScript programs.
//
//     const { App, view: v, storage, NotDeclared } = require("capsule");
//
// Capabilities are modules: storage, payments, profile, location, media, qr,
// network, messages, ui, log (also `require("capsule/storage")`, ...). A call returns
// plain frozen objects; a failed call throws a CapabilityError subclass.
import * as location from "./location.js";
import * as log from "./log.js";
import * as media from "./media.js";
import * as messages from "./messages.js";
import * as network from "./network.js";
import * as payments from "./payments.js";
import * as profile from "./profile.js";
import * as qr from "./qr.js";
import * as storage from "./storage.js";
import * as ui from "./ui.js";
import * as view from "./view.js";
import { App } from "./app.js";
import * as errors from "./errors.js";

/** Each capability's module, by the name a program requires it under (`capsule/<name>`). */
export const modules = Object.freeze({ location, log, media, messages, network, payments, profile, qr, storage, ui, view });

/** What `require("capsule")` returns. */
export const sdk = Object.freeze({
  App,
  ...errors,
  ...modules,
});
