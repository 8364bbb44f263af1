"""Says what a terminal would obey (rich markup, escape sequences, bidi overrides) in its view,
its log and its toasts. `say` repeats any text it is given, so a test can send it anything."""

from capsule_sdk import App, Page, handler, log, ui, view as v

FIRST_WORDS = "[/] [bold]not bold[/bold] \x1b[2J\x1b[H cleared? \rback \bspace \u202eesrever"

app = App()


@app.page("index")
class Index(Page):
    def on_load(self, query):
        self.said = FIRST_WORDS

    def render(self):
        return v.page(
            f"[bold]{self.said}",
            v.text(self.said, style="title"),
            v.text(self.said),
            v.button(self.said, "say", {"text": self.said}),
        )

    @handler
    def say(self, data):
        self.said = str(data.get("text", FIRST_WORDS))
        log.info(self.said)
        log.warn(self.said)  # warnings reach Python's logging, which prints them when nothing else does
        ui.toast(self.said, "info")
