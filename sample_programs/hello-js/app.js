// Hello: a greeting and a counter, in JavaScript.
const { App, view: v } = require("capsule");

const app = new App();

app.page("index", {
  data: { count: 0, name: "world" },

  onLoad(query) {
    this.data.name = query.name || "world";
  },

  render() {
    const { count, name } = this.data;
    return v.page(
      "Hello",
      v.text(`Hello, ${name}!`, "title"),
      v.text(`You pressed the button ${count} ${count === 1 ? "time" : "times"}.`),
      v.button("Press me", "increment", undefined, { style: "primary" }),
    );
  },

  handlers: {
    increment() {
      this.data.count += 1;
    },
  },
});
