"""Hello: a greeting and a counter."""

from capsule_sdk import App, Page, handler, view as v

app = App()


@app.page("index")
class Index(Page):
    count = 0

    def on_load(self, query):
        self.name = query.get("name", "world")

    def render(self):
        return v.page(
            "Hello",
            v.text(f"Hello, {self.name}!", style="title"),
            v.text(f"You pressed the button {self.count} {'time' if self.count == 1 else 'times'}."),
            v.button("Press me", "increment", style="primary"),
        )

    @handler
    def increment(self, data):
        self.count += 1
