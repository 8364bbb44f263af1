"""`capsule wallet`: the embedded default's wallets, for developers.

Top up a test user, read balances and statements, read a merchant's
settlement statement, print the host's public key for receipt verification.
State is the runtime's database under CAPSULE_HOME (or CAPSULE_DATABASE_URL).
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from typing import Iterator

import typer
from rich.table import Table

from capsule.runtime.capabilities.payments import EmbeddedProvider, ReceiptSigner
from capsule.runtime.capabilities.payments import ledger
from capsule.runtime.capabilities.payments.money import KNOWN_CURRENCIES, format_amount, parse_amount
from capsule.runtime.errors import CapsuleError
from capsule.runtime.home import Home
from capsule.runtime.services import HostServices

from .output import console, emit_json, fail, literal

app = typer.Typer(help="Wallets of the embedded payments default: top up, balances, statements.", no_args_is_help=True)

USER = typer.Option(..., "--user", help="The user (as in `capsule run --user`).")
JSON = typer.Option(False, "--json", help="Print one JSON object.")


@contextmanager
def _provider() -> Iterator[EmbeddedProvider]:
    services = HostServices(Home.resolve())
    try:
        yield EmbeddedProvider(services.database, ReceiptSigner(services.host_key))
    finally:
        services.close()


def _currency(code: str, as_json: bool) -> str:
    code = code.upper()
    if code not in KNOWN_CURRENCIES:
        fail(f"{code!r} is not a currency the embedded wallet serves; use an ISO 4217 code such as CNY or EUR", code=2, as_json=as_json)
    return code


@app.command()
def topup(
    amount: str = typer.Argument(..., help="In major units, e.g. 50.00."),
    currency: str = typer.Argument(..., help="ISO 4217 code, e.g. CNY."),
    user: str = USER,
    as_json: bool = JSON,
) -> None:
    """Add money to a user's wallet (it stands for a bank transfer in)."""
    code = _currency(currency, as_json)
    try:
        minor = parse_amount(amount, code)
    except ValueError as error:
        fail(str(error), code=2, as_json=as_json)
    if minor <= 0:
        fail(f"a top-up must be more than 0, got {amount}", code=2, as_json=as_json)
    try:
        with _provider() as wallet:
            tx = wallet.topup(user, minor, code)
            balance = wallet.balance(user, code)
    except CapsuleError as error:
        fail(error, as_json=as_json)
    if as_json:
        emit_json({"user": user, "transaction_id": tx, "amount": minor, "currency": code, "balance": balance})
    else:
        console.print(f"Topped up {literal(format_amount(minor, code))} for {literal(user)}; balance {literal(format_amount(balance, code))}")


@app.command()
def balance(user: str = USER, as_json: bool = JSON) -> None:
    """A user's balance in every currency they hold."""
    with _provider() as wallet:
        held = wallet.balances(ledger.user_account(user))
    if as_json:
        emit_json({"user": user, "balances": held})
        return
    if not held:
        console.print(f"{literal(user)} has no money yet; `capsule wallet topup --user {literal(user)} 50.00 CNY` adds some")
    for code, amount in held.items():
        console.print(f"{literal(user)}: {literal(format_amount(amount, code))}")


@app.command()
def statement(user: str = USER, limit: int = typer.Option(50, help="Lines, newest first."), as_json: bool = JSON) -> None:
    """A user's ledger entries, newest first."""
    _statement(ledger.user_account(user), f"Statement of {user}", limit, as_json)


@app.command()
def merchant(
    app_id: str = typer.Argument(..., help="The program whose merchant account to show."),
    limit: int = typer.Option(50, help="Lines, newest first."),
    as_json: bool = JSON,
) -> None:
    """A merchant's settlement statement: balance, payments and refunds of one program."""
    _statement(ledger.merchant_account(app_id), f"Settlement statement of {app_id}", limit, as_json)


@app.command("host-key")
def host_key(as_json: bool = JSON) -> None:
    """The host's public key: merchants verify receipts and notifications with it."""
    services = HostServices(Home.resolve())
    signer = ReceiptSigner(services.host_key)
    if as_json:
        emit_json({"key_id": signer.key_id, "public_key": signer.public_key_b64})
    else:
        console.print(f"{literal(signer.public_key_b64)}  (key id {literal(signer.key_id)})")


@app.command()
def expire(as_json: bool = JSON) -> None:
    """Send the unclaimed remainder of every expired red envelope back to its sender."""
    with _provider() as wallet:
        settled = wallet.expire_envelopes()
    if as_json:
        emit_json({"settled": settled})
    else:
        console.print(f"{settled} expired red envelope(s) settled")


@app.command()
def check(as_json: bool = JSON) -> None:
    """Re-derive every balance from the ledger entries and check that money adds up."""
    with _provider() as wallet:
        audit = wallet.check()
    if as_json:
        emit_json({"ok": audit.ok, "problems": audit.problems, "topups": audit.total_topups, "held": audit.total_held})
    else:
        for problem in audit.problems:
            console.print(f"[red]problem[/]: {literal(problem)}")
        console.print("the books balance" if audit.ok else "the books do NOT balance")
    raise typer.Exit(0 if audit.ok else 1)


def _statement(account: str, title: str, limit: int, as_json: bool) -> None:
    with _provider() as wallet:
        held = wallet.balances(account)
        lines = wallet.statement(account, limit)
    if as_json:
        emit_json(
            {
                "account": account,
                "balances": held,
                "lines": [
                    {
                        "transaction_id": line.transaction_id, "kind": line.kind, "at": line.at,
                        "program": line.app_id, "reference": line.reference, "memo": line.memo,
                        "amount": line.amount, "currency": line.currency,
                    }
                    for line in lines
                ],
            }
        )
        return
    table = Table(title=literal(title))
    for column in ("when (UTC)", "kind", "program", "reference", "memo", "amount"):
        table.add_column(column, justify="right" if column == "amount" else "left")
    for line in lines:
        when = dt.datetime.fromtimestamp(line.at / 1000, dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
        cells = (when, line.kind, line.app_id or "", line.reference or "", line.memo, format_amount(line.amount, line.currency))
        table.add_row(*map(literal, cells))
    console.print(table)
    for code, amount in held.items():
        console.print(f"balance: {literal(format_amount(amount, code))}")
