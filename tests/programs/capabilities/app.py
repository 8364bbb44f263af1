"""Calls one capability per handler and shows the outcome (or the error) as text."""

import base64
import dataclasses
import json

from capsule_sdk import App, CapabilityError, Page, handler, location, media, network, profile, qr, storage, view as v

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
        launch = {"page": self.page_name, "scene": app.scene, "query": dict(query)}
        self.outcome = "launched " + json.dumps(launch, sort_keys=True)

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
        self.outcome = attempt(lambda: dataclasses.asdict(storage.usage()))

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

    @handler
    def make_code(self, data):
        def make():
            code = qr.make_code(data.get("app_id", "dev.capsule.tests.capabilities"), data.get("page", "table"),
                                data.get("params", {}), fmt=data.get("fmt", "png"), size=256)
            return {"address": code.address, "image_chars": len(code.image)}

        self.outcome = attempt(make)

    @handler
    def scan(self, data):
        def scanned():
            r = qr.scan()
            targets = [{"app_id": t.app_id, "page": t.page, "scene": t.scene, "params": dict(t.params)} for t in r.target]
            return {"text": r.text, "format": str(r.format.name).lower(), "target": targets}

        self.outcome = attempt(scanned)

    @handler
    def decode(self, data):
        def decoded():
            r = qr.decode(base64.b64decode(data["image"]))
            return {"text": r.text, "format": str(r.format.name).lower()}

        self.outcome = attempt(decoded)

    @handler
    def upload_photo(self, data):
        def upload():
            picked = media.pick("image", 1)
            if not picked:
                return "nothing picked"
            item = picked[0]
            data, offset = b"", 0
            while True:
                chunk = media.read(item.handle, offset, 4096)
                if not chunk:
                    break
                data += chunk
                offset += len(chunk)
            stored = media.upload(item.handle)
            return {"mime": item.mime_type, "size": item.size_bytes, "read": len(data), "width": item.width,
                    "digest": stored.digest, "url": stored.url}

        self.outcome = attempt(upload)

    @handler
    def fetch(self, data):
        def get():
            r = network.fetch(data["url"])
            return {"status": r.status, "body": r.body}

        self.outcome = attempt(get)


@app.page("table")
class Table(Index):
    pass
