// Checks on arguments before they cross into the host, so a bad one is an
// InvalidArgument the program can catch, not a trap that ends the session.
import { InvalidArgument } from "./errors.js";

export const U32 = 2 ** 32 - 1;

/** `value` as a whole number 0..most (a Number), or InvalidArgument naming `name`. */
export function whole(value, name, most = Number.MAX_SAFE_INTEGER) {
  if (typeof value === "bigint") value = Number(value);
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new InvalidArgument(`${name} must be a whole number, got ${typeof value === "number" ? value : typeof value}`);
  }
  if (value < 0 || value > most) throw new InvalidArgument(`${name} must be 0 to ${most}, got ${value}`);
  return value;
}

/** A u64 argument: checked, then a BigInt as the bindings want it. */
export function u64(value, name) {
  return BigInt(whole(value, name));
}

/** `value` as text, or InvalidArgument. */
export function text(value, name) {
  if (typeof value !== "string") throw new InvalidArgument(`${name} must be a string, got ${typeof value}`);
  return value;
}

/** One of `allowed`, or InvalidArgument listing them. */
export function oneOf(value, allowed, name) {
  const wanted = typeof value === "string" ? value.toLowerCase() : value;
  if (!allowed.includes(wanted)) {
    const shown = typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : `a ${typeof value}`;
    throw new InvalidArgument(`${name} must be one of ${allowed.join(", ")}; got ${shown}`);
  }
  return wanted;
}

/** A record from the bindings as a plain frozen object; u64 fields (BigInt) become Numbers. */
export function plain(record) {
  if (Array.isArray(record)) return Object.freeze(record.map(plain));
  if (typeof record === "bigint") return Number(record);
  if (record === null || typeof record !== "object") return record;
  const out = {};
  for (const key of Object.keys(record)) out[key] = plain(record[key]);
  return Object.freeze(out);
}
