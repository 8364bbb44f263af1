"""What capability calls return: frozen dataclasses and string enums.

    from capsule_sdk.types import Position, Receipt

Each record has the fields of its WIT record (`sdk/wit/capsule-app.wit`) in
snake_case, so `position.accuracy_meters` reads as the contract says. Each
enum is a `StrEnum` whose values are the WIT case names: `position.datum ==
"wgs84"` holds, the value prints and serialises to JSON as plain text, and
`.name` is the upper-case Python name (`"WGS84"`). Importing this module uses
no capability: a program may name these types without declaring anything.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from .errors import InvalidArgument

#: How much of a rejected argument an error message repeats.
_SHOWN = 40

E = TypeVar("E", bound="WitEnum")
R = TypeVar("R")


class WitEnum(enum.StrEnum):
    """A WIT enum: values are the WIT case names, names match the generated bindings."""

    @classmethod
    def from_wit(cls: type[E], member: enum.Enum) -> E:
        """The member for a value the bindings returned."""
        return cls[member.name]

    @classmethod
    def parse(cls: type[E], value: object, argument: str) -> E:
        """`value` (a member, or its value in any case) as a member; InvalidArgument otherwise."""
        if isinstance(value, str):
            try:
                return cls(value.lower())
            except ValueError:
                shown = repr(value[:_SHOWN]) + ("..." if len(value) > _SHOWN else "")
        else:
            # Not repr(): it can be huge, or raise (a very large int), for a value a program chose.
            shown = f"a value of type {type(value).__name__}"
        allowed = ", ".join(member.value for member in cls)
        raise InvalidArgument(f"{argument} must be one of {allowed}; got {shown}")

    def to_wit(self, bindings_enum: type[enum.Enum]) -> enum.Enum:
        """The generated bindings' member of the same name."""
        return bindings_enum[self.name]


def from_wit(cls: type[R], raw: object, **converted: Any) -> R:
    """A `cls` with every field copied from the bindings' record `raw`, except those given converted."""
    copied = {f.name: getattr(raw, f.name) for f in fields(cls) if f.name not in converted}  # type: ignore[arg-type]
    return cls(**copied, **converted)


# -- ui and log ---------------------------------------------------------------


class ToastKind(WitEnum):
    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


# -- storage ------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaUsage:
    """This user's share of the program's storage."""

    #: UTF-8 bytes of every key and value stored.
    used_bytes: int
    #: The most `used_bytes` may reach (the manifest's `quota_bytes`).
    quota_bytes: int
    #: How many keys are stored.
    keys: int


# -- payments -----------------------------------------------------------------


class OrderState(WitEnum):
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially-refunded"
    REFUNDED = "refunded"


@dataclass(frozen=True)
class Receipt:
    """A payment or transfer, signed by the host (Ed25519 over `payload`)."""

    transaction_id: str
    #: The merchant's order id; for a transfer, the transaction id.
    order_id: str
    #: Minor units of `currency` (cents, fen): 1250 CNY is 12.50 yuan.
    amount: int
    #: ISO 4217 code, e.g. "CNY".
    currency: str
    #: Milliseconds since the Unix epoch (UTC).
    paid_at: int
    #: The canonical JSON text the host signed; send it to your backend.
    payload: str
    #: Base64 of the Ed25519 signature over `payload`.
    signature: str


@dataclass(frozen=True)
class Order:
    """A paid order as the host's ledger knows it."""

    order_id: str
    transaction_id: str
    #: Minor units paid.
    amount: int
    #: Minor units given back so far.
    refunded: int
    currency: str
    state: OrderState


@dataclass(frozen=True)
class RefundReceipt:
    """A refund, signed by the host like a receipt."""

    refund_id: str
    order_id: str
    #: Minor units given back by this refund.
    amount: int
    currency: str
    #: Milliseconds since the Unix epoch (UTC).
    refunded_at: int
    payload: str
    signature: str


