// Key-value storage per (program, user). Values are text (store JSON for structure).
import { call } from "./_bindings.js";
import { plain, text } from "./_checks.js";

/** The value stored under `key`, or `fallback` when there is none. */
export function get(key, fallback = null) {
  const found = call("storage", "get", text(key, "key"));
  return found.length ? found[0] : fallback;
}

/** Store `value` under `key`, whole or not at all; LimitExceeded past the quota. */
export function set(key, value) {
  call("storage", "set", text(key, "key"), text(value, "value"));
}

/** Remove `key`; true when it existed. */
export function remove(key) {
  return Boolean(call("storage", "delete", text(key, "key")));
}

/** The keys starting with `prefix`, sorted. */
export function keys(prefix = "") {
  return [...call("storage", "listKeys", text(prefix, "prefix"))];
}

/** {usedBytes, quotaBytes, keys} for this user. */
export function usage() {
  return plain(call("storage", "usage"));
}

/** The value under `key` parsed as JSON, or `fallback`. */
export function getJSON(key, fallback = null) {
  const found = get(key);
  return found === null ? fallback : JSON.parse(found);
}

/** Store `value` as compact JSON under `key`. */
export function setJSON(key, value) {
  set(key, JSON.stringify(value));
}
