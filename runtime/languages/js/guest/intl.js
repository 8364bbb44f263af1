// Intl for English and Simplified Chinese.
//
// StarlingMonkey builds SpiderMonkey without ICU, so the engine has no Intl.
// Programs expect one, so the runtime brings a small one of its own: number,
// currency and percent formats, dates and times, plural rules and a collator,
// for `en` (en-US conventions) and `zh-CN`; any other locale falls back to en.
// Time zones: UTC and fixed-offset zones (Asia/Shanghai and friends).

const LOCALES = ["en-US", "zh-CN"];
const ZONES = { "UTC": 0, "Etc/UTC": 0, "GMT": 0, "Asia/Shanghai": 480, "Asia/Hong_Kong": 480, "Asia/Taipei": 480,
  "Asia/Singapore": 480, "Asia/Tokyo": 540, "Asia/Kolkata": 330 };
const CURRENCY = { en: { USD: "$", EUR: "€", GBP: "£", CNY: "CN¥", JPY: "¥", HKD: "HK$" },
  zh: { USD: "US$", EUR: "€", GBP: "£", CNY: "¥", JPY: "JP¥", HKD: "HK$" } };
const DIGITS = { JPY: 0, KRW: 0 };
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const ZH_DAYS = ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"];

function pick(locales) {
  const list = locales === undefined ? [] : Array.isArray(locales) ? locales : [locales];
  for (const tag of list) {
    const lower = String(tag).toLowerCase();
    if (lower.startsWith("zh")) return "zh-CN";
    if (lower.startsWith("en")) return "en-US";
  }
  return "en-US";
}

