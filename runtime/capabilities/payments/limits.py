"""Per-transaction and per-day limits on what a user can pay out."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Shown on errors and in docs; a host sets its own through `PaymentLimits`.
DEFAULT_PER_TRANSACTION = 500_000  # 5,000.00 in a two-decimal currency
DEFAULT_PER_DAY = 2_000_000  # 20,000.00
DESCRIPTION_MAX_CHARS = 128
ORDER_ID_MAX_CHARS = 64
MAX_LINE_ITEMS = 50
MAX_ENVELOPE_SHARES = 100
MAX_ENVELOPE_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class PaymentLimits:
    """Limits in minor units, the same for every currency unless `per_currency` says otherwise.

    `per_currency` maps a currency to (per transaction, per day), e.g.
    {"JPY": (50_000, 200_000)} for a currency without decimals.
    """

    per_transaction: int = DEFAULT_PER_TRANSACTION
    per_day: int = DEFAULT_PER_DAY
    per_currency: dict[str, tuple[int, int]] = field(default_factory=dict)

    def for_currency(self, currency: str) -> tuple[int, int]:
        return self.per_currency.get(currency, (self.per_transaction, self.per_day))
