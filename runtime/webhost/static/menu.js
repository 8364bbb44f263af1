// The program menu (⋯ in every program's bar): About, Share, Add to
// favourites, Report, Close.
//
// About shows what the manifest of the running version says (developer,
// version, category, each permission with its reason, data practices) and
// "what it touched": this user's audit rows for the program, as a timeline.
// Everything in it comes from a manifest or the audit trail: text nodes only.

import { el, api, appIcon, formatTime, scopeInWords, locale, clip } from "./util.js";
import { dialogShell, actions, button, openDialog } from "./dialogs.js";
import { t } from "./i18n.js";

const REASONS = ["scam", "offensive", "privacy", "broken", "other"];
const MAX_DETAILS = 1000;
const TIMELINE_ROWS = 50;

/** A modal that resolves when it closes; `build(dialog, close)` fills it and returns the element to focus. */
function modal(className, heading, build) {
  return new Promise((resolve) => {
    const { dialog, title } = dialogShell(className, heading);
    dialog.append(title);
    const focus = build(dialog, () => dialog.close());
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve();
    });
    openDialog(dialog, focus);
  });
}

export class ProgramMenu {
  /**
   * @param {object} options
   *   home      the HomeShelf (favourites)
   *   toast(kind, message)
   */
  constructor({ home, toast }) {
    this.home = home;
    this.toast = toast;
  }

  /** Open the menu for `slot` ({appId, appName, hasIcon}); `closeProgram()` ends it. */
  open(slot, closeProgram) {
    const { appId, appName } = slot;
    if (!appId) return;
    const pinned = this.home.isFavourite(appId);
    return modal("menu-dialog", appName, (dialog, close) => {
      const item = (label, action) => button(label, "secondary menu-item", () => {
        close();
        action();
      });
      const first = item(t("menu.about"), () => this.about(slot));
      dialog.append(
        el(
          "div",
          { className: "menu-items", role: "group", "aria-label": t("menu.label", { name: appName }) },
          first,
          item(t("menu.share"), () => this.share(slot)),
          item(t(pinned ? "menu.unpin" : "menu.pin"), () => this.favourite(slot, !pinned)),
          item(t("menu.report"), () => this.report(slot)),
          item(t("menu.close"), closeProgram),
        ),
        actions(button(t("dialog.cancel"), "secondary", close)),
      );
      return first;
    });
  }

  async favourite(slot, pinned) {
    await this.home.setFavourite(slot.appId, pinned);
    if (this.home.isFavourite(slot.appId) === pinned) {
      this.toast("success", t(pinned ? "menu.pinned" : "menu.unpinned", { name: slot.appName }));
    }
  }

  async about(slot) {
    let info;
    try {
      info = await api(`/api/apps/${encodeURIComponent(slot.appId)}/about?${new URLSearchParams({ lang: locale() })}`);
    } catch (error) {
      this.toast("error", t("about.error", { message: error.message }));
      return;
    }
    await modal("about-dialog", t("about.title", { name: clip(String(info.name || slot.appName), 60) }), (dialog, close) => {
      const ok = button(t("dialog.close"), "primary", close);
      dialog.append(aboutBody(info), actions(ok));
      return ok;
    });
  }

  share(slot) {
    return modal("share-dialog", t("share.title", { name: clip(String(slot.appName), 60) }), (dialog, close) => {
      const address = `capsule://${slot.appId}/?scene=share`;
      const link = el("input", { type: "text", className: "share-link", value: address, readOnly: true, id: "share-link" });
      const copy = button(t("share.copy"), "secondary", async () => {
        try {
          await navigator.clipboard.writeText(address);
          this.toast("success", t("share.copied"));
        } catch {
          link.select(); // no clipboard permission: selected for the user to copy
        }
      });
      const ok = button(t("dialog.done"), "primary", close);
      dialog.append(
        el("img", { className: "share-qr", src: `/api/qr.svg?${new URLSearchParams({ text: address })}`, alt: t("share.qr", { name: slot.appName, address }), width: 240, height: 240 }),
        el("p", { className: "dialog-detail", textContent: t("share.hint") }),
        el("div", { className: "field" }, el("label", { for: "share-link", textContent: t("share.link") }), link),
        actions(copy, ok),
      );
      return ok;
    });
  }

