// A program written in TypeScript: compiled to the runtime's CommonJS by `capsule build`.
import { App, view as v } from "capsule";
import { greet } from "./lib/greet";

interface State { count: number; name: string }

const app = new App();

app.page<State>("index", {
  data: { count: 0, name: "TypeScript" },
  render() {
    const count: number = this.data.count;
    return v.page("TS", v.text(greet(this.data.name)), v.text(`${count} ${count === 1 ? "tap" : "taps"}`));
  },
  handlers: {
    tap(): void {
      this.data.count += 1;
    },
  },
});
