// Builders for views: plain objects that follow view.schema.json.
//
//     v.page("Hello", v.text("Hi!"), v.button("Again", "again"))

function node(type, fields) {
  const out = { type };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined && value !== null) out[key] = value;
  return out;
}

export const page = (title, ...children) => node("page", { title, children });
export const column = (children, { gap } = {}) => node("column", { children, gap });
export const row = (children, { gap } = {}) => node("row", { children, gap });
export const text = (value, style) => node("text", { text: String(value), style });
export const image = (src, alt, { width, height } = {}) => node("image", { src, alt, width, height });
export const button = (label, handler, data, { style, disabled } = {}) => node("button", { label, handler, data, style, disabled });
export const input = (name, label, { kind, value, placeholder, handler } = {}) =>
  node("input", { name, label, kind, value, placeholder, handler });
export const form = (handler, children, { submitLabel } = {}) => node("form", { handler, children, submit_label: submitLabel });
export const list = (items, handler) => node("list", { items, handler });
export const divider = () => node("divider", {});
export const spacer = () => node("spacer", {});
export const price = (amount, currency, label) => node("price", { amount: Math.trunc(Number(amount)), currency, label });
export const qr = (value, label) => node("qr", { text: value, label });
export const mapPin = (latitude, longitude, label) => node("map_pin", { latitude, longitude, label });
