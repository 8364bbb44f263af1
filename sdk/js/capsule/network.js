// HTTP to the hosts the manifest lists, and nowhere else.
import { call } from "./_bindings.js";
import { U32, text, whole } from "./_checks.js";

/** One request to a host the manifest's `network.hosts` lists: {status, headers, body}. */
export function fetch(url, { method = "GET", headers = {}, body = "", timeoutMs = 10000 } = {}) {
  const request = { method: text(method, "method"), url: text(url, "url"),
    headers: Object.entries(headers).sort().map(([k, v]) => [String(k), String(v)]),
    body: text(body, "body"), timeoutMs: whole(timeoutMs, "timeoutMs", U32) };
  const raw = call("network", "fetch", request);
  return Object.freeze({ status: raw.status, headers: Object.freeze(raw.headers.map(([k, v]) => [k, v])), body: raw.body,
    json() { return JSON.parse(raw.body); } });
}
