// The "Me" page: the user's own data, as the host keeps it. Wallet,
// permissions (with revoke), the audit trail per program, and uploads.
//
// The skeleton (headings, the "Program" filter) is in index.html so it is
// there at once; this module fills the sections each time the page opens.

import { el, api, formatMoney, formatTime, scopeInWords, safeImageUrl } from "./util.js";

const STATES = { granted: "Allowed", denied: "Not allowed", revoked: "Revoked", "not-asked": "Not asked yet" };
const MAX_ROWS = 300;

export class MePage {
  /**
   * @param {object} options
   *   toast(kind, message)
   *   appName(appId)   a name the shell already knows, or null
   */
  constructor({ toast, appName }) {
    this.toast = toast;
    this.knownName = appName;
    this.names = new Map(); // app_id -> name, from the permissions list
    this.wallet = document.getElementById("wallet-body");
    this.permissions = document.getElementById("permissions-body");
    this.activity = document.getElementById("activity-body");
    this.filter = document.getElementById("activity-app");
    this.uploads = document.getElementById("uploads-body");
    this.filter.addEventListener("change", () => this.loadActivity());
    document.getElementById("me-refresh").addEventListener("click", () => this.load());
  }

  /** A program's name: from the permissions list, the entry itself, the open programs, or its id. */
  nameOf(appId, given) {
    return this.names.get(appId) || (typeof given === "string" && given) || (this.knownName && this.knownName(appId)) || appId;
  }

  /** Load every section; one failing does not keep the others away. */
  async load() {
    await this.loadPermissions(); // first: it names the programs for the others
    await Promise.all([this.loadWallet(), this.loadActivity(), this.loadUploads()]);
  }

  async section(body, load) {
    body.setAttribute("aria-busy", "true");
    try {
      const content = await load();
      body.replaceChildren(...[content].flat());
    } catch (error) {
      body.replaceChildren(el("p", { className: "error-text", textContent: `Could not load this: ${error.message}` }));
    } finally {
      body.removeAttribute("aria-busy");
    }
  }

  // -- wallet -------------------------------------------------------------------------

  loadWallet() {
    return this.section(this.wallet, async () => {
      const data = await api("/api/me/wallet");
      const balances = Object.entries(data.balances || {});
      const parts = [];
      if (balances.length === 0) parts.push(el("p", { className: "muted", textContent: "Your wallet is empty." }));
      else {
        parts.push(
          el(
            "ul",
            { className: "balances", "aria-label": "Balances" },
            balances.map(([currency, amount]) =>
              el("li", { className: "balance" }, el("span", { className: "balance-currency", textContent: currency }), el("span", { className: "balance-amount", textContent: formatMoney(amount, currency) })),
            ),
          ),
        );
      }
      const lines = (data.statement || []).slice(0, MAX_ROWS);
      if (lines.length === 0) parts.push(el("p", { className: "muted", textContent: "No payments yet." }));
      else {
        parts.push(
          table("Statement", ["When", "What", "Amount"], lines, (line) => [
            formatTime(line.at),
            [line.memo || "", line.counterparty ? el("span", { className: "cell-sub", textContent: String(line.counterparty) }) : null],
            el("span", { className: line.amount < 0 ? "amount-out" : "amount-in", textContent: formatMoney(line.amount, line.currency) }),
          ]),
        );
      }
      return parts;
    });
  }

  // -- permissions ------------------------------------------------------------------------

  loadPermissions() {
    return this.section(this.permissions, async () => {
      const data = await api("/api/me/permissions");
      const apps = data.apps || [];
      for (const app of apps) this.names.set(app.app_id, app.name || app.app_id);
      this.fillFilter();
      if (apps.length === 0) return el("p", { className: "muted", textContent: "No program has asked for anything yet." });
      return apps.map((app) => this.permissionCard(app));
    });
  }

  permissionCard(app) {
    const name = app.name || app.app_id;
    const grants = app.grants || [];
    const list = el("ul", { className: "grants" });
    for (const grant of grants) {
      const row = el(
        "li",
        { className: "grant" },
        el(
          "div",
          { className: "grant-text" },
          el("span", { className: "grant-scope", textContent: scopeInWords(grant.scope) }),
          el("span", { className: "cell-sub", textContent: `${grant.scope}${grant.decided_at ? ` · ${formatTime(grant.decided_at)}` : ""}` }),
          grant.reason ? el("span", { className: "grant-reason", textContent: grant.reason }) : null,
        ),
        el("span", { className: `badge state-${String(grant.state).replace(/[^a-z-]/g, "")}`, textContent: STATES[grant.state] || String(grant.state) }),
      );
      if (grant.state === "granted") {
        const revoke = el("button", { type: "button", className: "btn btn-danger btn-small", textContent: "Revoke", "aria-label": `Revoke ${grant.scope} for ${name}` });
        revoke.addEventListener("click", () => this.change("revoke", app.app_id, grant.scope, name));
        row.append(revoke);
      } else if (grant.state === "denied" || grant.state === "revoked") {
        // Forget the "no": the program's next call asks again.
        const reset = el("button", { type: "button", className: "btn btn-secondary btn-small", textContent: "Ask again", "aria-label": `Ask again for ${grant.scope} for ${name}` });
        reset.addEventListener("click", () => this.change("reset", app.app_id, grant.scope, name));
        row.append(reset);
      }
      list.append(row);
    }
    if (grants.length === 0) list.append(el("li", { className: "muted", textContent: "Nothing granted." }));
    return el("div", { className: "card perm-app" }, el("h3", { className: "card-title", textContent: name }), list);
  }

