// Home's shelf: the account's favourites (pinned and ordered by the user)
// and its recent programs (newest first), above Discover.
//
// Both are kept by the server (/api/home), per account, so they are the same
// on every device the person signs in from. Names and descriptions come from
// manifests: text nodes only.

import { el, api, appIcon, locale } from "./util.js";
import { t } from "./i18n.js";

export class HomeShelf {
  /**
   * @param {object} options
   *   launch(appId, name, hasIcon)   open a program
   *   toast(kind, message)
   */
  constructor({ launch, toast }) {
    this.launch = launch;
    this.toast = toast;
    this.favourites = []; // cards, in the user's order
    this.recents = []; // cards, newest first
    this.favouritesList = document.getElementById("favourites");
    this.recentsList = document.getElementById("recents");
    this.favouritesEmpty = document.getElementById("favourites-empty");
    this.recentsEmpty = document.getElementById("recents-empty");
    this.loaded = false;
  }

  async load() {
    try {
      this.show(await api(`/api/home?${new URLSearchParams({ lang: locale() })}`));
    } catch (error) {
      this.toast("error", t("home.error.load", { message: error.message }));
    }
  }

  isFavourite(appId) {
    return this.favourites.some((card) => card.app_id === appId);
  }

  /** Pin or unpin a program; the server answers with the whole shelf. */
  async setFavourite(appId, pinned) {
    await this.change(pinned ? "pin" : "unpin", { app_id: appId });
  }

  async change(action, body) {
    try {
      this.show(await api(`/api/home/favourites/${action}`, { body: { ...body, lang: locale() } }));
      return true;
    } catch (error) {
      this.toast("error", t("home.error.change", { message: error.message }));
      if (action === "order") this.load(); // another device moved them: show what is stored
      return false;
    }
  }

  show(data) {
    this.loaded = true;
    this.favourites = Array.isArray(data.favourites) ? data.favourites : [];
    this.recents = Array.isArray(data.recents) ? data.recents : [];
    this.favouritesList.replaceChildren(...this.favourites.map((card, index) => this.favouriteRow(card, index)));
    this.recentsList.replaceChildren(...this.recents.map((card) => this.tile(card)));
    this.favouritesEmpty.hidden = this.favourites.length > 0;
    this.recentsEmpty.hidden = this.recents.length > 0;
    document.body.dataset.home = String((document.body.dataset.home | 0) + 1); // tests wait on it
  }

  /** A program's button: icon and name (its accessible name starts with the name). */
  tile(card) {
    const name = String(card.name || card.app_id);
    const button = el("button", { type: "button", className: "tile" }, appIcon(card.app_id, name, Boolean(card.icon)), el("span", { className: "tile-name", textContent: name }));
    button.addEventListener("click", () => this.launch(String(card.app_id), name, Boolean(card.icon)));
    const li = el("li", { className: "shelf-item" }, button);
    li.dataset.app = String(card.app_id);
    return li;
  }

  favouriteRow(card, index) {
    const li = this.tile(card);
    const name = String(card.name || card.app_id);
    const move = (delta) => {
      const order = this.favourites.map((c) => String(c.app_id));
      const [moved] = order.splice(index, 1);
      order.splice(index + delta, 0, moved);
      this.change("order", { order });
    };
    const tools = el("span", { className: "shelf-tools" });
    if (index > 0) tools.append(this.tool("↑", t("home.moveEarlier", { name }), () => move(-1)));
    if (index < this.favourites.length - 1) tools.append(this.tool("↓", t("home.moveLater", { name }), () => move(1)));
    tools.append(this.tool("×", t("home.unpin", { name }), () => this.setFavourite(String(card.app_id), false)));
    li.append(tools);
    return li;
  }

  tool(symbol, label, action) {
    const button = el("button", { type: "button", className: "icon-button shelf-tool", "aria-label": label, title: label }, el("span", { "aria-hidden": "true", textContent: symbol }));
    button.addEventListener("click", action);
    return button;
  }
}
