"""The program `capsule bench` measures: a small view, an event, many host calls."""

from capsule_sdk import App, Page, handler, log, view as v

app = App()


@app.page("index")
class Index(Page):
    count = 0

    def render(self):
        return v.page(
            "Bench",
            v.text(f"count {self.count}"),
            v.row(v.button("Add", "tick"), v.button("Log", "hostcalls", {"n": 100})),
            v.price(1250, "CNY", "total"),
        )

    @handler
    def tick(self, data):
        self.count += 1

    @handler
    def hostcalls(self, data):
        for _ in range(int(data.get("n", 100))):
            log.debug("x")
        self.count += 1
