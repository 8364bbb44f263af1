"""The host side of the `payments` WIT interface.

Checks what can be checked without money moving (arguments, the manifest's
currencies, limits, the balance), shows the payment sheet through the
session's prompter with the user's PIN (`confirm.py`), then hands the
confirmed movement to the provider.
Replays of a paid order return its receipt without asking the user again.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, Callable, Mapping

from sqlalchemy.exc import IntegrityError

from ...prompter import ConfirmRequest, Money
from ..base import CallContext, Capability, HostFunction, InvalidArgument, NotDeclared
from ..profile.links import DeveloperLinks
from ..wit import fields, record
from .embedded import EmbeddedProvider
from .confirm import confirm_payment
from .errors import PaymentDeclined
from .limits import (
    DESCRIPTION_MAX_CHARS,
    MAX_ENVELOPE_SECONDS,
    MAX_ENVELOPE_SHARES,
    MAX_LINE_ITEMS,
    ORDER_ID_MAX_CHARS,
    PaymentLimits,
)
from .money import KNOWN_CURRENCIES, format_amount
from .notify import NotificationSender, Transport, host_allowed, http_post
from .pin import PinStore
from .provider import Charge, PaymentProvider, Receipt
from .receipts import ReceiptSigner
from .sheet import merchant_name, payment_sheet

if TYPE_CHECKING:
    from ...services import HostServices

_ID = re.compile(rf"^[A-Za-z0-9._:-]{{1,{ORDER_ID_MAX_CHARS}}}$")


class PaymentsCapability(Capability):
    """`payments`: user-confirmed payments, refunds, transfers and red envelopes."""

    name = "payments"
    error_shape = "payment-error"

    def __init__(
        self,
        services: "HostServices",
        *,
        provider: PaymentProvider | Callable[["HostServices"], PaymentProvider] | None = None,
        limits: PaymentLimits | None = None,
        transport: Transport = http_post,
    ) -> None:
        self.services = services
        self.limits = limits or PaymentLimits()
        self._provider = provider
        self._transport = transport

    @cached_property
    def provider(self) -> PaymentProvider:
        """Made on first use, so a host that never pays never opens the database."""
        if self._provider is None:
            return EmbeddedProvider(self.services.database, ReceiptSigner(self.services.host_key))
        if isinstance(self._provider, PaymentProvider):
            return self._provider
        return self._provider(self.services)

    def route_notifications(self, transport: Transport) -> None:
        """Deliver merchant notifications through `transport` from now on (a demo routes a
        merchant's host name to a local server this way; see capsule.samples.coffee_merchant)."""
        self._transport = transport
        if "notifier" in self.__dict__:
            self.notifier.transport = transport

    @cached_property
    def notifier(self) -> NotificationSender:
        """Drains the embedded provider's outbox of merchant notifications."""
        return NotificationSender(self.services.database, transport=self._transport)

    def functions(self) -> Mapping[str, HostFunction]:
        return {
            "request-payment": self.request_payment,
            "query-order": self.query_order,
            "refund": self.refund,
            "transfer": self.transfer,
            "create-red-envelope": self.create_red_envelope,
            "claim-red-envelope": self.claim_red_envelope,
        }

    # -- checks ---------------------------------------------------------------

    def _currency(self, ctx: CallContext, currency: str) -> str:
        if currency not in KNOWN_CURRENCIES:
            raise InvalidArgument(f"currency {currency!r} is not one this host serves; use an ISO 4217 code such as CNY or EUR")
        section = ctx.app.manifest.permission("payments")
        accepted = list(getattr(section, "currencies", []) or [])
        if currency not in accepted:
            raise NotDeclared(
                f"the manifest does not list {currency} under permissions.payments.currencies "
                f"(it lists {', '.join(accepted) or 'none'}); add it and rebuild"
            )
        return currency

    def _per_transaction(self, amount: int, currency: str) -> int:
        """Checks the amount; returns the daily limit for the provider to enforce atomically."""
        if amount <= 0:
            raise InvalidArgument(f"amount must be more than 0 minor units, got {amount}")
        per_transaction, per_day = self.limits.for_currency(currency)
        if amount > per_transaction:
            raise PaymentDeclined(
                f"{format_amount(amount, currency)} is over the per-transaction limit of "
                f"{format_amount(per_transaction, currency)}"
            )
        return per_day

    def _text(self, value: str, what: str, max_chars: int, *, required: bool = True) -> str:
        if required and not value.strip():
            raise InvalidArgument(f"{what} must not be empty")
        if len(value) > max_chars:
            raise InvalidArgument(f"{what} is {len(value)} characters; at most {max_chars}")
        return value

    @cached_property
    def pins(self) -> PinStore:
        """Every user's payment PIN, on the host's database whatever the provider."""
        return PinStore(lambda: self.services.database, lambda: self.services.secret)

    def _confirm(self, ctx: CallContext, request: ConfirmRequest) -> None:
        confirm_payment(ctx, self.pins, request)

    @cached_property
    def links(self) -> DeveloperLinks:
        return DeveloperLinks(lambda: self.services.database)

    def _scope(self, ctx: CallContext) -> str:
        """The scope of the ids `profile.user-id` gives this program (its developer's
        link group when linked), so a transfer finds users by the ids the program has."""
        return self.links.scope(ctx.app.id, ctx.app.key_id)

    def _user_id(self, ctx: CallContext, user: str) -> str:
        """The program's pseudonymous id for `user`.

        `Identities` remembers a new id with check-then-insert, which two
        threads can race on PostgreSQL; the loser finds the row on a retry.
        """
        try:
            return self.services.identities.user_id(self._scope(ctx), user)
        except IntegrityError:
            return self.services.identities.user_id(self._scope(ctx), user)

    def _notify_url(self, ctx: CallContext) -> str | None:
        """The manifest's notify_url, which must point at a host the manifest lists under network."""
        section = ctx.app.manifest.permission("payments")
        url = getattr(section, "notify_url", None)
        if url is None:
            return None
        network = ctx.app.manifest.permission("network")
        hosts = list(getattr(network, "hosts", []) or [])
        if not host_allowed(url, hosts):
            raise NotDeclared(
                f"permissions.payments.notify_url {url} points at a host not listed under "
                "permissions.network.hosts; list it there (or remove notify_url) and rebuild"
            )
        return url

    def _notified(self, url: str | None) -> None:
        if url and isinstance(self.provider, EmbeddedProvider):
            self.notifier.kick()

    def _funds(self, user: str, amount: int, currency: str) -> int:
        balance = self.provider.balance(user, currency)
        if balance < amount:
            # The balance is shown to the user on the sheet, never told to the program.
            raise PaymentDeclined(
                f"insufficient funds for {format_amount(amount, currency)}; the user can top up and try again"
            )
        return balance

    # -- request-payment ---------------------------------------------------------

    def request_payment(self, ctx: CallContext, request: Any) -> Any:
        args = fields(request)
        order_id = str(args["order_id"])
        if not _ID.fullmatch(order_id):
            raise InvalidArgument(
                f"order-id {order_id!r} must be 1 to {ORDER_ID_MAX_CHARS} letters, digits or . _ : -"
            )
        currency = self._currency(ctx, args["currency"])
        amount = int(args["amount"])
        description = self._text(args["description"], "description", DESCRIPTION_MAX_CHARS)
        items = tuple(self._items(args["items"], amount))
        user = ctx.user
        charge = Charge(
            app_id=ctx.app.id,
            user=user,
            payer_id=self._user_id(ctx, user),
            order_id=order_id,
            amount=amount,
            currency=currency,
            description=description,
            items=items,
            notify_url=self._notify_url(ctx),
        )
        existing = self.provider.find_order(ctx.app.id, order_id)
        if existing is not None:
            # A replay: the same terms get the first receipt, others a conflict; no new sheet.
            return _receipt(self.provider.charge(charge))
        charge = replace(charge, daily_limit=self._per_transaction(amount, currency))
        balance = self._funds(user, amount, currency)
        lines = tuple((f"{q} × {n}", Money(q * u, currency)) for n, q, u in items)
        self._confirm(
            ctx,
            payment_sheet(
                ctx, title="Confirm payment", amount=amount, currency=currency, description=description,
                balance=balance, payee=merchant_name(ctx), extra=lines,
            ),
        )
        receipt = self.provider.charge(charge)
        self._notified(charge.notify_url)
        return _receipt(receipt)

    def _items(self, raw: list[Any], amount: int) -> list[tuple[str, int, int]]:
        if len(raw) > MAX_LINE_ITEMS:
            raise InvalidArgument(f"{len(raw)} line items; at most {MAX_LINE_ITEMS}")
        items = []
        for n, item in enumerate(raw):
            f = fields(item)
            name = self._text(f["name"], f"items[{n}].name", 100)
            items.append((name, int(f["quantity"]), int(f["unit_amount"])))
        if items and sum(q * u for _, q, u in items) != amount:
            total = sum(q * u for _, q, u in items)
            raise InvalidArgument(f"the line items add up to {total} minor units but amount is {amount}; make them agree")
        return items

    # -- merchant side ----------------------------------------------------------

    def _order_id(self, order_id: str, what: str = "order-id") -> str:
        if not _ID.fullmatch(order_id):
            raise InvalidArgument(f"{what} {order_id[:80]!r} must be 1 to {ORDER_ID_MAX_CHARS} letters, digits or . _ : -")
        return order_id

    def query_order(self, ctx: CallContext, order_id: str) -> list[Any]:
        self._order_id(order_id)
        order = self.provider.find_order(ctx.app.id, order_id)
        if order is None:
            return []
        return [
            record(
                order_id=order.order_id, transaction_id=order.transaction_id, amount=order.amount,
                refunded=order.refunded, currency=order.currency, state=order.state,
            )
        ]

    def refund(self, ctx: CallContext, order_id: str, refund_id: str, amount: int, reason: str) -> Any:
        self._order_id(order_id)
        self._order_id(refund_id, "refund-id")
        if amount <= 0:
            raise InvalidArgument(f"a refund must be more than 0 minor units, got {amount}")
        self._text(reason, "reason", DESCRIPTION_MAX_CHARS, required=False)
        url = self._notify_url(ctx)
        done = self.provider.refund(ctx.app.id, order_id, refund_id, int(amount), reason, url)
        self._notified(url)
        return record(
            refund_id=done.refund_id, order_id=done.order_id, amount=done.amount, currency=done.currency,
            refunded_at=done.refunded_at, payload=done.payload, signature=done.signature,
        )

    # -- between users --------------------------------------------------------------

    def transfer(self, ctx: CallContext, to_user: str, amount: int, currency: str, note: str) -> Any:
        currency = self._currency(ctx, currency)
        daily = self._per_transaction(int(amount), currency)
        self._text(note, "note", DESCRIPTION_MAX_CHARS, required=False)
        if not 1 <= len(to_user) <= 128:
            raise InvalidArgument(f"to-user must be 1 to 128 characters (an id profile.user-id gave), got {len(to_user)}")
        identities = self.services.identities
        payee = identities.user_for(self._scope(ctx), to_user)
        if payee is None:
            raise InvalidArgument(f"to-user {to_user!r} is not a user of this program; pass an id this program was given")
        if payee == ctx.user:
            raise InvalidArgument("to-user is the payer; a transfer needs another user")
        balance = self._funds(ctx.user, int(amount), currency)
        self._confirm(
            ctx,
            payment_sheet(
                ctx, title="Confirm transfer", amount=int(amount), currency=currency, description=note or "Transfer",
                balance=balance, payee=f"user {to_user} of {ctx.app.name}",
            ),
        )
        payer_id = self._user_id(ctx, ctx.user)
        return _receipt(self.provider.transfer(ctx.app.id, ctx.user, payer_id, payee, to_user, int(amount), currency, note, daily))

    def create_red_envelope(
        self, ctx: CallContext, total: int, currency: str, count: int, note: str, expires_in: int
    ) -> Any:
        currency = self._currency(ctx, currency)
        daily = self._per_transaction(int(total), currency)
        if not 1 <= count <= MAX_ENVELOPE_SHARES:
            raise InvalidArgument(f"shares must be 1 to {MAX_ENVELOPE_SHARES}, got {count}")
        if count > total:
            raise InvalidArgument(f"{total} minor units cannot make {count} shares of at least 1 each")
        if not 60 <= expires_in <= MAX_ENVELOPE_SECONDS:
            raise InvalidArgument(f"expires-in-seconds must be 60 to {MAX_ENVELOPE_SECONDS}, got {expires_in}")
        self._text(note, "note", DESCRIPTION_MAX_CHARS, required=False)
        balance = self._funds(ctx.user, int(total), currency)
        self._confirm(
            ctx,
            payment_sheet(
                ctx, title="Send a red envelope", amount=int(total), currency=currency,
                description=note or "Red envelope", balance=balance, payee=f"{count} shares, held in escrow",
            ),
        )
        made = self.provider.create_envelope(ctx.app.id, ctx.user, int(total), currency, count, note, expires_in, daily)
        return record(
            envelope_id=made.envelope_id, total=made.total, currency=made.currency, shares=made.shares,
            claimed=made.claimed, expires_at=made.expires_at,
        )

    def claim_red_envelope(self, ctx: CallContext, envelope_id: str) -> int:
        self._order_id(envelope_id, "envelope-id")
        expire = getattr(self.provider, "expire_envelopes", None)
        if expire is not None:
            expire()  # settle expired envelopes first, so a late claim sees "expired"
        return self.provider.claim_envelope(ctx.app.id, envelope_id, ctx.user)


def _receipt(receipt: Receipt) -> Any:
    return record(
        transaction_id=receipt.transaction_id, order_id=receipt.order_id, amount=receipt.amount,
        currency=receipt.currency, paid_at=receipt.paid_at, payload=receipt.payload, signature=receipt.signature,
    )
