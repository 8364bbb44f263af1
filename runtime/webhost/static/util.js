// Small helpers shared by every module of the shell.
//
// The one rule that matters here: strings from programs, the server or the
// user only ever become text nodes or element properties. `el()` has no way
// to set HTML, and URLs go through `safeImageUrl` / `localUrl` first.

import { currentLanguage, errorText, formatTime, t } from "./i18n.js";

export { formatTime };

/** Create an element: el("p", {className: "x"}, "text", child, ...). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "className") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("aria-") || key === "role" || key === "for" || key === "accept" || key === "tabindex") {
      node.setAttribute(key, String(value));
    } else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else node[key] = value; // a DOM property: textContent, type, value, disabled, id...
  }
  append(node, children);
  return node;
}

/** Append strings (as text nodes) and elements, skipping null/false. */
export function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

let uid = 0;
/** A unique id for label/aria wiring. */
export function nextId(prefix = "c") {
  uid += 1;
  return `${prefix}-${uid}`;
}

// -- HTTP ---------------------------------------------------------------------

/**
 * An HTTP error with the server's `{"error", "message", "params"}` body; its
 * `message` is in the shell's language (i18n.js errorText), `english` as sent.
 */
export class ApiError extends Error {
  constructor(status, code, message, params = {}, family = undefined) {
    super(errorText({ code, family, params, message: message || code || `HTTP ${status}` }));
    this.status = status;
    this.code = code;
    this.params = params;
    this.english = message;
  }
}

// The sign-in's CSRF token (from /api/config): every request that changes state carries it.
let csrfToken = "";
export function setCsrfToken(token) {
  csrfToken = typeof token === "string" ? token : "";
}

/** fetch() a JSON API route; a plain object body is sent as JSON, FormData as multipart. */
export async function api(path, { method, body, signal } = {}) {
  const init = { method: method || (body === undefined ? "GET" : "POST"), signal, credentials: "same-origin", headers: {} };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["content-type"] = "application/json";
  }
  init.headers.accept = "application/json";
  if (init.method !== "GET" && csrfToken) init.headers["x-capsule-csrf"] = csrfToken;
  const response = await fetch(path, init);
  if (response.status === 401 && !location.pathname.startsWith("/sign")) {
    location.assign("/signin"); // signed out or expired: the sign-in page says what to do
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null; // an empty or non-JSON body
  }
  if (!response.ok) {
    throw new ApiError(response.status, data && data.error, (data && data.message) || response.statusText, (data && data.params) || {}, data && data.family);
  }
  return data || {};
}

// -- URLs -----------------------------------------------------------------------

// One path segment as views allow it: letters, digits, . _ -, not starting with a dot
// (so "." and ".." can never appear).
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

function segments(rest) {
  const parts = rest.split("/");
  if (parts.length === 0 || parts.some((part) => !SEGMENT.test(part))) return null;
  return parts.map(encodeURIComponent).join("/");
}

/**
 * The URL to load a view image from, or null when the source is not allowed.
 * "assets/x/y.png" -> /api/apps/{app}/assets/x/y.png; "/media/ab.jpg" stays same-origin.
 */
export function safeImageUrl(src, appId) {
  if (typeof src !== "string" || src.length > 1024) return null;
  if (src.startsWith("assets/") && appId) {
    const rest = segments(src.slice("assets/".length));
    return rest && `/api/apps/${encodeURIComponent(appId)}/assets/${rest}`;
  }
  if (src.startsWith("/media/")) {
    const rest = segments(src.slice("/media/".length));
    return rest && `/media/${rest}`;
  }
  return null;
}

/** A program's icon route (the server answers 404 when it has none). */
export function iconUrl(appId) {
  return `/api/apps/${encodeURIComponent(appId)}/icon`;
}

/** An icon image with a letter avatar as the fallback; decorative (the name is beside it). */
export function appIcon(appId, name, hasIcon = false) {
  const letter = el("span", { className: "app-icon letter", "aria-hidden": "true", textContent: (name || appId || "?").trim().charAt(0).toUpperCase() || "?" });
  if (!hasIcon || !appId) return letter;
  const img = el("img", { className: "app-icon", alt: "", src: iconUrl(appId), decoding: "async" });
  img.addEventListener("error", () => img.replaceWith(letter), { once: true });
  return img;
}

// -- numbers, money, time -----------------------------------------------------------

