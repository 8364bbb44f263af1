"""The `payments` section of a manifest: the currencies the merchant accepts,
and optionally the merchant backend that is notified of payments."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from ...manifest.fields import HttpsUrl
from ...manifest.permission import Permission
from ...views.documents import NotNull, UniqueItems, text_pattern

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

    notify_url: Annotated[
        HttpsUrl | None,
        NotNull(),
        Field(
            description="Where the host POSTs a signed notification after each payment of this program. "
            "Its host must also be listed under permissions.network.hosts."
        ),
    ] = None
