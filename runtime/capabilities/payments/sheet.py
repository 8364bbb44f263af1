"""The payment sheet: what the user sees before any money moves."""

from __future__ import annotations

from ...prompter import ConfirmRequest, Money
from ..base import CallContext, CapabilityError


def merchant_name(ctx: CallContext) -> str:
    """The merchant is the program's developer, as the manifest names them."""
    developer = ctx.app.manifest.developer
    return developer.name if developer is not None else ctx.app.id


def payment_sheet(
    ctx: CallContext, *, title: str, amount: int, currency: str, description: str, balance: int, payee: str,
    extra: tuple[tuple[str, str | Money], ...] = (),
) -> ConfirmRequest:
    """Amounts go as `Money`, so every host shows them in its own one format."""
    return ConfirmRequest(
        user=ctx.user,
        app_id=ctx.app.id,
        app_name=ctx.app.name,
        title=title,
        message=description,
        confirm_label="Pay",
        cancel_label="Cancel",
        kind="payment",
        details=(
            ("Program", ctx.app.name),
            ("To", payee),
            ("Amount", Money(amount, currency)),
            ("Description", description),
            *extra,
            ("Your balance", Money(balance, currency)),
        ),
        amount=Money(amount, currency),
    )


def locked_notice(ctx: CallContext, locked: CapabilityError) -> ConfirmRequest:
    """Tells the user why nothing was paid while their payments are locked."""
    return ConfirmRequest(
        user=ctx.user,
        app_id=ctx.app.id,
        app_name=ctx.app.name,
        title="Payments locked",
        message=str(locked),
        codes={"message": locked.coded()},
        confirm_label="OK",
        cancel_label=None,
        kind="notice",
    )
