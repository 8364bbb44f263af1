"""Checking what a sender supplies against the manifest: template fields, the page, parameters, text.

Every value here comes from a program or a merchant server and is hostile:
it is bounded, typed, and refused with a message that names the field.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ...manifest.locale import pick_text
from ..qr.address import AddressError, LaunchTarget
from .errors import BadMessage
from .permission import MessagesPermission, MessageTemplate

if TYPE_CHECKING:
    from ...manifest import Manifest

TEXT_MAX = 200
#: A chat message, a service update's body, a text to a contact.
BODY_MAX = 1000
TITLE_MAX = 60
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_AMOUNT = re.compile(r"^(0|[1-9][0-9]{0,15}) [A-Z]{3}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def section(manifest: "Manifest") -> MessagesPermission | None:
    found = manifest.permission("messages")
    return found if isinstance(found, MessagesPermission) else None


def template_title(manifest: "Manifest", template: MessageTemplate, locale: str | None = None) -> str:
    """The title in `locale`, else the manifest's default language, else any."""
    if manifest.default_locale in template.title:
        return pick_text(template.title, locale, manifest.default_locale)
    return next(iter(template.title.values()))


def find_template(manifest: "Manifest", template_id: str) -> MessageTemplate:
    declared = section(manifest)
    found = declared.template(template_id) if declared is not None else None
    if found is None:
        known = ", ".join(t.id for t in declared.templates) if declared is not None else ""
        raise BadMessage(
            f"template {template_id!r} is not declared in {manifest.id}'s manifest"
            + (f" (declared: {known})" if known else " (it declares no message templates)")
        )
    return found


def check_fields(template: MessageTemplate, values: Any) -> dict[str, Any]:
    """`values` must give exactly the template's fields, each of its type."""
    if not isinstance(values, dict):
        raise BadMessage("fields must be an object of field name -> value")
    missing = sorted(set(template.fields) - set(values))
    extra = sorted(set(values) - set(template.fields))
    if missing or extra:
        parts = []
        if missing:
            parts.append("missing " + ", ".join(missing))
        if extra:
            parts.append("not in the template " + ", ".join(repr(e)[:40] for e in extra[:5]))
        raise BadMessage(f"fields do not match template {template.id!r}: " + "; ".join(parts))
    checked: dict[str, Any] = {}
    for name, kind in template.fields.items():
        value = values[name]
        wrong = f"field {name!r} must be "
        if kind == "text":
            if not isinstance(value, str) or len(value) > TEXT_MAX:
                raise BadMessage(wrong + f"text of at most {TEXT_MAX} characters")
            checked[name] = _CONTROL.sub("", value)
        elif kind in ("number", "time"):
            if isinstance(value, bool) or not isinstance(value, int) or (kind == "time" and value < 0) or abs(value) >= 2**53:
                raise BadMessage(wrong + ("a whole number" if kind == "number" else "milliseconds since the epoch, a whole number"))
            checked[name] = value
        elif kind == "amount":
            if not isinstance(value, str) or not _AMOUNT.fullmatch(value):
                raise BadMessage(wrong + 'money as "<minor units> <ISO 4217 code>", such as "1250 CNY"')
            checked[name] = value
        elif kind == "code":
            if not isinstance(value, str) or not _CODE.fullmatch(value):
                raise BadMessage(wrong + "1 to 32 letters, digits, '-' or '_'")
            checked[name] = value
    return checked


def check_target(manifest: "Manifest", page: Any, params: Any) -> tuple[str, dict[str, str]]:
    """A page of the program (or "" for its first) and launch parameters within the address rules."""
    if page is None:
        page = ""
    if params is None:
        params = {}
    if not isinstance(page, str) or (page and manifest.page(page) is None):
        pages = ", ".join(p.name for p in manifest.pages)
        raise BadMessage(f"page {str(page)[:64]!r} is not a page of {manifest.id} (its pages: {pages})")
    if not isinstance(params, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in params.items()):
        raise BadMessage("params must be an object of text -> text")
    try:
        LaunchTarget(manifest.id, page, "message", dict(params)).check()
    except AddressError as error:
        raise BadMessage(f"params: {error}") from None
    return page, dict(params)


def check_text(value: Any, what: str, most: int = BODY_MAX, *, empty: bool = False) -> str:
    """Plain text, bounded; control characters other than newline and tab are dropped."""
    if not isinstance(value, str) or len(value) > most or (not empty and not value.strip()):
        raise BadMessage(f"{what} must be text of {'0' if empty else '1'} to {most} characters")
    return _CONTROL.sub("", value)
