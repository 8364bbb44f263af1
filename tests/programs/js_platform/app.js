// What JS developers expect of the platform; the view shows each result as JSON.
const { App, view: v } = require("capsule");
const helpers = require("./lib/helpers");
const data = require("./data.json");

const app = new App();

app.page("index", {
  data: { report: "" },
  async onLoad() {
    const waited = await new Promise((resolve) => setTimeout(() => resolve("timer"), 5));
    const chained = await Promise.all([1, 2, 3].map(async (n) => n * 2));
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const url = new URL("https://shop.example.com/pay?bill=E-2026-11&amount=12345");
    const params = new URLSearchParams("a=1&b=%E4%BD%A0");
    const report = {
      date: new Date(Date.UTC(2026, 11, 4, 8, 5, 9)).toISOString(),
      nowSane: Date.now() > Date.UTC(2024, 0, 1),
      numberEn: new Intl.NumberFormat("en-US").format(1234567.891),
      currencyEn: new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(1234.5),
      currencyZh: new Intl.NumberFormat("zh-CN", { style: "currency", currency: "CNY" }).format(1234.5),
      percent: new Intl.NumberFormat("en", { style: "percent" }).format(0.256),
      dateEn: new Intl.DateTimeFormat("en-US", { dateStyle: "long", timeZone: "UTC" }).format(new Date(Date.UTC(2026, 11, 4))),
      dateZh: new Intl.DateTimeFormat("zh-CN", { dateStyle: "full", timeZone: "Asia/Shanghai" }).format(new Date(Date.UTC(2026, 11, 4))),
      localeNumber: (9876.5).toLocaleString("zh-CN"),
      plural: [1, 2].map((n) => new Intl.PluralRules("en").select(n)),
      json: JSON.parse(JSON.stringify({ a: [1, "二", null] })),
      regexp: "bill E-2026-11 due 2026-12-20".match(/(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})/u).groups,
      encoded: Array.from(new TextEncoder().encode("你")),
      decoded: new TextDecoder().decode(new Uint8Array([0xe5, 0xa5, 0xbd])),
      url: { host: url.host, bill: url.searchParams.get("bill"), amount: Number(url.searchParams.get("amount")) },
      params: [...params.entries()],
      randomLength: bytes.length,
      randomVaries: new Set(bytes).size > 1,
      promises: { waited, chained },
      module: helpers.shout("hi"),
      dataFile: data.greeting,
      noFetch: typeof fetch,
      noProcess: typeof process,
      noRequireFs: (() => { try { require("fs"); return "loaded"; } catch (e) { return "refused"; } })(),
    };
    this.data.report = JSON.stringify(report);
  },
  render() {
    return v.page("Platform", v.text(this.data.report || "..."));
  },
  handlers: {},
});
