// The switcher: the programs open in this tab, each with its last view, to go
// back to one where the user left it.
//
// A program the user leaves stays alive in the background (the server hears
// `hide`, the program's `on_hide` runs); choosing it here shows the same
// session again (`show`), at the same view. The server ends the account's
// oldest background program beyond its bound, and its card says so.
//
// The preview is a copy of the program's rendered view, already made of text
// nodes: made inert and hidden from assistive technology (the card's button
// names the program and its page), with ids and label links removed so the
// page keeps unique ids.

import { el, appIcon, clip } from "./util.js";
import { dialogShell, actions, button, openDialog } from "./dialogs.js";
import { t } from "./i18n.js";

const LINKS = ["id", "for", "aria-labelledby", "aria-describedby", "aria-controls", "name"];

/** A copy of `root` that cannot be focused, clicked or read twice. */
export function preview(root) {
  const copy = root.cloneNode(true);
  for (const node of [copy, ...copy.querySelectorAll("*")]) for (const name of LINKS) node.removeAttribute(name);
  copy.hidden = false;
  return el("div", { className: "switcher-preview", "aria-hidden": "true", inert: true }, copy);
}

/**
 * Show the switcher for `slots` (oldest first); `choose(slot)` brings one to the front.
 * Each slot: {appId, appName, hasIcon, live, renderer: {root, view}}.
 */
export function openSwitcher(slots, visible, choose) {
  return new Promise((resolve) => {
    const { dialog, title } = dialogShell("switcher-dialog", t("switcher.title"));
    const list = el("ul", { className: "switcher-list" });
    let first = null;
    for (const slot of [...slots].reverse()) {
      const page = slot.renderer.view && typeof slot.renderer.view.title === "string" ? slot.renderer.view.title : "";
      const status = t(!slot.live ? "switcher.stopped" : slot === visible ? "switcher.showing" : "switcher.background");
      const pick = el(
        "button",
        { type: "button", className: "switcher-card" },
        appIcon(slot.appId, slot.appName, Boolean(slot.hasIcon)),
        el("span", { className: "switcher-text" }, el("span", { className: "switcher-name", textContent: clip(String(slot.appName), 60) }), el("span", { className: "switcher-status", textContent: ` ${page ? `${clip(page, 60)} · ` : ""}${status}` })),
      );
      const go = () => {
        dialog.close();
        choose(slot);
      };
      pick.addEventListener("click", go);
      const item = el("li", { className: "switcher-item" }, pick);
      if (slot.renderer.view) {
        const shot = preview(slot.renderer.root);
        shot.addEventListener("click", go);
        item.append(shot);
      }
      list.append(item);
      first = first || pick;
    }
    const close = button(t("dialog.close"), "secondary", () => dialog.close());
    dialog.append(title, slots.length ? list : el("p", { className: "muted", textContent: t("switcher.none") }), actions(close));
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve();
    });
    openDialog(dialog, first || close);
  });
}
