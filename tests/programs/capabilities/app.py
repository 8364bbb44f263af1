"""Calls one capability per handler and shows the outcome (or the error) as text."""

import json

from capsule_sdk import App, CapabilityError, Page, handler, location, profile, storage, view as v

app = App()


def attempt(action):
    try:
        return json.dumps(action(), sort_keys=True)
    except CapabilityError as error:
        return f"error {type(error).__name__}: {error}"


def position(precise, datum):
    p = location.get_position(precise=precise, datum=datum)
    return {
        "lat": p.latitude,
        "lon": p.longitude,
        "accuracy": p.accuracy_meters,
        "precision": str(p.precision.name).lower(),
        "datum": str(p.datum.name).lower(),
    }


@app.page("index")
class Index(Page):
    outcome = "ready"

    def on_load(self, query):
        self.outcome = "launched " + json.dumps(dict(query), sort_keys=True)

    def render(self):
        return v.page("Probe", v.text(self.outcome))

    @handler
    def where(self, data):
        self.outcome = attempt(lambda: position(bool(data.get("precise")), data.get("datum", "wgs84")))

    @handler
    def save(self, data):
        self.outcome = attempt(lambda: storage.set(data["key"], data["value"]))

    @handler
    def load(self, data):
        self.outcome = attempt(lambda: storage.get(data["key"]))

    @handler
    def remove(self, data):
        self.outcome = attempt(lambda: storage.delete(data["key"]))

    @handler
    def keys(self, data):
        self.outcome = attempt(lambda: storage.keys(data.get("prefix", "")))

    @handler
    def usage(self, data):
        self.outcome = attempt(storage.usage)

    @handler
    def whoami(self, data):
        self.outcome = attempt(profile.user_id)

    @handler
    def me(self, data):
        def get():
            p = profile.get_profile()
            return {"nickname": p.nickname, "avatar": p.avatar_url, "locale": p.locale}

        self.outcome = attempt(get)

    @handler
    def phone(self, data):
        self.outcome = attempt(profile.phone_number)
