// Messages to the user, each with their consent.
//
//     const { messages } = require("capsule");
//     messages.subscribe(["order-ready"]);       // {"order-ready": "once"}
//     messages.follow();                         // true when the user follows the program
//     messages.openChat();                       // the host shows the customer-service chat
//     messages.share("Split the bill", "join", { bill: "b42" });   // true when sent to a contact
//
// Templates, following, chat and sharing are declared in the manifest's
// `messages` section; the program's merchant server sends the messages.
import { call } from "./_bindings.js";
import { InvalidArgument } from "./errors.js";
import { text } from "./_checks.js";

/** Show the host's subscribe sheet for these declared templates; the user's choice per template. */
export function subscribe(templateIds) {
  if (!Array.isArray(templateIds) || !templateIds.every((t) => typeof t === "string")) {
    throw new InvalidArgument("templateIds must be an array of template ids (strings)");
  }
  const answers = call("messages", "subscribe", [...templateIds]);
  return Object.freeze(Object.fromEntries(answers.map((a) => [a.templateId, a.choice])));
}

/** Ask the user to follow this program (service updates, at most two a week). */
export const follow = () => Boolean(call("messages", "follow"));

/** Open this program's customer-service chat in the host's messages screen. */
export const openChat = () => { call("messages", "openChat"); };

/** The user picks a contact, who receives a card titled `title` opening `page` with `params`. */
export function share(title, page, params = {}) {
  const pairs = Object.entries(params).sort().map(([k, v]) => [String(k), String(v)]);
  return Boolean(call("messages", "share", text(title, "title"), text(page, "page"), pairs));
}
