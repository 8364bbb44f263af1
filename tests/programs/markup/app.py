"""Every string a view can carry holds markup or script; a safe host shows it as text and runs none of it."""

from capsule_sdk import App, Page, handler, ui, view as v

SCRIPT = "<script>window.__pwned = 'script'</script>"
IMAGE = '<img src="x" onerror="window.__pwned = \'img\'">'
LINK = '<a href="javascript:window.__pwned=\'link\'">click</a>'

app = App()


@app.page("index")
class Index(Page):
    def on_load(self, query):
        self.taps = 0

    def render(self):
        return v.page(
            f"Title {SCRIPT}",
            v.text(SCRIPT, style="title"),
            v.text(IMAGE),
            v.text(LINK),
            v.row(v.text(f"taps: {self.taps}"), v.button(f"Tap {IMAGE}", "tap", {"html": SCRIPT})),
            v.form("submit", v.input("name", f"Name {SCRIPT}", value=IMAGE, placeholder=SCRIPT), submit_label=f"Send {IMAGE}"),
            v.list_view([v.text(LINK), v.text(SCRIPT)], handler="pick"),
            v.price(1250, "CNY", label=IMAGE),
            v.qr("capsule://dev.capsule.tests.markup/index", label=SCRIPT),
            v.map_pin(52.37, 4.89, IMAGE),
        )

    @handler
    def tap(self, data):
        self.taps += 1
        ui.toast(f"toast {SCRIPT}", "info")

    @handler
    def submit(self, data):
        self.taps += 1

    @handler
    def pick(self, data):
        self.taps += 1
