"""Where the decimal point goes: ISO 4217 minor units for common currencies."""

from __future__ import annotations

#: Currencies whose minor unit is not 1/100 (ISO 4217). All others: 2 decimals.
MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(
        ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"],
        0,
    ),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    **dict.fromkeys(["CLF", "UYW"], 4),
}
DEFAULT_MINOR_UNITS = 2


def minor_units(currency: str) -> int:
    """Decimals of `currency` (2 unless the table says otherwise)."""
    return MINOR_UNITS.get(currency.upper(), DEFAULT_MINOR_UNITS)


def format_amount(amount: int, currency: str) -> str:
    """Integer minor units as text: (1250, "CNY") -> "12.50 CNY"."""
    decimals = minor_units(currency)
    sign = "-" if amount < 0 else ""
    whole, fraction = divmod(abs(amount), 10**decimals)
    number = f"{whole}.{fraction:0{decimals}d}" if decimals else str(whole)
    return f"{sign}{number} {currency}"
