"""{{title}}: edit this file, then `capsule dev` (live) or `capsule build` and `capsule run`.

Import any standard library module wherever you need it; put vendored
pure-Python packages under lib/.
"""

from capsule_sdk import App, Page, handler, view as v

app = App()


@app.page("index")
class Index(Page):
    count = 0

    def render(self):
        return v.page(
            "{{title}}",
            v.text("Hello from {{title}}!", style="title"),
            v.text(f"Pressed {self.count} {'time' if self.count == 1 else 'times'}."),
            v.button("Press me", "increment", style="primary"),
        )

    @handler
    def increment(self, data):
        self.count += 1
