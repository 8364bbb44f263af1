"""Member Card: a name (with consent), a member code for the till, points in storage."""

from capsule_sdk import App, Page, Refused, handler, profile, qr, storage, view as v

app = App()


@app.page("card")
class Card(Page):
    def on_load(self, query):
        # The member number is the pseudonymous id: the shop never learns who you are elsewhere.
        self.member = profile.user_id()
        try:
            self.name = profile.get_profile().nickname or "Member"
        except Refused:
            self.name = "Member"
        self.points = int(storage.get("points", "0"))
        self.code = qr.make_code(app_id="dev.capsule.samples.membercard", page="card", params={"member": self.member[2:18]}).address

    def render(self):
        return v.page(
            "Member Card",
            v.text(self.name, style="title"),
            v.text(f"{self.points} points"),
            v.qr(self.code, "Show this at the till"),
            v.text(f"Member {self.member}", style="caption"),
            v.button("Collect 10 points", "collect", style="primary"),
        )

    @handler
    def collect(self, data):
        self.points += 10
        storage.set("points", str(self.points))
