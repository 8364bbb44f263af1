// The user's position, fuzzy (a grid cell of a few km) unless they allow precise.
import { call } from "./_bindings.js";
import { oneOf, plain } from "./_checks.js";

/** {latitude, longitude, accuracyMeters, datum, precision, measuredAt}; datum "wgs84" or "gcj02". */
export function getPosition({ precise = false, datum = "wgs84" } = {}) {
  return plain(call("location", "getPosition", precise ? "precise" : "fuzzy", oneOf(datum, ["wgs84", "gcj02"], "datum")));
}