  report(slot) {
    return modal("report-dialog", t("report.title", { name: clip(String(slot.appName), 60) }), (dialog, close) => {
      const name = `report-reason-${slot.key || 0}`;
      const choices = REASONS.map((value, index) => {
        const id = `${name}-${value}`;
        return el("div", { className: "choice" }, el("input", { type: "radio", name, id, value, checked: index === 0 }), el("label", { for: id, textContent: t(`report.reason.${value}`) }));
      });
      const details = el("textarea", { id: `${name}-details`, maxLength: MAX_DETAILS, rows: 4 });
      const problem = el("p", { className: "dialog-error", role: "alert" });
      const send = button(t("report.send"), "primary", async () => {
        const reason = dialog.querySelector(`input[name="${name}"]:checked`);
        send.disabled = true;
        try {
          await api(`/api/apps/${encodeURIComponent(slot.appId)}/report`, { body: { reason: reason ? reason.value : "other", details: details.value } });
        } catch (error) {
          problem.textContent = t("report.failed", { message: error.message });
          send.disabled = false;
          return;
        }
        close();
        this.toast("success", t("report.thanks"));
      });
      dialog.append(
        el("fieldset", { className: "report-reasons" }, el("legend", { textContent: t("report.question") }), ...choices),
        el("div", { className: "field" }, el("label", { for: details.id, textContent: t("report.details") }), details),
        el("p", { className: "dialog-detail", textContent: t("report.anonymous") }),
        problem,
        actions(button(t("dialog.cancel"), "secondary", close), send),
      );
      return choices[0].querySelector("input");
    });
  }
}

/** About's content: facts, permissions, data practices, and the timeline of what it touched. */
function aboutBody(info) {
  const facts = el("dl", { className: "facts" });
  const fact = (label, value) => {
    if (value === null || value === undefined || value === "") return;
    facts.append(el("dt", { textContent: label }), el("dd", { className: "selectable", textContent: String(value) }));
  };
  const developer = info.developer || {};
  fact(t("about.developer"), developer.name || t("about.notGiven"));
  fact(t("about.contact"), developer.email);
  fact(t("about.website"), developer.url);
  fact(t("about.version"), info.version);
  fact(t("about.category"), info.category);
  fact(t("about.id"), info.app_id);
  const body = el(
    "div",
    { className: "about-body" },
    el("div", { className: "about-head" }, appIcon(info.app_id, String(info.name || ""), Boolean(info.icon)), el("p", { className: "about-description", textContent: String(info.description || "") })),
    facts,
  );

  const permissions = Array.isArray(info.permissions) ? info.permissions : [];
  body.append(el("h3", { textContent: t("about.permissions") }));
  if (permissions.length === 0) body.append(el("p", { className: "muted", textContent: t("about.noPermissions") }));
  else {
    body.append(
      el(
        "ul",
        { className: "about-permissions" },
        ...permissions.map((p) => el("li", { dataset: { scope: String(p.scope) } }, el("strong", { textContent: scopeInWords(String(p.scope)) }), el("span", { textContent: ` (${p.scope})` }), el("p", { className: "about-reason", textContent: String(p.reason || "") }))),
      ),
    );
  }
  if (Array.isArray(info.network_hosts) && info.network_hosts.length) {
    body.append(el("p", { className: "about-hosts", textContent: t("about.hosts", { hosts: info.network_hosts.map(String).join(", ") }) }));
  }

  body.append(el("h3", { textContent: t("about.practices") }));
  const practices = info.data_practices;
  if (!practices) body.append(el("p", { className: "muted", textContent: t("about.noPractices") }));
  else {
    const list = el("dl", { className: "facts about-practices" });
    const row = (label, value) => list.append(el("dt", { textContent: label }), el("dd", { textContent: value }));
    const collects = Array.isArray(practices.collects) ? practices.collects.map(String) : [];
    row(t("about.collects"), collects.length ? collects.join(", ") : t("about.nothing"));
    row(t("about.shared"), t(practices.shared_with_third_parties ? "about.yes" : "about.no"));
    if (practices.retention_days !== null && practices.retention_days !== undefined) row(t("about.kept"), t("about.days", { count: Number(practices.retention_days) }));
    if (practices.privacy_policy_url) row(t("about.policy"), String(practices.privacy_policy_url));
    body.append(list);
  }

  body.append(el("h3", { textContent: t("about.touched") }));
  body.append(timeline(Array.isArray(info.touched) ? info.touched : []));
  return body;
}

/** The program's capability calls for this user, newest first, as a timeline. */
export function timeline(entries) {
  if (entries.length === 0) return el("p", { className: "muted", textContent: t("touched.none") });
  const shown = entries.slice(0, TIMELINE_ROWS);
  const list = el("ol", { className: "timeline", "aria-label": t("touched.label") });
  for (const entry of shown) {
    const what = `${scopeInWords(String(entry.scope || entry.capability))}: ${entry.capability}.${entry.function}`;
    list.append(
      el(
        "li",
        { className: `timeline-item decision-${String(entry.decision).replace(/[^a-z-]/g, "")}` },
        el("time", { className: "timeline-time", textContent: formatTime(entry.at) }),
        el("span", { className: "timeline-what", textContent: what }),
        el("span", { className: "timeline-decision", textContent: String(entry.decision) }),
      ),
    );
  }
  const more = entries.length - shown.length;
  return more > 0 ? el("div", {}, list, el("p", { className: "muted", textContent: t("touched.more", { count: more }) })) : list;
}
