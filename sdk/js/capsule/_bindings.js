// The runtime's bindings of every Capsule interface, reached only through `call`.
//
// `_interfaces.js` is generated when the runtime is built, from the WIT
// contract: it imports every capability interface. Whether a call is served
// is the host's decision (the manifest), never this module's: an undeclared
// capability answers `not-declared`, raised here as NotDeclared.
import { interfaces } from "./_interfaces.js";
import { CapabilityError, fromWit } from "./errors.js";

// Frozen copies: a program that rewrites an SDK object cannot swap a binding.
const BOUND = Object.freeze(Object.fromEntries(
  Object.entries(interfaces).map(([name, module]) => [name, Object.freeze({ ...module })]),
));

let guard = null;

/** The runtime sets a guard while the program loads (no user yet): it throws instead of calling. */
export function setGuard(fn) { guard = fn; }

/** Call `fn` of capability `name`, turning WIT errors into typed errors. */
export function call(name, fn, ...args) {
  if (guard !== null) guard(name, fn);
  const module = BOUND[name];
  const f = module && module[fn];
  if (typeof f !== "function") throw new CapabilityError(`this Capsule has no function ${name}.${fn}`);
  try {
    return f(...args);
  } catch (error) {
    if (error && typeof error === "object" && "payload" in error) throw fromWit(error.payload);
    throw error;
  }
}

/** The interfaces this runtime was built with (names only). */
export const available = Object.freeze(Object.keys(BOUND));
