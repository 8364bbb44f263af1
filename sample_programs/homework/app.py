"""Homework: pick a photo, hand it in, show where the host keeps it."""

from capsule_sdk import App, CapabilityError, Page, handler, media, view as v

app = App()


@app.page("hand-in")
class HandIn(Page):
    def on_load(self, query):
        self.uploaded = None
        self.problem = ""

    def render(self):
        children = [v.text("Hand in your homework", style="title")]
        if self.uploaded:
            children += [
                v.text("Handed in.", style="title"),
                v.text(f"Address: {self.uploaded['url']}"),
                v.text(f"{self.uploaded['size']:,} bytes, {self.uploaded['width']}×{self.uploaded['height']}", style="caption"),
            ]
        children.append(v.button("Choose a photo", "choose", style="primary"))
        if self.problem:
            children.append(v.text(self.problem, style="error"))
        return v.page("Homework", *children)

    @handler
    def choose(self, data):
        try:
            picked = media.pick("image", 1)
            if not picked:
                self.problem = "No photo chosen."
                return
            stored = media.upload(picked[0].handle)
        except CapabilityError as error:
            self.problem = f"That photo cannot be handed in: {error}"
            return
        item = picked[0]
        self.uploaded = {"url": stored.url, "size": stored.size_bytes, "width": item.width, "height": item.height}
        self.problem = ""
