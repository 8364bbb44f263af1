"""Calls one SDK function per event and shows what came back: its type, and each field's type and value.

The view's one text is JSON: `{"type": ..., "module": ..., "fields": {...}}`
for a dataclass, `{"type": ..., "value": ..., "name": ...}` for an enum member,
`{"type": ..., "value": ...}` for a plain value; or `error <Kind>: <message>`.
"""

import base64
import dataclasses
import enum
import json

from capsule_sdk import App, CapabilityError, Page, handler
from capsule_sdk import location, media, network, payments, profile, qr, storage, ui
from capsule_sdk import view as v

app = App()
APP_ID = "dev.capsule.tests.typed"


def describe(value):
    """The type of `value` and, inside it, of every field or item."""
    kind = type(value)
    if isinstance(value, enum.Enum):
        return {"type": kind.__qualname__, "module": kind.__module__, "value": value.value, "name": value.name,
                "is_str": isinstance(value, str), "str": str(value)}
    if dataclasses.is_dataclass(value):
        try:
            setattr(value, dataclasses.fields(value)[0].name, None)
            frozen = False
        except dataclasses.FrozenInstanceError:
            frozen = True
        fields = {f.name: describe(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"type": kind.__qualname__, "module": kind.__module__, "frozen": frozen, "fields": fields}
    if isinstance(value, bytes):
        return {"type": "bytes", "length": len(value)}
    if isinstance(value, (list, tuple)):
        return {"type": kind.__name__, "items": [describe(item) for item in value]}
    if isinstance(value, dict):
        return {"type": "dict", "items": {key: describe(item) for key, item in value.items()}}
    return {"type": kind.__name__, "value": value}


def first_photo():
    picked = media.pick("image", 1)
    return picked[0].handle


CALLS = {
    "location.get_position": lambda d: location.get_position(d.get("precise", False), d.get("datum", "wgs84")),
    "profile.user_id": lambda d: profile.user_id(),
    "profile.get_profile": lambda d: profile.get_profile(),
    "storage.usage": lambda d: storage.usage(),
    "storage.get": lambda d: storage.get(d["key"]),
    "media.pick": lambda d: media.pick(d.get("kind", "image"), 1),
    "media.thumbnail": lambda d: media.thumbnail(first_photo(), 64),
    "media.upload": lambda d: media.upload(first_photo()),
    "media.read": lambda d: media.read(first_photo(), 0, 16),
    "qr.make_code": lambda d: qr.make_code(APP_ID, "index", d.get("params", {}), fmt=d.get("fmt", "png")),
    "qr.decode": lambda d: qr.decode(base64.b64decode(d["image"])),
    "qr.scan": lambda d: qr.scan(),
    "network.fetch": lambda d: network.fetch(d["url"]),
    "payments.request_payment": lambda d: payments.request_payment(
        d["order_id"], 1250, "CNY", "1 x Flat white", [("Flat white", 1, 1250)]),
    "payments.query_order": lambda d: payments.query_order(d["order_id"]),
    "payments.refund": lambda d: payments.refund(d["order_id"], d["refund_id"], d["amount"], "spilled"),
    "payments.transfer": lambda d: payments.transfer(d["to"], 300, "CNY", "lunch"),
    "payments.create_red_envelope": lambda d: payments.create_red_envelope(900, "CNY", 3, "for you", 3600),
    "payments.claim_red_envelope": lambda d: payments.claim_red_envelope(d["envelope_id"]),
    "ui.modal": lambda d: ui.modal("Sure?", "Just checking"),
    "ui.toast": lambda d: ui.toast("Saved", d.get("kind", "success")),
}


@app.page("index")
class Index(Page):
    outcome = "ready"

    def render(self):
        return v.page("Types", v.text(self.outcome))

    @handler
    def run(self, data):
        try:
            self.outcome = json.dumps(describe(CALLS[data["call"]](data)))
        except CapabilityError as error:
            self.outcome = f"error {type(error).__name__}: {error}"
