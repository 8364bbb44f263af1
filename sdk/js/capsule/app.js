// Pages with state, handlers, navigation: the program's side of a session.
//
//     const { App, view: v } = require("capsule");
//     const app = new App();
//     app.page("index", {
//       data: { count: 0 },
//       render() { return v.page("Hello", v.text(`${this.data.count} taps`), v.button("Tap", "tap")); },
//       handlers: { tap() { this.data.count += 1; } },
//     });
import { call } from "./_bindings.js";

const HOOKS = ["onLoad", "onShow", "onHide", "render"];
// Taken before the program runs: a program that rewrites Function.prototype
// breaks its own code, not the way its handlers are called.
const apply = Reflect.apply;

// A handler or hook may be async. Only then is a promise returned to the
// runtime (which then runs the engine's event loop to its end): a synchronous
// turn stays synchronous, the cheaper path.
const isThenable = (value) => value !== null && (typeof value === "object" || typeof value === "function") && typeof value.then === "function";
const then = (value, next) => (isThenable(value) ? value.then(next) : next());

/** The program: its pages and the stack of open ones. Make exactly one. */
export class App {
  static current = null;

  constructor() {
    this.pages = new Map();
    this.stack = [];
    this.scene = "";
    this.launchQuery = {};
    this._lastView = "";
    App.current = this;
  }

  /**
   * Register page `name` (the manifest's page name). `definition` holds
   * `data` (the initial state: an object, copied per opening, or a function
   * returning one), `render()`, optional `onLoad(query)`, `onShow()`,
   * `onHide()`, helper methods, and `handlers`: the only functions a view's
   * events can call, each `(data)` and possibly async.
   */
  page(name, definition) {
    if (typeof name !== "string" || !name) throw new TypeError("app.page(name, definition): name must be a non-empty string");
    if (!definition || typeof definition.render !== "function") {
      throw new TypeError(`page ${JSON.stringify(name)} must have a render() function`);
    }
    const handlers = Object.assign(Object.create(null), definition.handlers || {});
    for (const [key, fn] of Object.entries(handlers)) {
      if (typeof fn !== "function") throw new TypeError(`handler ${JSON.stringify(key)} of page ${JSON.stringify(name)} is not a function`);
    }
    this.pages.set(name, { name, definition, handlers: Object.freeze(handlers) });
    return this;
  }

  get top() { return this.stack[this.stack.length - 1]; }

  /** Open page `name` on top of the current one (its onLoad may be async). */
  navigate(name, query = {}) {
    const entry = this.pages.get(name);
    if (!entry) throw new Error(`no page named ${JSON.stringify(name)}; pages: ${[...this.pages.keys()].sort().join(", ")}`);
    const page = makePage(this, entry, { ...query });
    this.stack.push(page);
    return page.onLoad ? apply(page.onLoad, page, [{ ...query }]) : undefined;
  }

  /** Close the current page (the first page stays). */
  back() {
    if (this.stack.length > 1) this.stack.pop();
  }

  // -- called by the runtime through the exports -------------------------------

  _launch(page, scene, query) {
    this.scene = scene;
    this.launchQuery = query;
    const first = page || this.pages.keys().next().value || "";
    this.stack.length = 0;
    return then(this.navigate(first, query), () => this._render());
  }

  _event(pageName, name, data) {
    let target = this.top;
    if (pageName && pageName !== target.name) {
      // The view the user acted on is no longer on top (a stale tap).
      target = [...this.stack].reverse().find((p) => p.name === pageName) || target;
    }
    const fn = target._handlers[name];
    if (typeof fn !== "function") {
      const known = Object.keys(target._handlers).sort().join(", ") || "none";
      throw new Error(
        `page ${JSON.stringify(target.name)} has no handler ${JSON.stringify(name)} (handlers: ${known}); ` +
          "add it to the page's handlers, or correct the name the view sends",
      );
    }
    return then(apply(fn, target, [data]), () => this._render());
  }

  _show() {
    if (this.stack.length) {
      const top = this.top;
      return then(top.onShow ? apply(top.onShow, top, []) : undefined, () => this._render());
    }
  }

  _hide() {
    if (this.stack.length && this.top.onHide) return apply(this.top.onHide, this.top, []);
  }

  _render() {
    const top = this.top;
    const view = { ...apply(top.render, top, []), name: top.name };
    const text = JSON.stringify(view);
    if (text !== this._lastView) { // unchanged views cost no host call
      call("ui", "render", text);
      this._lastView = text;
    }
  }
}

function makePage(app, entry, query) {
  const { definition } = entry;
  const page = Object.create(definition);
  const initial = typeof definition.data === "function" ? apply(definition.data, page, [query]) : definition.data;
  Object.defineProperties(page, {
    name: { value: entry.name, enumerable: true },
    app: { value: app },
    query: { value: query, enumerable: true },
    data: { value: initial === undefined ? {} : structuredClone(initial), writable: true, enumerable: true },
    _handlers: { value: entry.handlers },
    navigate: { value: (name, q) => app.navigate(name, q) },
    back: { value: () => app.back() },
  });
  for (const hook of HOOKS) if (definition[hook] !== undefined && typeof definition[hook] !== "function") {
    throw new TypeError(`${hook} of page ${JSON.stringify(entry.name)} must be a function`);
  }
  return page;
}
