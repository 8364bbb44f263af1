// QR codes that open this program, and scanning.
import { call } from "./_bindings.js";
import { U32, oneOf, plain, text, whole } from "./_checks.js";

function scanResult(raw) {
  const targets = raw.target.map((t) => ({ ...plain({ appId: t.appId, page: t.page, scene: t.scene }), params: Object.fromEntries(t.params) }));
  return Object.freeze({ text: raw.text, format: raw.format, target: targets[0] || null });
}

/** A code ({address, image}) that opens `page` of this program with `params`. */
export function makeCode(appId, page, params = {}, { format = "png", size = 256 } = {}) {
  const target = { appId: text(appId, "appId"), page: text(page, "page"), scene: "qr",
    params: Object.entries(params).sort().map(([k, v]) => [String(k), String(v)]) };
  return plain(call("qr", "makeCode", target, oneOf(format, ["png", "svg"], "format"), whole(size, "size", U32)));
}
/** The user scans a code with the host's scanner: {text, format, target}. Refused when they close it. */
export const scan = () => scanResult(call("qr", "scan"));
/** Read the code in a PNG or JPEG given as base64. */
export const decode = (imageBase64) => scanResult(call("qr", "decode", text(imageBase64, "image")));
