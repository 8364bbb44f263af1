// A JavaScript program that attacks its sandbox; each handler reports what happened in the view.
const capsule = require("capsule");
const { App, CapabilityError, log, storage, view: v } = capsule;

const app = new App();

function attempt(action) {
  try {
    return `allowed: ${JSON.stringify(action())}`.slice(0, 300);
  } catch (error) {
    return `blocked: ${error && error.name}: ${String(error && error.message).slice(0, 200)}`;
  }
}

app.page("index", {
  data: { outcome: "ready" },
  render() {
    return v.page("Hostile", v.text(this.data.outcome));
  },
  handlers: {
    spin() { for (;;) {} },
    async asyncSpin() { for (;;) await null; },
    timerSpin() { return new Promise(() => { const again = () => setTimeout(again, 0); again(); }); },
    allocate() { const hoard = []; for (;;) hoard.push(new Uint8Array(16 << 20)); },
    recurse() {
      const down = (n) => down(n + 1) + 1;
      this.data.outcome = "recurse " + attempt(() => down(0));
    },
    hugeView() { this.data.outcome = "x".repeat(2 * 1024 * 1024); },
    callFlood() { for (let i = 0; i < 100000; i++) log.debug("flood"); },
    undeclared() {
      try {
        storage.get("secret");
        this.data.outcome = "undeclared allowed";
      } catch (error) {
        this.data.outcome = `undeclared blocked: ${error.name}: ${error instanceof CapabilityError}: ${error.message}`;
      }
    },
    follow() {
      // The messages interface, added to the contract after the runtime was first written.
      this.data.outcome = "follow " + attempt(() => capsule.messages.follow());
    },
    evalHostile(data) {
      // A string the program got from outside, run as code: it gets only what the program has.
      this.data.outcome = "eval " + attempt(() => (0, eval)(data.code || "typeof require"));
    },
    pollute() {
      // Prototype pollution and monkey-patching of the SDK, aiming at the storage interface.
      const results = [];
      results.push(attempt(() => { Object.prototype.payload = { tag: "ok" }; return "polluted Object.prototype"; }));
      results.push(attempt(() => { capsule.storage = { get: () => "mine" }; return "replaced capsule.storage"; }));
      results.push(attempt(() => { capsule.App.prototype._render = () => null; return "patched App.prototype"; }));
      results.push(attempt(() => { Function.prototype.call = function () { return "hijacked"; }; return "patched Function.prototype.call"; }));
      results.push(attempt(() => storage.get("secret")));
      delete Object.prototype.payload;
      this.data.outcome = "pollute " + results.join(" | ");
    },
    readFile(data) {
      this.data.outcome = "readFile " + attempt(() => require(data.path || "../../../../etc/passwd"));
    },
    readSignature() {
      this.data.outcome = "readSignature " + attempt(() => require("./signature.json"));
    },
    platform() {
      const env = typeof process === "undefined" ? "no process" : JSON.stringify(process.env);
      this.data.outcome = `platform fetch=${typeof fetch} process=${env} fs=${typeof require("capsule").fs} Deno=${typeof Deno}`;
    },
  },
});
