"""Calls one `messages` function per handler and shows the outcome (or the error) as text."""

import json

from capsule_sdk import App, CapabilityError, Page, handler, messages, profile, view as v

app = App()


def attempt(action):
    try:
        return json.dumps(action(), sort_keys=True)
    except CapabilityError as error:
        return f"error {type(error).__name__}: {error}"


@app.page("index")
class Index(Page):
    outcome = "ready"

    def render(self):
        return v.page(
            "Messages probe",
            v.text(self.outcome),
            v.button("Get order messages", "subscribe", {"templates": ["order-ready"]}),
            v.button("Follow", "follow"),
            v.button("Customer service", "chat"),
            v.button("Share the receipt", "share", {"title": "My receipt", "page": "receipt", "params": {"order": "A17"}}),
        )

    @handler
    def subscribe(self, data):
        self.outcome = attempt(lambda: {k: str(c) for k, c in messages.subscribe(data["templates"]).items()})

    @handler
    def follow(self, data):
        self.outcome = attempt(messages.follow)

    @handler
    def chat(self, data):
        self.outcome = attempt(messages.open_chat)

    @handler
    def share(self, data):
        self.outcome = attempt(lambda: messages.share(data["title"], data["page"], data.get("params", {})))

    @handler
    def whoami(self, data):
        self.outcome = attempt(profile.user_id)


@app.page("receipt")
class Receipt(Page):
    order = ""

    def on_load(self, query):
        self.order = dict(query).get("order", "")

    def render(self):
        return v.page("Receipt", v.text("receipt " + self.order))
