// {{title}}: edit this file, then `capsule dev` (live) or `capsule build` and `capsule run`.
//
// Require your own modules with require("./name"); put vendored packages under lib/.
const { App, view: v } = require("capsule");

const app = new App();

app.page("index", {
  data: { count: 0 },

  render() {
    const { count } = this.data;
    return v.page(
      "{{title}}",
      v.text("Hello from {{title}}!", "title"),
      v.text(`Pressed ${count} ${count === 1 ? "time" : "times"}.`),
      v.button("Press me", "increment", undefined, { style: "primary" }),
    );
  },

  handlers: {
    increment() {
      this.data.count += 1;
    },
  },
});