  /** Revoke a grant, or reset a decision so the program asks again. */
  async change(action, appId, scope, name) {
    const done = action === "revoke" ? `Revoked ${scopeInWords(scope)} for ${name}.` : `${name} will ask again for ${scopeInWords(scope)}.`;
    try {
      await api(`/api/me/permissions/${action}`, { body: { app_id: appId, scope } });
      this.toast("success", done);
    } catch (error) {
      this.toast("error", `Could not change it: ${error.message}`);
    }
    await this.loadPermissions();
    // The button is gone; keep the keyboard user in the section.
    document.getElementById("permissions-title").focus();
  }

  // -- activity -------------------------------------------------------------------------------

  fillFilter(extra = []) {
    const chosen = this.filter.value;
    const ids = new Set([...this.names.keys(), ...extra]);
    const options = [el("option", { value: "", textContent: "All programs" })];
    for (const id of [...ids].sort((a, b) => this.nameOf(a).localeCompare(this.nameOf(b)))) {
      options.push(el("option", { value: id, textContent: this.nameOf(id) }));
    }
    this.filter.replaceChildren(...options);
    this.filter.value = ids.has(chosen) ? chosen : "";
  }

  loadActivity() {
    return this.section(this.activity, async () => {
      const appId = this.filter.value;
      const data = await api(`/api/me/audit${appId ? `?app_id=${encodeURIComponent(appId)}` : ""}`);
      const entries = (data.entries || []).slice(0, MAX_ROWS);
      if (!appId) this.fillFilter(entries.map((entry) => entry.app_id));
      if (entries.length === 0) return el("p", { className: "muted", textContent: "No activity recorded." });
      return table("Capability calls", ["When", "Program", "Call", "Decision", "Data out"], entries, (entry) => [
        formatTime(entry.at),
        this.nameOf(entry.app_id, entry.app_name),
        [`${entry.capability}.${entry.function}`, entry.scope ? el("span", { className: "cell-sub", textContent: String(entry.scope) }) : null],
        el("span", { className: entry.decision === "ok" ? "decision-ok" : "decision-other", textContent: String(entry.decision) }),
        bytes(entry.bytes_out),
      ]);
    });
  }

  // -- uploads ----------------------------------------------------------------------------------

  loadUploads() {
    return this.section(this.uploads, async () => {
      const items = (await api("/api/me/media")).items || [];
      if (items.length === 0) return el("p", { className: "muted", textContent: "You have not uploaded anything." });
      return el("ul", { className: "uploads" }, items.slice(0, MAX_ROWS).map((item) => this.upload(item)));
    });
  }

  upload(item) {
    const url = safeImageUrl(item.url, null); // only /media/... is accepted
    const description = `From ${this.nameOf(item.app_id, item.app_name)}, ${formatTime(item.at)}`;
    const mime = String(item.mime || "");
    let preview;
    if (url && mime.startsWith("image/")) preview = el("img", { className: "upload-thumb", alt: description, src: url, loading: "lazy" });
    else if (url && mime.startsWith("video/")) {
      preview = el("video", { className: "upload-thumb", controls: true, preload: "metadata", src: url });
      preview.setAttribute("aria-label", description);
    } else preview = el("span", { className: "upload-thumb upload-file", textContent: mime || "file" });
    return el("li", { className: "upload" }, preview, el("span", { className: "cell-sub", textContent: `${description} · ${bytes(item.size)}` }));
  }
}

function table(caption, headings, rows, cells) {
  const head = el("tr", {}, headings.map((text) => el("th", { scope: "col", textContent: text })));
  const body = el("tbody", {}, rows.map((row) => el("tr", {}, cells(row).map((cell) => el("td", {}, cell)))));
  return el("div", { className: "table-wrap" }, el("table", {}, el("caption", { textContent: caption }), el("thead", {}, head), body));
}

function bytes(count) {
  if (typeof count !== "number" || !Number.isFinite(count)) return "";
  if (count < 1024) return `${count} B`;
  if (count < 1024 * 1024) return `${(count / 1024).toFixed(1)} KB`;
  return `${(count / 1024 / 1024).toFixed(1)} MB`;
}
