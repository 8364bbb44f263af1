// View JSON -> DOM.
//
// Every string of a view is untrusted: it becomes a text node or a DOM
// property (textContent, value, alt, placeholder), never markup. Image
// sources are rewritten to same-origin routes or dropped (util.safeImageUrl).
//
// A new view is *patched* into the old DOM node by node (same position,
// same type, same input name and kind -> update in place). That keeps what
// the user typed, the caret and the focus when a program re-renders after
// every event, as programs do. An input takes the view's value only when
// the view's value changed.

import { el, nextId, safeImageUrl, formatMoney, degrees } from "./util.js";
import { t } from "./i18n.js";

// Element -> the node it shows now; listeners read it at event time, so a
// patched element always acts on the latest view.
const shown = new WeakMap();

// How long typing pauses before an input's change handler hears about it.
const INPUT_DEBOUNCE_MS = 300;

export class ViewRenderer {
  /**
   * @param {object} options
   *   appId: string                      the program (for assets/ URLs)
   *   onEvent(page, handler, data)       a tap, a submit or a change
   */
  constructor({ appId, onEvent }) {
    this.appId = appId;
    this.view = null;
    const titleId = nextId("view-title");
    this.title = el("h1", { className: "view-title", id: titleId });
    this.body = el("div", { className: "view-body" });
    // A <section> with a name is a "region" landmark named by the page title.
    this.root = el("section", { className: "view", "aria-labelledby": titleId }, this.title, this.body);
    this.ctx = {
      appId: () => this.appId,
      // `page` is the view's name; a view without one sends "" (the server wants a string).
      emit: (handler, data) => onEvent(this.view && typeof this.view.name === "string" ? this.view.name : "", handler, data),
    };
  }

  /** Show `view` (a validated page node), patching the previous one. */
  render(view) {
    const focus = this.rememberFocus();
    this.title.textContent = typeof view.title === "string" ? view.title : "";
    const before = this.view ? this.view.children || [] : [];
    patchChildren(this.body, before, view.children || [], this.ctx);
    this.view = view;
    this.restoreFocus(focus);
  }

  /** Forget the old DOM (the next render builds from scratch). */
  reset() {
    this.view = null;
    this.body.replaceChildren();
  }

  rememberFocus() {
    const active = document.activeElement;
    if (!active || !this.body.contains(active)) return null;
    const info = { element: active, index: focusables(this.body).indexOf(active) };
    if (typeof active.selectionStart === "number") {
      info.start = active.selectionStart;
      info.end = active.selectionEnd;
    }
    return info;
  }

  // The focused element survived the patch: nothing to do. It was rebuilt:
  // focus whatever now sits at the same place in the tab order.
  restoreFocus(info) {
    if (!info || (info.element.isConnected && this.body.contains(info.element))) return;
    const list = focusables(this.body);
    const target = list[Math.min(info.index, list.length - 1)];
    if (!target) return;
    target.focus({ preventScroll: true });
    if (info.start !== undefined && typeof target.setSelectionRange === "function" && target.type !== "email") {
      try {
        target.setSelectionRange(info.start, info.end);
      } catch {
        // not a text control after all
      }
    }
  }
}

function focusables(root) {
  return Array.from(root.querySelectorAll("button, input, textarea, select, [tabindex='0']")).filter((e) => !e.disabled);
}

// -- patching ---------------------------------------------------------------------

function patchChildren(container, before, after, ctx) {
  const existing = Array.from(container.children);
  after.forEach((node, index) => patch(container, existing[index], before[index], node, ctx));
  for (let index = after.length; index < existing.length; index += 1) existing[index].remove();
}

function patch(container, element, before, after, ctx) {
  if (element && before && compatible(before, after)) {
    const update = UPDATE[after.type];
    if (update) {
      update(element, before, after, ctx);
      shown.set(element, after);
      return element;
    }
    if (sameJson(before, after)) return element;
  }
  const fresh = build(after, ctx);
  if (element) element.replaceWith(fresh);
  else container.append(fresh);
  return fresh;
}

// Can `after` be shown by updating the element built for `before`?
function compatible(before, after) {
  if (!after || before.type !== after.type) return false;
  switch (after.type) {
    case "input":
      return before.name === after.name && (before.kind || "text") === (after.kind || "text");
    case "text":
      return (before.style || "body") === (after.style || "body");
    case "list":
      return Boolean(before.handler) === Boolean(after.handler);
    default:
      return true;
  }
}