// The shell's language (chosen on Me, else from the browser's): numbers, dates and money follow it.
export const locale = () => currentLanguage();

const moneyFormats = new Map();
function moneyFormat(currency) {
  const key = `${locale()}|${currency}`;
  if (!moneyFormats.has(key)) {
    let format = null;
    try {
      format = new Intl.NumberFormat(locale(), { style: "currency", currency });
    } catch {
      format = null; // not a currency Intl knows
    }
    moneyFormats.set(key, format);
  }
  return moneyFormats.get(key);
}

/** How many decimals `currency` has (CNY 2, JPY 0), as Intl knows it. */
export function currencyDigits(currency) {
  const format = moneyFormat(currency);
  return format ? format.resolvedOptions().maximumFractionDigits : 2;
}

/**
 * Integer minor units as localized money: (1250, "CNY") -> "CN¥12.50".
 * The decimal point is placed with string arithmetic, so no float ever
 * rounds an amount; Intl only groups digits and adds the symbol.
 */
export function formatMoney(amount, currency) {
  if (typeof amount !== "number" || !Number.isSafeInteger(amount)) return `${amount} ${currency}`;
  const signed = minorToDecimal(amount, currency);
  const format = moneyFormat(currency);
  return format ? format.format(signed) : `${signed} ${currency}`;
}

/** Integer minor units as a plain decimal string: (1250, "CNY") -> "12.50", (-5, "CNY") -> "-0.05". */
export function minorToDecimal(amount, currency) {
  const digits = currencyDigits(currency);
  const padded = String(Math.abs(amount)).padStart(digits + 1, "0");
  const decimal = digits ? `${padded.slice(0, -digits)}.${padded.slice(-digits)}` : padded;
  return (amount < 0 ? "-" : "") + decimal;
}

/** "12.50" in `currency` -> 1250 minor units, or null when it is not a plain amount. */
export function parseMoney(text, currency) {
  const digits = currencyDigits(currency);
  const match = /^\s*(\d+)(?:[.,](\d*))?\s*$/.exec(String(text));
  if (!match) return null;
  const fraction = match[2] || "";
  if (fraction.length > digits) return null;
  const amount = Number(match[1] + fraction.padEnd(digits, "0"));
  return Number.isSafeInteger(amount) ? amount : null;
}

const numberFormats = new Map();
/** A number in the shell's language (1.234,5 in German); `options` as Intl.NumberFormat takes them. */
export function formatNumber(value, options = {}) {
  const key = `${locale()}|${JSON.stringify(options)}`;
  if (!numberFormats.has(key)) numberFormats.set(key, new Intl.NumberFormat(locale(), options));
  return numberFormats.get(key).format(value);
}

/** A coordinate: up to 6 decimals, in the shell's language (31,2304 in German). */
export function degrees(value) {
  return formatNumber(Number(value), { maximumFractionDigits: 6, useGrouping: false });
}

// -- consent scopes in plain words --------------------------------------------------

// Functions, so a scope reads in the language shown now.
const SCOPES = {
  profile: () => t("scope.profile"),
  "profile.phone": () => t("scope.profile.phone"),
  "location.fuzzy": () => t("scope.location.fuzzy"),
  "location.precise": () => t("scope.location.precise"),
  location: () => t("scope.location"),
  payments: () => t("scope.payments"),
  media: () => t("scope.media"),
  "media.pick": () => t("scope.media"),
  qr: () => t("scope.qr"),
  "qr.scan": () => t("scope.qr.scan"),
  network: () => t("scope.network"),
  storage: () => t("scope.storage"),
  messages: () => t("scope.messages"),
};

/** "location.fuzzy" -> "your approximate location (within about 2 km)"; an unknown scope as sent. */
export function scopeInWords(scope) {
  return Object.prototype.hasOwnProperty.call(SCOPES, scope) ? SCOPES[scope]() : String(scope);
}

/** `text` cut to `max` characters (code points), with an ellipsis when cut. */
export function clip(text, max) {
  const chars = Array.from(String(text));
  return chars.length <= max ? String(text) : `${chars.slice(0, max - 1).join("")}…`;
}

/** Is a scanned text a person's contact code (Messages adds them), not a program's address? */
export function isContactCode(text) {
  return typeof text === "string" && text.startsWith("capsule-contact:");
}

/** Wait `ms` milliseconds. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
