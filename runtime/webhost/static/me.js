// The "Me" page: the user's own data, as the host keeps it. Wallet, the
// payment PIN, permissions (with revoke), the audit trail per program, and
// uploads.
//
// The skeleton (headings, the "Program" filter) is in index.html so it is
// there at once; this module fills the sections each time the page opens.

import { LANGUAGES, currentLanguage, t } from "./i18n.js";
import { barChart } from "./charts.js";
import { el, api, formatMoney, formatNumber, formatTime, scopeInWords, safeImageUrl, nextId, parseMoney, currencyDigits, minorToDecimal } from "./util.js";

const STATES = { granted: "me.state.granted", denied: "me.state.denied", revoked: "me.state.revoked", "not-asked": "me.state.notAsked" };
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
    this.spending = document.getElementById("spending-body");
    this.pin = document.getElementById("pin-body");
    this.permissions = document.getElementById("permissions-body");
    this.activity = document.getElementById("activity-body");
    this.filter = document.getElementById("activity-app");
    this.uploads = document.getElementById("uploads-body");
    this.filter.addEventListener("change", () => this.loadActivity());
    document.getElementById("me-refresh").addEventListener("click", () => this.load());
  }

  /** The language switch: `choose(code)` stores it for the account and translates the shell. */
  setUpLanguage(choose) {
    const select = document.getElementById("language");
    select.replaceChildren(...LANGUAGES.map(([code, name]) => el("option", { value: code, textContent: name, lang: code })));
    select.value = currentLanguage();
    select.addEventListener("change", async () => {
      try {
        await choose(select.value);
      } catch (error) {
        this.toast("error", error.message);
        select.value = currentLanguage();
      }
    });
  }

  /** A program's name: from the permissions list, the entry itself, the open programs, or its id. */
  nameOf(appId, given) {
    return this.names.get(appId) || (typeof given === "string" && given) || (this.knownName && this.knownName(appId)) || appId;
  }

  /** Load every section; one failing does not keep the others away. */
  async load() {
    await this.loadPermissions(); // first: it names the programs for the others
    await Promise.all([this.loadWallet(), this.loadSpending(), this.loadPin(), this.loadActivity(), this.loadUploads()]);
  }

  async section(body, load) {
    body.setAttribute("aria-busy", "true");
    try {
      const content = await load();
      body.replaceChildren(...[content].flat());
    } catch (error) {
      body.replaceChildren(el("p", { className: "error-text", textContent: t("me.error.load", { message: error.message }) }));
    } finally {
      body.removeAttribute("aria-busy");
    }
  }

  // -- spending, as pictures ------------------------------------------------------------

  /** Spending by month and by program, per currency: SVG bar charts with their numbers as text. */
  loadSpending() {
    return this.section(this.spending, async () => {
      const data = await api(`/api/me/spending?${new URLSearchParams({ lang: currentLanguage() })}`);
      const currencies = Object.entries(data.currencies || {});
      if (currencies.length === 0) return el("p", { className: "muted", textContent: t("spending.none") });
      const months = new Intl.DateTimeFormat(currentLanguage(), { month: "short", year: "numeric", timeZone: "UTC" });
      const charts = [];
      for (const [currency, spent] of currencies) {
        const byMonth = (spent.by_month || []).map((row) => ({
          label: months.format(new Date(`${row.month}-01T00:00:00Z`)),
          value: Number(row.amount),
          text: formatMoney(Number(row.amount), currency),
        }));
        const byProgram = (spent.by_program || []).map((row) => ({
          label: this.nameOf(row.app_id, row.name),
          value: Number(row.amount),
          text: formatMoney(Number(row.amount), currency),
        }));
        charts.push(this.chart(t("spending.byMonth", { currency }), t("spending.month"), byMonth, currency));
        if (byProgram.length) charts.push(this.chart(t("spending.byProgram", { currency }), t("spending.program"), byProgram, currency));
      }
      return el("div", { className: "charts" }, ...charts);
    });
  }

  chart(title, heading, rows, currency) {
    const total = rows.reduce((sum, row) => sum + row.value, 0);
    const top = rows.reduce((best, row) => (!best || row.value > best.value ? row : best), null);
    const summary = top && top.value > 0 ? t("spending.summary", { total: formatMoney(total, currency), label: top.label, value: top.text }) : t("spending.nothing");
    return barChart({ title, summary, columns: [heading, t("spending.spent")], rows, tableLabel: t("spending.table") });
  }

  // -- wallet -------------------------------------------------------------------------

  loadWallet() {
    return this.section(this.wallet, async () => {
      const data = await api("/api/me/wallet");
      const balances = Object.entries(data.balances || {});
      const parts = [];
      if (balances.length === 0) parts.push(el("p", { className: "muted", textContent: t("me.wallet.empty") }));
      else {
        parts.push(
          el(
            "ul",
            { className: "balances", "aria-label": t("me.balances") },
            balances.map(([currency, amount]) =>
              el("li", { className: "balance" }, el("span", { className: "balance-currency", textContent: currency }), el("span", { className: "balance-amount", textContent: formatMoney(amount, currency) })),
            ),
          ),
        );
      }
      const lines = (data.statement || []).slice(0, MAX_ROWS);
      if (lines.length === 0) parts.push(el("p", { className: "muted", textContent: t("me.wallet.none") }));
      else {
        parts.push(
          table(t("me.statement"), [t("me.col.when"), t("me.col.what"), t("me.col.amount")], lines, [2], (line) => [
            formatTime(line.at),
            [line.memo || "", line.counterparty ? el("span", { className: "cell-sub", textContent: String(line.counterparty) }) : null],
            el("span", { className: line.amount < 0 ? "amount-out" : "amount-in", textContent: formatMoney(line.amount, line.currency) }),
          ]),
        );
      }
      return parts;
    });
  }

  // -- payment PIN ----------------------------------------------------------------------------

  loadPin() {
    return this.section(this.pin, async () => this.pinCard(await api("/api/me/pin")));
  }

  /** Set or change the PIN, and the amount below which no PIN is asked. The PIN never comes back. */
  pinCard(status) {
    const card = el("div", { className: "card pin-card" });
    const locked = Number.isFinite(status.locked_until) && status.locked_until > Date.now();
    card.append(
      el("p", { className: "pin-state", textContent: t(status.set ? "me.pin.set" : "me.pin.none") }),
    );
    if (locked) card.append(el("p", { className: "pin-locked", role: "status", textContent: t("me.pin.locked", { until: formatTime(status.locked_until) }) }));
    const field = (label, autocomplete) => {
      const id = nextId("me-pin");
      const input = el("input", { type: "password", id, inputMode: "numeric", autocomplete, maxLength: 6, pattern: "[0-9]*", className: "pin-input" });
      return { input, box: el("div", { className: "field" }, el("label", { for: id, textContent: label }), input) };
    };
    const old = status.set ? field(t("me.pin.current"), "current-password") : null;
    const pin = field(t(status.set ? "me.pin.new" : "me.pin.first"), "new-password");
    const again = field(t("me.pin.repeat"), "new-password");
    const save = el("button", { type: "submit", className: "btn btn-primary btn-small", textContent: t(status.set ? "me.pin.change" : "me.pin.setButton") });
    const form = el("form", { className: "pin-form", "aria-label": t(status.set ? "me.pin.changeForm" : "me.pin.setForm") }, old && old.box, pin.box, again.box, save);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!/^[0-9]{6}$/.test(pin.input.value)) return this.toast("error", t("me.pin.digits"));
      if (pin.input.value !== again.input.value) return this.toast("error", t("me.pin.mismatch"));
      const body = { pin: pin.input.value };
      if (old) body.old_pin = old.input.value;
      await this.pinChange("/api/me/pin/set", body, t(status.set ? "me.pin.changed" : "me.pin.done"));
    });
    card.append(form);
    if (status.set) card.append(this.noPinForm(status));
    return card;
  }

  noPinForm(status) {
    const below = status.no_pin_below || {};
    const current = Object.entries(below).map(([currency, amount]) => t("me.pin.belowAmount", { amount: formatMoney(amount, currency) }));
    const currencyId = nextId("no-pin-currency");
    const amountId = nextId("no-pin-amount");
    const pinId = nextId("no-pin-pin");
    const currency = el("input", { id: currencyId, value: Object.keys(below)[0] || "CNY", maxLength: 3, autocomplete: "off" });
    const amount = el("input", { id: amountId, inputMode: "decimal", autocomplete: "off", placeholder: t("me.pin.zeroAlways") });
    const firstCurrency = Object.keys(below)[0];
    if (firstCurrency) amount.value = minorToDecimal(below[firstCurrency], firstCurrency);
    const pin = el("input", { type: "password", id: pinId, inputMode: "numeric", autocomplete: "current-password", maxLength: 6, className: "pin-input" });
    const save = el("button", { type: "submit", className: "btn btn-secondary btn-small", textContent: t("me.pin.saveAmount") });
    const form = el(
      "form",
      { className: "pin-form", "aria-label": t("me.pin.belowForm") },
      el("p", { className: "muted", textContent: current.length ? t("me.pin.belowNow", { amounts: current.join(", ") }) : t("me.pin.always") }),
      el(
        "div",
        { className: "field-row" },
        el("div", { className: "field" }, el("label", { for: amountId, textContent: t("me.pin.below") }), amount),
        el("div", { className: "field" }, el("label", { for: currencyId, textContent: t("me.pin.currency") }), currency),
      ),
      el("div", { className: "field" }, el("label", { for: pinId, textContent: t("me.pin.confirm") }), pin),
      save,
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const code = currency.value.trim().toUpperCase();
      if (!/^[A-Z]{3}$/.test(code)) return this.toast("error", t("me.pin.badCurrency"));
      const minor = amount.value.trim() === "" ? 0 : parseMoney(amount.value, code);
      if (minor === null) return this.toast("error", t("me.pin.badAmount", { example: currencyDigits(code) ? "50.00" : "50" }));
      const done = minor ? t("me.pin.belowDone", { amount: formatMoney(minor, code) }) : t("me.pin.alwaysDone");
      await this.pinChange("/api/me/pin/no-pin-below", { currency: code, amount: minor, pin: pin.value }, done);
    });
    return form;
  }

  async pinChange(path, body, done) {
    try {
      await api(path, { body });
      this.toast("success", done);
    } catch (error) {
      this.toast("error", error.message);
    }
    await this.loadPin();
    document.getElementById("pin-title").focus();
  }

  // -- permissions ------------------------------------------------------------------------

  loadPermissions() {
    return this.section(this.permissions, async () => {
      const data = await api("/api/me/permissions");
      const apps = data.apps || [];
      for (const app of apps) this.names.set(app.app_id, app.name || app.app_id);
      this.fillFilter();
      if (apps.length === 0) return el("p", { className: "muted", textContent: t("me.permissions.none") });
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
        el("span", { className: `badge state-${String(grant.state).replace(/[^a-z-]/g, "")}`, textContent: STATES[grant.state] ? t(STATES[grant.state]) : String(grant.state) }),
      );
      if (grant.state === "granted") {
        const revoke = el("button", { type: "button", className: "btn btn-danger btn-small", textContent: t("me.revoke"), "aria-label": t("me.revoke.label", { scope: grant.scope, name }) });
        revoke.addEventListener("click", () => this.change("revoke", app.app_id, grant.scope, name));
        row.append(revoke);
      } else if (grant.state === "denied" || grant.state === "revoked") {
        // Forget the "no": the program's next call asks again.
        const reset = el("button", { type: "button", className: "btn btn-secondary btn-small", textContent: t("me.askAgain"), "aria-label": t("me.askAgain.label", { scope: grant.scope, name }) });
        reset.addEventListener("click", () => this.change("reset", app.app_id, grant.scope, name));
        row.append(reset);
      }
      list.append(row);
    }
    if (grants.length === 0) list.append(el("li", { className: "muted", textContent: t("me.permissions.nothing") }));
    return el("div", { className: "card perm-app" }, el("h3", { className: "card-title", textContent: name }), list);
  }

  /** Revoke a grant, or reset a decision so the program asks again. */
  async change(action, appId, scope, name) {
    const done = t(action === "revoke" ? "me.revoked" : "me.willAsk", { scope: scopeInWords(scope), name });
    try {
      await api(`/api/me/permissions/${action}`, { body: { app_id: appId, scope } });
      this.toast("success", done);
    } catch (error) {
      this.toast("error", t("me.error.change", { message: error.message }));
    }
    await this.loadPermissions();
    // The button is gone; keep the keyboard user in the section.
    document.getElementById("permissions-title").focus();
  }

  // -- activity -------------------------------------------------------------------------------

  fillFilter(extra = []) {
    const chosen = this.filter.value;
    const ids = new Set([...this.names.keys(), ...extra]);
    const options = [el("option", { value: "", textContent: t("me.activity.all") })];
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
      if (entries.length === 0) return el("p", { className: "muted", textContent: t("me.activity.none") });
      return table(t("me.calls"), [t("me.col.when"), t("me.activity.program"), t("me.col.call"), t("me.col.decision"), t("me.col.dataOut")], entries, [2, 3, 4], (entry) => [
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
      if (items.length === 0) return el("p", { className: "muted", textContent: t("me.uploads.none") });
      return el("ul", { className: "uploads" }, items.slice(0, MAX_ROWS).map((item) => this.upload(item)));
    });
  }

  upload(item) {
    const url = safeImageUrl(item.url, null); // only /media/... is accepted
    const description = t("me.uploads.from", { name: this.nameOf(item.app_id, item.app_name), at: formatTime(item.at) });
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

/** A table whose `nowrap` columns (indexes) never wrap: call names, amounts, decisions. */
function table(caption, headings, rows, nowrap, cells) {
  const head = el("tr", {}, headings.map((text) => el("th", { scope: "col", textContent: text })));
  const body = el("tbody", {}, rows.map((row) => el("tr", {}, cells(row).map((cell, i) => el("td", { className: nowrap.includes(i) ? "nowrap" : undefined }, cell)))));
  // A table wider than a phone scrolls sideways: the region takes focus so the keyboard can scroll it too.
  return el("div", { className: "table-wrap", tabindex: "0", role: "region", "aria-label": caption }, el("table", {}, el("caption", { textContent: caption }), el("thead", {}, head), body));
}

/** A size in the shell's language ("1,5 kB" in German, "1.5 kB" in English). */
function bytes(count) {
  if (typeof count !== "number" || !Number.isFinite(count)) return "";
  if (count < 1024) return formatNumber(count, { style: "unit", unit: "byte", unitDisplay: "short" });
  const [value, unit] = count < 1024 * 1024 ? [count / 1024, "kilobyte"] : [count / 1024 / 1024, "megabyte"];
  return formatNumber(value, { style: "unit", unit, unitDisplay: "short", maximumFractionDigits: 1 });
}