function sameJson(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function build(node, ctx) {
  const make = BUILD[node && node.type] || buildUnknown;
  const element = make(node, ctx);
  shown.set(element, node);
  return element;
}

// -- containers ---------------------------------------------------------------------

function setGap(element, gap) {
  // CSSOM (allowed by the CSP, unlike a style attribute), from a checked integer only.
  element.style.gap = Number.isInteger(gap) && gap >= 0 && gap <= 64 ? `${gap * 4}px` : "";
}

function buildBox(className) {
  return (node, ctx) => {
    const box = el("div", { className });
    setGap(box, node.gap);
    for (const child of node.children || []) box.append(build(child, ctx));
    return box;
  };
}

function updateBox(element, before, after, ctx) {
  setGap(element, after.gap);
  patchChildren(element, before.children || [], after.children || [], ctx);
}

function buildForm(node, ctx) {
  const body = el("div", { className: "v-form-body" });
  const submit = el("button", { type: "submit", className: "btn btn-primary", textContent: node.submit_label || t("view.submit") });
  const form = el("form", { className: "v-form", noValidate: true }, body, el("div", { className: "v-form-actions" }, submit));
  form.formBody = body;
  form.submitButton = submit;
  for (const child of node.children || []) body.append(build(child, ctx));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    event.stopPropagation(); // a form inside a form submits only itself
    const current = shown.get(form);
    const values = {};
    for (const field of form.querySelectorAll(".v-field")) {
      if (field.control.closest("form") !== form) continue; // belongs to a nested form
      field.flush(); // a pending change event goes first
      values[shown.get(field).name] = field.control.value;
    }
    ctx.emit(current.handler, values);
  });
  return form;
}

function updateForm(form, before, after, ctx) {
  patchChildren(form.formBody, before.children || [], after.children || [], ctx);
  const label = after.submit_label || t("view.submit");
  if (form.submitButton.textContent !== label) form.submitButton.textContent = label;
}

function buildList(node, ctx) {
  const list = el("ul", { className: node.handler ? "v-list v-list-tappable" : "v-list" });
  (node.items || []).forEach((item) => list.append(listItem(list, item, Boolean(node.handler), ctx)));
  return list;
}

function listItem(list, item, tappable, ctx) {
  const li = el("li", { className: "v-list-item" });
  if (!tappable) {
    li.append(build(item, ctx));
    return li;
  }
  // A row holds arbitrary nodes (maybe buttons), so it cannot be a <button>:
  // it is a focusable role=button that handles Enter and Space itself.
  const row = el("div", { className: "v-list-row", role: "button", tabindex: 0 }, build(item, ctx));
  const activate = () => {
    const node = shown.get(list);
    if (node && node.handler) ctx.emit(node.handler, { index: Array.prototype.indexOf.call(list.children, li) });
  };
  row.addEventListener("click", (event) => {
    // A click on a control inside the row belongs to that control.
    if (event.target.closest("button, input, textarea, select, a, label, [role='button']") !== row) return;
    activate();
  });
  row.addEventListener("keydown", (event) => {
    if (event.target !== row || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      activate();
    }
  });
  li.append(row);
  return li;
}

function updateList(list, before, after, ctx) {
  const items = after.items || [];
  const old = before.items || [];
  const tappable = Boolean(after.handler);
  const existing = Array.from(list.children);
  items.forEach((item, index) => {
    const li = existing[index];
    if (!li) {
      list.append(listItem(list, item, tappable, ctx));
      return;
    }
    const holder = tappable ? li.firstElementChild : li;
    patch(holder, holder.firstElementChild, old[index], item, ctx);
  });
  for (let index = items.length; index < existing.length; index += 1) existing[index].remove();
}

// -- leaves ---------------------------------------------------------------------------

const TEXT_TAGS = { title: "h2", subtitle: "h3", body: "p", caption: "p", error: "p" };

function buildText(node) {
  const style = TEXT_TAGS[node.style] ? node.style : "body";
  return el(TEXT_TAGS[style], { className: `v-text v-text-${style}`, textContent: node.text });
}

function updateText(element, before, after) {
  if (element.textContent !== after.text) element.textContent = after.text;
}

function buildImage(node, ctx) {
  const url = safeImageUrl(node.src, ctx.appId());
  if (!url) {
    // Not a source the host serves: the alt text stands in, and nothing is fetched.
    return el("span", { className: "v-image-missing", role: "img", "aria-label": node.alt, textContent: node.alt });
  }
  const img = el("img", { className: "v-image", alt: node.alt, decoding: "async" });
  if (Number.isInteger(node.width) && node.width >= 1 && node.width <= 4096) img.width = node.width;
  if (Number.isInteger(node.height) && node.height >= 1 && node.height <= 4096) img.height = node.height;
  img.src = url;
  return img;
}

function buildButton(node, ctx) {
  const button = el("button", { type: "button" });
  updateButton(button, null, node);
  button.addEventListener("click", (event) => {
    event.stopPropagation(); // not also a tap on an enclosing list row
    const current = shown.get(button);
    if (current && !current.disabled) ctx.emit(current.handler, isObject(current.data) ? current.data : {});
  });
  return button;
}

function updateButton(button, before, after) {
  const style = ["primary", "secondary", "danger"].includes(after.style) ? after.style : "secondary";
  button.className = `btn btn-${style}`;
  if (button.textContent !== after.label) button.textContent = after.label;
  button.disabled = after.disabled === true;
}

