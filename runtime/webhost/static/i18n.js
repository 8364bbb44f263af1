// The shell's languages: messages from static/i18n/LANG.json, plurals by
// Intl.PluralRules, numbers by Intl.NumberFormat.
//
// A message file is one flat JSON object: key -> text, or key -> {plural
// category -> text} for a message with a count ("zero", "one", "two", "few",
// "many", "other"; "other" is always needed). `{name}` in a text is replaced
// by the parameter `name`; `{count}` is formatted as a number in the language.
// English (en.json) is the reference: every key exists there first, and a key
// missing in another language shows in English and is recorded as missing
// (tests/webhost/test_i18n.py fails on it). docs/webhost.md says how to add one.
//
// Markup is never read from a message: translations go into text nodes and
// attributes only, like every other string.

export const LANGUAGES = [
  ["en", "English"],
  ["zh-CN", "简体中文"],
  ["nl", "Nederlands"],
  ["de", "Deutsch"],
  ["fr", "Français"],
];
const SUPPORTED = LANGUAGES.map(([code]) => code);

let language = "en";
let messages = {};
let fallback = {}; // English, for the keys the language's file lacks (none, when it is complete)
let loaded = false;
const missing = new Set();
// Read by the tests: every key that was asked for and is not in the language's file.
window.capsuleMissingMessages = missing;

/** The best supported language for the browser's list (navigator.languages): exact, then by base language. */
export function pickLanguage(wanted = navigator.languages || [navigator.language]) {
  for (const tag of wanted) {
    const exact = SUPPORTED.find((code) => code.toLowerCase() === String(tag).toLowerCase());
    if (exact) return exact;
    const base = String(tag).split("-")[0].toLowerCase();
    const near = SUPPORTED.find((code) => code.split("-")[0].toLowerCase() === base);
    if (near) return near;
  }
  return "en";
}

export function isSupported(code) {
  return SUPPORTED.includes(code);
}

/** The shell's language: also the locale of numbers, dates and money. */
export function currentLanguage() {
  return language;
}

async function load(code) {
  // Beside this module: under the shell's versioned address, cached like the modules.
  const response = await fetch(new URL(`./i18n/${code}.json`, import.meta.url), { credentials: "same-origin" });
  if (!response.ok) throw new Error(`no messages for ${code} (HTTP ${response.status})`);
  return response.json();
}

/**
 * Use messages already at hand: the page's boot data carries the account's
 * language and the English text of any key its file lacks (boot.py).
 */
export function useMessages(code, own, english = {}) {
  messages = own && typeof own === "object" ? own : {};
  fallback = english && typeof english === "object" ? english : {};
  language = isSupported(code) ? code : "en";
  loaded = true;
  document.documentElement.lang = language;
  translatePage();
  document.dispatchEvent(new CustomEvent("capsule-language", { detail: language }));
}

/** Fetch `code`'s messages (and English, for any key they lack) and translate the page. */
export async function setLanguage(code) {
  if (!isSupported(code)) code = "en";
  const [english, chosen] = await Promise.all([load("en"), code === "en" ? null : load(code)]);
  const own = chosen || english;
  const lacking = {};
  for (const [key, text] of Object.entries(english)) if (!Object.prototype.hasOwnProperty.call(own, key)) lacking[key] = text;
  useMessages(code, own, lacking);
}

const has = (table, key) => Object.prototype.hasOwnProperty.call(table, key);

function lookup(key) {
  if (!loaded) return key; // before the first file arrives (a status line at start): not a missing message
  if (has(messages, key)) return messages[key];
  missing.add(`${language}:${key}`);
  document.documentElement.dataset.missingMessages = String(missing.size);
  return has(fallback, key) ? fallback[key] : key;
}

const plurals = new Map();
const numbers = new Map();
const times = new Map(); // made on first use: Intl's start-up cost stays off the page load

/** A timestamp (seconds or milliseconds since the epoch, or ISO text) as local time in the shell's language. */
export function formatTime(at) {
  if (at === null || at === undefined || at === "") return "";
  let ms = typeof at === "number" ? at : Date.parse(at);
  if (typeof at === "number" && at < 1e11) ms = at * 1000; // seconds, as time.time() gives
  if (!Number.isFinite(ms)) return String(at);
  if (!times.has(language)) times.set(language, new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" }));
  return times.get(language).format(new Date(ms));
}

/**
 * A server's error in the shell's language. The server sends a stable `code`
 * with the values its message names (`params`; one ending in `_at` is a time)
 * and its English `message`: the words are `code.<code>` from the message
 * files, else `code.<family>` (the kind of error, e.g. every package check is
 * an `invalid-package`), else the English as sent.
 */
export function errorText({ code, family, params, message } = {}) {
  for (const name of [code, family]) {
    const key = `code.${name}`;
    if (typeof name !== "string" || !(has(messages, key) || has(fallback, key))) continue;
    const values = {};
    for (const [param, value] of Object.entries(params && typeof params === "object" ? params : {})) {
      values[param] = param.endsWith("_at") ? formatTime(value) : typeof value === "number" ? value : String(value ?? "");
    }
    return t(key, values);
  }
  return String(message || code || "");
}

/** The message `key` with `params` filled in; `params.count` picks the plural form. */
export function t(key, params = {}) {
  let text = lookup(key);
  if (text && typeof text === "object") {
    const count = Number(params.count ?? 0);
    if (!plurals.has(language)) plurals.set(language, new Intl.PluralRules(language));
    const category = plurals.get(language).select(count);
    text = text[category] ?? text.other ?? "";
  }
  return String(text).replace(/\{(\w+)\}/g, (whole, name) => {
    if (!(name in params)) return whole;
    const value = params[name];
    if (typeof value === "number") {
      if (!numbers.has(language)) numbers.set(language, new Intl.NumberFormat(language));
      return numbers.get(language).format(value);
    }
    return String(value);
  });
}

/**
 * Translate the static page: `data-i18n="key"` sets the text, `data-i18n-attr="attr:key,attr:key"`
 * sets attributes (aria-label, placeholder, title).
 */
export function translatePage(root = document) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of node.dataset.i18nAttr.split(",")) {
      const [attr, key] = pair.split(":").map((part) => part.trim());
      if (attr && key) node.setAttribute(attr, t(key));
    }
  }
}