@dataclass(frozen=True)
class Envelope:
    """A red envelope: money in escrow, cut at random into shares."""

    envelope_id: str
    #: Minor units put in.
    total: int
    currency: str
    shares: int
    #: Shares claimed so far.
    claimed: int
    #: Milliseconds since the Unix epoch (UTC); unclaimed money returns then.
    expires_at: int


# -- profile ------------------------------------------------------------------


@dataclass(frozen=True)
class UserProfile:
    """What the user agreed to share; a field the manifest does not list is empty."""

    nickname: str
    #: An address the host serves, or empty.
    avatar_url: str
    #: BCP 47, e.g. "nl-NL".
    locale: str


# -- location -----------------------------------------------------------------


class Precision(WitEnum):
    FUZZY = "fuzzy"
    PRECISE = "precise"


class Datum(WitEnum):
    WGS84 = "wgs84"
    GCJ02 = "gcj02"


@dataclass(frozen=True)
class Position:
    """Where the user is, as precisely as they allowed."""

    #: Degrees north (negative: south), in `datum`.
    latitude: float
    #: Degrees east (negative: west), in `datum`.
    longitude: float
    #: Metres: the true position is within this radius (about 1,400 for fuzzy).
    accuracy_meters: float
    datum: Datum
    precision: Precision
    #: Milliseconds since the Unix epoch (UTC).
    measured_at: int


# -- media --------------------------------------------------------------------


class MediaKind(WitEnum):
    IMAGE = "image"
    VIDEO = "video"
    ANY = "any"


@dataclass(frozen=True)
class MediaInfo:
    """A picked (or derived) file; its bytes are read with `media.read(handle)`."""

    #: Opaque; valid for this session only.
    handle: str
    #: Judged from the content, e.g. "image/jpeg".
    mime_type: str
    #: Bytes of the cleaned file.
    size_bytes: int
    #: Pixels (0 when unknown).
    width: int
    #: Pixels (0 when unknown).
    height: int
    #: Milliseconds of a video; 0 for an image.
    duration_ms: int


@dataclass(frozen=True)
class Uploaded:
    """A file stored in the host's media store."""

    #: Where the host serves it.
    url: str
    #: sha256 of the stored bytes, lower-case hex.
    digest: str
    size_bytes: int


# -- qr -----------------------------------------------------------------------


class ImageFormat(WitEnum):
    PNG = "png"
    SVG = "svg"


class CodeFormat(WitEnum):
    QR = "qr"
    EAN13 = "ean13"
    CODE128 = "code128"


@dataclass(frozen=True)
class LaunchTarget:
    """Where a launch address lands: a program, one of its pages, and parameters."""

    app_id: str
    page: str
    #: Why the program is opened, e.g. "qr".
    scene: str
    #: Scene parameters by name.
    params: dict[str, str]


@dataclass(frozen=True)
class Code:
    """A QR code that opens a program."""

    #: The `capsule://` launch address the code carries.
    address: str
    #: PNG bytes as base64, or SVG text.
    image: str


@dataclass(frozen=True)
class ScanResult:
    """What a scanned or decoded code says."""

    text: str
    format: CodeFormat
    #: The parsed launch address when `text` is one (one element), else empty;
    #: a tuple, as the WIT record's list, so `len()` and iterating keep working.
    target: tuple[LaunchTarget, ...]


# -- network ------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    """An HTTP response from a declared host."""

    #: The HTTP status code, e.g. 200.
    status: int
    #: (name, value) pairs in the order received; a name may repeat.
    headers: tuple[tuple[str, str], ...]
    #: UTF-8 text, or base64 when `x-capsule-body-encoding: base64` is among the headers.
    body: str

    def header(self, name: str) -> str | None:
        """The first value of header `name` (any case), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


# -- messages ---------------------------------------------------------------------


class SubscriptionChoice(WitEnum):
    """What the user chose for one template on the subscribe sheet."""

    REFUSED = "refused"
    ONCE = "once"
    ALWAYS = "always"
