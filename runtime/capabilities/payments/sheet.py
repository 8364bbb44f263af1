"""The payment sheet: what the user sees before any money moves."""

from __future__ import annotations

from ...prompter import ConfirmRequest
from ..base import CallContext
from .money import format_amount


def merchant_name(ctx: CallContext) -> str:
    """The merchant is the program's developer, as the manifest names them."""
    developer = ctx.app.manifest.developer
    return developer.name if developer is not None else ctx.app.id


def payment_sheet(
    ctx: CallContext, *, title: str, amount: int, currency: str, description: str, balance: int, payee: str,
    extra: tuple[tuple[str, str], ...] = (),
) -> ConfirmRequest:
    return ConfirmRequest(
        user=ctx.user,
        app_id=ctx.app.id,
        app_name=ctx.app.name,
        title=title,
        message=description,
        confirm_label=f"Pay {format_amount(amount, currency)}",
        cancel_label="Cancel",
        kind="payment",
        details=(
            ("Program", ctx.app.name),
            ("To", payee),
            ("Amount", format_amount(amount, currency)),
            ("Description", description),
            *extra,
            ("Your balance", format_amount(balance, currency)),
        ),
    )
