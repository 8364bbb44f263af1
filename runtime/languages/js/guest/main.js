// Entry point of Capsule's JavaScript runtime. Runs inside WebAssembly, never on the host.
//
// Every JS program (package kind `js`, and `capsule dev`) runs on this one
// component; see "Programs on the shared runtime" in docs/architecture.md.
//
// Build time: componentize-js snapshots the engine with the SDK loaded.
// Run time: the first export call loads the program: `app.js` and the modules
// it requires, read through the host (`program-source.read`), which serves
// only the files of this session's own package. Modules are CommonJS, as in
// WeChat's and Alipay's mini-programs: `const { App } = require("capsule")`.
import { read } from "capsule:app/program-source@0.1.0";
import { App } from "./capsule/app.js";
import { setGuard } from "./capsule/_bindings.js";
import * as errors from "./capsule/errors.js";
import { modules, sdk } from "./capsule/index.js";
import { installIntl } from "./intl.js";

// Keep these in step with capsule.runtime.languages.js.component.
const LOAD_SCENE = "capsule-load";
const CHECK_SCENE = "capsule-check";
const ENTRY = "app.js";
//: Where a program keeps vendored packages (required by bare name).
const VENDOR_DIR = "lib";

installIntl(globalThis);

// The platform: no fetch of StarlingMonkey's own (the network capability is
// Capsule's, allow-listed by the host), no filesystem, no environment.
for (const name of ["fetch", "Request", "Response", "Headers"]) {
  Object.defineProperty(globalThis, name, {
    value: undefined, writable: false, configurable: false,
  });
}
// The SDK's objects cannot be changed by the program it serves.
for (const klass of [App, ...Object.values(errors).filter((v) => typeof v === "function")]) {
  Object.freeze(klass.prototype);
}

const cache = new Map();

function normalize(base, spec) {
  const parts = spec.startsWith("/") ? [] : base.split("/").slice(0, -1);
  for (const part of spec.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (!parts.length) throw new Error(`cannot find module ${JSON.stringify(spec)}: it is outside the program`);
      parts.pop();
    } else parts.push(part);
  }
  return parts.join("/");
}

function resolve(base, spec) {
  const path = spec.startsWith(".") ? normalize(base, spec) : normalize("", `${VENDOR_DIR}/${spec}`);
  for (const candidate of [path, `${path}.js`, `${path}.json`, `${path}/index.js`]) {
    if (cache.has(candidate)) return [candidate, null];
    const text = read(candidate);
    if (text !== undefined) return [candidate, text];
  }
  throw new Error(`cannot find module ${JSON.stringify(spec)} (required from ${base}); looked for ${path}, ${path}.js, ${path}/index.js`);
}

function compile(path, text) {
  // The source URL names the program's file in stack traces.
  return new Function("require", "module", "exports", `${text}\n//# sourceURL=${path}`);
}

function requireFrom(base) {
  return function require(spec) {
    if (typeof spec !== "string") throw new TypeError("require(name) takes a string");
    if (spec === "capsule") return sdk;
    if (spec.startsWith("capsule/")) {
      const found = modules[spec.slice(8)];
      if (found) return found;
      throw new Error(`there is no module ${JSON.stringify(spec)}; Capsule's are: ${Object.keys(modules).map((m) => `capsule/${m}`).join(", ")}`);
    }
    const [path, text] = resolve(base, spec);
    const known = cache.get(path);
    if (known) return known.exports;
    const module = { exports: {}, id: path };
    cache.set(path, module);
    if (path.endsWith(".json")) module.exports = JSON.parse(text);
    else compile(path, text).call(module.exports, requireFrom(path), module, module.exports);
    return module.exports;
  };
}

let loaded = false;
let failure = null;

function loadProgram() {
  if (!loaded) {
    loaded = true;
    try {
      setGuard((name, fn) => {
        throw new Error(`the program called ${name}.${fn} while it loads (at the top of a module), before any user opened it: call it in onLoad or a handler`);
      });
      try {
        requireFrom(ENTRY)(`./${ENTRY}`);
      } finally {
        setGuard(null);
      }
      if (App.current === null) throw new Error("app.js made no App(); create one at the top of app.js: const app = new App()");
    } catch (error) {
      failure = error;
    }
  }
  if (failure !== null) throw failure;
}

function checkProgram() {
  // Every module of the program compiles, loaded at start or not.
  const listing = read(".capsule-modules");
  for (const path of (listing || "").split("\n").filter(Boolean)) compile(path, read(path) || "");
  loadProgram();
  const manifest = JSON.parse(read("manifest.json") || "{}");
  const declared = (manifest.pages || []).map((p) => p && p.name).filter(Boolean);
  const missing = declared.filter((name) => !App.current.pages.has(name));
  if (missing.length) {
    const have = [...App.current.pages.keys()].sort().join(", ") || "none";
    throw new Error(`manifest.json lists page(s) ${missing.map((m) => JSON.stringify(m)).join(", ")} that app.js does not define (it defines: ${have}); add app.page(NAME, {...}) or fix the manifest's pages`);
  }
}

function asFailure(error) {
  // SpiderMonkey reports an exhausted heap by throwing the string "out of memory":
  // the host ends the session at its memory limit, as for Python's MemoryError.
  if (error === "out of memory" || (error && error.message === "out of memory")) {
    return { kind: "MemoryError", message: "out of memory", traceback: "" };
  }
  if (error instanceof Error || (error && typeof error === "object" && "message" in error)) {
    return { kind: String(error.name || "Error"), message: String(error.message), traceback: String(error.stack || "") };
  }
  return { kind: "Error", message: String(error), traceback: "" };
}

// Runs `step`; a failure becomes the WIT `failure`. A step that returns a
// promise (an async handler) is handed back as one, and componentize-js runs
// the event loop until it settles; a synchronous step returns at once.
function guard(step) {
  let result;
  try {
    result = step();
  } catch (error) {
    throw asFailure(error);
  }
  if (result !== null && typeof result === "object" && typeof result.then === "function") {
    return result.then(() => undefined, (error) => { throw asFailure(error); });
  }
  return undefined;
}

export const lifecycle = {
  onLaunch(page, scene, query) {
    if (scene === CHECK_SCENE) return guard(checkProgram);
    guard(loadProgram);
    if (scene !== LOAD_SCENE) return guard(() => App.current._launch(page, scene, Object.fromEntries(query)));
    return undefined;
  },
  onShow() {
    guard(loadProgram);
    return guard(() => App.current._show());
  },
  onHide() {
    guard(loadProgram);
    return guard(() => App.current._hide());
  },
  onUnload() {},
};

export const events = {
  onEvent(page, handler, data) {
    guard(loadProgram);
    return guard(() => App.current._event(page, handler, data ? JSON.parse(data) : {}));
  },
};
