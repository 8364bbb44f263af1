"""The `payments` section of a manifest: the currencies the merchant accepts."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from ...manifest.permission import Permission
from ...views.documents import UniqueItems, text_pattern

#: ISO 4217 alphabetic code. The host's payment provider decides which it serves.
CurrencyCode = Annotated[
    str,
    text_pattern(r"^[A-Z]{3}$", 'an ISO 4217 currency code: three capital letters such as "CNY", "EUR" or "USD"'),
]


class PaymentsPermission(Permission):
    """Payments the user confirms on the host's payment sheet."""

    capability: ClassVar[str] = "payments"

    currencies: Annotated[
        list[CurrencyCode],
        Field(min_length=1, description="The ISO 4217 currencies the program charges in, each once."),
        UniqueItems(),
    ]
