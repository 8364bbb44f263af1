"""Money on the payment path: integer minor units and ISO 4217 codes, never floats."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ...views.currency import format_amount, minor_units

#: The currencies the embedded default serves (ISO 4217, active codes that people pay in).
KNOWN_CURRENCIES: frozenset[str] = frozenset(
    """AED ARS AUD BHD BRL CAD CHF CLP CNY COP CZK DKK EGP EUR GBP HKD HUF IDR ILS INR ISK JOD JPY
    KES KRW KWD MAD MXN MYR NGN NOK NZD OMR PEN PHP PKR PLN QAR RON RUB SAR SEK SGD THB TND TRY TWD
    UAH USD VND ZAR""".split()
)

__all__ = ["KNOWN_CURRENCIES", "format_amount", "minor_units", "parse_amount"]


def parse_amount(text: str, currency: str) -> int:
    """Decimal text in major units ("12.50") as integer minor units (1250).

    Parsed with `Decimal`, so "0.1" is exactly ten cents; more decimals than the
    currency has is an error rather than a silent rounding.
    """
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount; write it like 12.50") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not an amount; write it like 12.50")
    minor = value.scaleb(minor_units(currency))
    if minor != minor.to_integral_value():
        raise ValueError(f"{currency} has {minor_units(currency)} decimals; {text!r} has more")
    return int(minor)