const INPUT_TYPES = { text: "text", number: "text", email: "email", tel: "tel", password: "password" };

function buildInput(node, ctx) {
  const id = nextId("field");
  const kind = node.kind || "text";
  let control;
  if (kind === "multiline") control = el("textarea", { id, rows: 3 });
  else {
    control = el("input", { id, type: INPUT_TYPES[kind] || "text" });
    // "number" stays a text field with a numeric keyboard: the value travels
    // as typed (a type=number field would silently empty a partial entry).
    if (kind === "number") control.inputMode = "decimal";
    if (kind === "password") control.autocomplete = "off";
  }
  control.className = "v-control";
  const label = el("label", { for: id, className: "v-label" });
  const field = el("div", { className: "v-field" }, label, control);
  field.control = control;
  field.label = label;
  field.sent = null;
  field.timer = null;

  // Tell the input's handler (if it has one) about the value now.
  field.flush = () => {
    clearTimeout(field.timer);
    field.timer = null;
    const current = shown.get(field);
    if (!current || !current.handler || field.sent === control.value) return;
    field.sent = control.value;
    ctx.emit(current.handler, { [current.name]: control.value });
  };
  control.addEventListener("input", () => {
    const current = shown.get(field);
    if (!current || !current.handler) return;
    clearTimeout(field.timer);
    field.timer = setTimeout(field.flush, INPUT_DEBOUNCE_MS);
  });
  control.addEventListener("change", field.flush);

  label.textContent = node.label;
  if (node.placeholder !== undefined) control.placeholder = node.placeholder;
  control.value = node.value !== undefined ? node.value : "";
  field.sent = control.value;
  return field;
}

function updateInput(field, before, after) {
  if (field.label.textContent !== after.label) field.label.textContent = after.label;
  const placeholder = after.placeholder !== undefined ? after.placeholder : "";
  if (field.control.placeholder !== placeholder) field.control.placeholder = placeholder;
  // The view's value wins only when the view changed it, and not while the
  // user is in the middle of typing (a change not yet sent).
  if (after.value !== before.value && field.timer === null) {
    const value = after.value !== undefined ? after.value : "";
    if (field.control.value !== value) field.control.value = value;
    field.sent = value;
  }
}

function buildPrice(node) {
  const amount = el("span", { className: "v-price-amount", textContent: formatMoney(node.amount, node.currency) });
  if (!node.label) return el("div", { className: "v-price" }, amount);
  // The space keeps "Total 12.50" apart for screen readers (CSS spaces it visually).
  return el("div", { className: "v-price v-price-labelled" }, el("span", { className: "v-price-label", textContent: node.label }), " ", amount);
}

function buildQr(node) {
  // The server draws the code as SVG (same origin): nothing from the program
  // reaches the DOM but the encoded query value and the caption text.
  const img = el("img", { className: "v-qr-image", alt: node.label || "QR code", width: 192, height: 192, decoding: "async" });
  img.src = `/api/qr.svg?text=${encodeURIComponent(node.text)}`;
  const figure = el("figure", { className: "v-qr" }, img);
  if (node.label) figure.append(el("figcaption", { textContent: node.label }));
  return figure;
}

function buildMapPin(node) {
  const lat = Number(node.latitude);
  const lon = Number(node.longitude);
  const coords = `${degrees(Math.abs(lat))}° ${lat < 0 ? "S" : "N"}, ${degrees(Math.abs(lon))}° ${lon < 0 ? "W" : "E"}`;
  // No map tiles (the network is closed): a card with the place and its coordinates.
  return el(
    "div",
    { className: "v-map", role: "group", "aria-label": node.label },
    el("div", { className: "v-map-art", "aria-hidden": "true" }, el("span", { className: "v-map-pin" })),
    el(
      "div",
      { className: "v-map-text" },
      el("span", { className: "v-map-label", textContent: node.label }),
      el("span", { className: "v-map-coords", textContent: coords }),
    ),
  );
}

function buildUnknown(node) {
  return el("p", { className: "v-text v-text-caption", textContent: `[${node && typeof node.type === "string" ? node.type : "?"}]` });
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

const BUILD = {
  column: buildBox("v-column"),
  row: buildBox("v-row"),
  form: buildForm,
  list: buildList,
  text: buildText,
  image: buildImage,
  button: buildButton,
  input: buildInput,
  divider: () => el("hr", { className: "v-divider" }),
  spacer: () => el("div", { className: "v-spacer", "aria-hidden": "true" }),
  price: buildPrice,
  qr: buildQr,
  map_pin: buildMapPin,
};

const UPDATE = {
  column: updateBox,
  row: updateBox,
  form: updateForm,
  list: updateList,
  text: updateText,
  button: updateButton,
  input: updateInput,
};