function group(integer) {
  return integer.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

class NumberFormat {
  constructor(locales, options = {}) {
    const style = options.style || "decimal";
    const currency = options.currency ? String(options.currency).toUpperCase() : undefined;
    if (style === "currency" && !currency) throw new TypeError("Currency code is required with currency style.");
    const digits = style === "currency" ? (DIGITS[currency] ?? 2) : 0;
    const min = options.minimumFractionDigits ?? digits;
    const max = Math.max(min, options.maximumFractionDigits ?? (style === "currency" ? digits : style === "percent" ? 0 : Math.max(min, 3)));
    this._o = { locale: pick(locales), numberingSystem: "latn", style, currency, minimumFractionDigits: min,
      maximumFractionDigits: max, useGrouping: options.useGrouping !== false, currencyDisplay: options.currencyDisplay || "symbol" };
  }
  format(value) {
    const o = this._o;
    let n = Number(value);
    if (Number.isNaN(n)) return "NaN";
    if (o.style === "percent") n *= 100;
    const negative = n < 0 || Object.is(n, -0);
    let [integer, fraction = ""] = Math.abs(n).toFixed(o.maximumFractionDigits).split(".");
    while (fraction.length > o.minimumFractionDigits && fraction.endsWith("0")) fraction = fraction.slice(0, -1);
    let body = (o.useGrouping ? group(integer) : integer) + (fraction ? `.${fraction}` : "");
    if (!Number.isFinite(n)) body = "∞";
    if (o.style === "percent") body += "%";
    if (o.style === "currency") {
      const table = CURRENCY[o.locale.slice(0, 2)];
      const symbol = o.currencyDisplay === "code" ? `${o.currency}\u00a0` : (table[o.currency] || `${o.currency}\u00a0`);
      body = symbol + body;
    }
    return negative && Number(value) !== 0 ? `-${body}` : body;
  }
  formatToParts(value) { return [{ type: "literal", value: this.format(value) }]; }
  resolvedOptions() { return { ...this._o }; }
  static supportedLocalesOf(locales) { return (Array.isArray(locales) ? locales : [locales]).filter((l) => /^(en|zh)/i.test(String(l))); }
}

function parts(date, zone) {
  const offset = ZONES[zone];
  if (offset === undefined) throw new RangeError(`Invalid time zone specified: ${zone} (this runtime knows ${Object.keys(ZONES).join(", ")})`);
  const d = new Date(date.getTime() + offset * 60000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth(), day: d.getUTCDate(), weekday: d.getUTCDay(),
    hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
}

const pad = (n) => String(n).padStart(2, "0");

class DateTimeFormat {
  constructor(locales, options = {}) {
    const o = { ...options };
    const any = ["weekday", "year", "month", "day", "hour", "minute", "second", "dateStyle", "timeStyle"].some((k) => o[k] !== undefined);
    if (!any) Object.assign(o, { year: "numeric", month: "numeric", day: "numeric" });
    this._o = { locale: pick(locales), calendar: "gregory", numberingSystem: "latn", timeZone: o.timeZone || "UTC", ...o };
    parts(new Date(0), this._o.timeZone);
  }
  format(value) {
    const o = this._o;
    const date = value === undefined ? new Date() : new Date(value);
    if (Number.isNaN(date.getTime())) throw new RangeError("Invalid time value");
    const p = parts(date, o.timeZone);
    const zh = o.locale === "zh-CN";
    const dateStyle = o.dateStyle, timeStyle = o.timeStyle;
    const out = [];
    const wantDate = dateStyle || o.year || o.month || o.day || o.weekday;
    const wantTime = timeStyle || o.hour || o.minute || o.second;
    if (wantDate) {
      const long = dateStyle === "full" || dateStyle === "long" || o.month === "long";
      const weekday = dateStyle === "full" || o.weekday;
      if (zh) {
        let s = long || dateStyle === "medium" ? `${p.year}年${p.month + 1}月${p.day}日` : `${p.year}/${p.month + 1}/${p.day}`;
        if (dateStyle === "short") s = `${p.year}/${p.month + 1}/${p.day}`;
        if (weekday) s += ZH_DAYS[p.weekday];
        out.push(s);
      } else {
        let s;
        if (long) s = `${MONTHS[p.month]} ${p.day}, ${p.year}`;
        else if (dateStyle === "medium" || o.month === "short") s = `${MONTHS[p.month].slice(0, 3)} ${p.day}, ${p.year}`;
        else if (dateStyle === "short") s = `${p.month + 1}/${p.day}/${String(p.year).slice(-2)}`;
        else s = `${p.month + 1}/${p.day}/${p.year}`;
        if (weekday) s = `${DAYS[p.weekday]}, ${s}`;
        out.push(s);
      }
    }
    if (wantTime) {
      const seconds = timeStyle ? timeStyle !== "short" : o.second !== undefined;
      const h12 = o.hour12 ?? !zh;
      const hour = h12 ? ((p.hour + 11) % 12) + 1 : pad(p.hour);
      let s = `${hour}:${pad(p.minute)}${seconds ? `:${pad(p.second)}` : ""}`;
      if (h12) s = zh ? `${p.hour < 12 ? "上午" : "下午"}${s}` : `${s} ${p.hour < 12 ? "AM" : "PM"}`;
      out.push(s);
    }
    return out.join(zh ? " " : ", ");
  }
  formatToParts(value) { return [{ type: "literal", value: this.format(value) }]; }
  resolvedOptions() { return { ...this._o }; }
  static supportedLocalesOf(locales) { return NumberFormat.supportedLocalesOf(locales); }
}

class PluralRules {
  constructor(locales, options = {}) { this._o = { locale: pick(locales), type: options.type || "cardinal" }; }
  select(n) {
    if (this._o.locale === "zh-CN") return "other";
    if (this._o.type === "ordinal") {
      const ten = n % 10, hundred = n % 100;
      if (ten === 1 && hundred !== 11) return "one";
      if (ten === 2 && hundred !== 12) return "two";
      if (ten === 3 && hundred !== 13) return "few";
      return "other";
    }
    return n === 1 ? "one" : "other";
  }
  resolvedOptions() { return { ...this._o }; }
}

class Collator {
  constructor(locales, options = {}) { this._o = { locale: pick(locales), sensitivity: options.sensitivity || "variant" }; }
  compare = (a, b) => {
    let x = String(a), y = String(b);
    if (this._o.sensitivity === "base" || this._o.sensitivity === "accent") { x = x.toLowerCase(); y = y.toLowerCase(); }
    const fx = x.toLowerCase(), fy = y.toLowerCase();
    if (fx !== fy) return fx < fy ? -1 : 1;
    return x === y ? 0 : x < y ? 1 : -1; // lower case first, as en does
  };
  resolvedOptions() { return { ...this._o }; }
}

export function installIntl(global) {
  if (typeof global.Intl === "object") return; // an engine with its own Intl keeps it
  const Intl = Object.freeze({
    NumberFormat, DateTimeFormat, PluralRules, Collator,
    getCanonicalLocales: (l) => (l === undefined ? [] : [].concat(l).map(pick)),
    supportedValuesOf: (key) => (key === "timeZone" ? Object.keys(ZONES) : []),
  });
  Object.defineProperty(global, "Intl", { value: Intl, writable: true, configurable: true });
  const dt = (options, defaults) => function (locales, opts) {
    const merged = { ...(opts || {}) };
    const has = ["weekday", "year", "month", "day", "hour", "minute", "second", "dateStyle", "timeStyle"].some((k) => merged[k] !== undefined);
    return new DateTimeFormat(locales, has ? merged : { ...merged, ...defaults }).format(this);
  };
  Object.defineProperty(Number.prototype, "toLocaleString", { value(locales, opts) { return new NumberFormat(locales, opts).format(this); }, writable: true, configurable: true });
  Object.defineProperty(Date.prototype, "toLocaleDateString", { value: dt(null, { year: "numeric", month: "numeric", day: "numeric" }), writable: true, configurable: true });
  Object.defineProperty(Date.prototype, "toLocaleTimeString", { value: dt(null, { hour: "numeric", minute: "numeric", second: "numeric" }), writable: true, configurable: true });
  Object.defineProperty(Date.prototype, "toLocaleString", { value: dt(null, { year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" }), writable: true, configurable: true });
  Object.defineProperty(String.prototype, "localeCompare", { value(other, locales, opts) { return new Collator(locales, opts).compare(this, other); }, writable: true, configurable: true });
}
