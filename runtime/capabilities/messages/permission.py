"""The `messages` section of a manifest: the message templates a program may send.

    "messages": {
      "reason": "To tell you when your order is ready",
      "templates": [
        {"id": "order-ready",
         "title": {"en": "Your order is ready", "zh-Hans": "订单已备好"},
         "fields": {"order": "text", "pickup": "time"},
         "reason": "So you know when to collect your coffee"}
      ],
      "chat": true,
      "follow": true
    }

A merchant sends a template message with values for exactly its fields, each
of its declared type; the host checks them before anything is stored. The
user subscribes to templates on the host's sheet, which lists each title and
reason.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ...manifest.locale import LocalizedTitle
from ...manifest.permission import Permission, Reason
from ...views.documents import text_pattern

#: The types a template field may have, and what a value of each must be.
FieldType = Literal["text", "number", "amount", "time", "code"]
FIELD_TYPES: dict[str, str] = {
    "text": "text of at most 200 characters",
    "number": "a whole number",
    "amount": 'money as "<minor units> <ISO 4217 code>", such as "1250 CNY"',
    "time": "milliseconds since the Unix epoch (UTC), a whole number",
    "code": "letters, digits, '-' and '_', at most 32 characters (an order or pickup code)",
}

MAX_TEMPLATES = 20
MAX_FIELDS = 10

TemplateId = Annotated[
    str,
    text_pattern(
        r"^[a-z][a-z0-9-]*$",
        'a template id: a lowercase letter followed by lowercase letters, digits or "-", such as "order-ready"',
        max_length=64,
    ),
]
FieldName = Annotated[
    str,
    text_pattern(
        r"^[a-z][a-z0-9_]*$",
        'a field name: a lowercase letter followed by lowercase letters, digits or "_", such as "pickup_code"',
        max_length=32,
    ),
]


class MessageTemplate(BaseModel):
    """One kind of message the program's merchant backend may send."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: Annotated[TemplateId, Field(description="The template's id; the merchant API names templates by it.")]
    title: Annotated[LocalizedTitle, Field(description="The message's title per language, shown on the sheet and the card.")]
    fields: Annotated[
        dict[FieldName, FieldType],
        Field(
            max_length=MAX_FIELDS,
            description="The values each message carries, name -> type: " + "; ".join(f"{k}: {v}" for k, v in FIELD_TYPES.items()),
        ),
    ] = {}
    reason: Annotated[Reason, Field(description="Why the user would want these messages, shown on the subscribe sheet.")]


class MessagesPermission(Permission):
    """Messages to the user, each kind consented to: templates, following, chat, sharing."""

    capability: ClassVar[str] = "messages"

    templates: Annotated[
        list[MessageTemplate],
        Field(max_length=MAX_TEMPLATES, description="The message templates users may subscribe to, each id once."),
    ] = []
    follow: bool = Field(False, description="Whether the program asks users to follow it (service updates, 2 a week).")
    chat: bool = Field(False, description="Whether the program offers a customer-service chat.")
    share: bool = Field(False, description="Whether the program shares pages to the user's contacts.")

    @model_validator(mode="after")
    def _ids_are_unique(self) -> "MessagesPermission":
        seen: set[str] = set()
        for index, template in enumerate(self.templates):
            if template.id in seen:
                raise ValueError(f'templates/{index}: the template id "{template.id}" is used twice; give each template its own id')
            seen.add(template.id)
        return self

    def template(self, template_id: str) -> MessageTemplate | None:
        return next((t for t in self.templates if t.id == template_id), None)
