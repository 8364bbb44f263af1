"""`capsule messages`: server keys of the merchant API, and sending through it.

`key create|list|revoke APP_ID` act at the registry, as the program's owner
(the account `capsule registry login` saved, or CAPSULE_REGISTRY_TOKEN):
the registry refuses anyone else, and hosts check the keys against it. The
key is printed once; keep it on the merchant server.
`--operator` is the secondary path, for a host that installs programs without
a registry: the key is kept in this host's own data (CAPSULE_HOME or
CAPSULE_DATABASE_URL), by whoever runs the host.
`send`, `followers` and `tag` call a host's merchant API over HTTP with a key
(`--key` or CAPSULE_MERCHANT_KEY), as a merchant server would.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Optional
from urllib.parse import quote

import typer
from rich.table import Table

from capsule.runtime.errors import CapsuleError
from capsule.runtime.home import Home
from capsule.runtime.services import HostServices
from capsule.sdk.merchant import MessagesClient, MessagesRefused

from .output import console, emit_json, fail, literal
from .registry import REGISTRY_OPTION, connect

app = typer.Typer(help="Messages: merchant server keys, sending, followers and tags.", no_args_is_help=True)
key_app = typer.Typer(
    help="Server keys of a program's merchant API, made by the program's owner at the registry.", no_args_is_help=True
)
app.add_typer(key_app, name="key")

JSON = typer.Option(False, "--json", help="Print one JSON object.")
HOST = typer.Option("http://127.0.0.1:8000/merchant", "--host", envvar="CAPSULE_MERCHANT_URL", help="The host's merchant API.")
KEY = typer.Option(None, "--key", envvar="CAPSULE_MERCHANT_KEY", help="The program's server key (capsule-mk...).")
OPERATOR = typer.Option(
    False, "--operator",
    help="Secondary: keep the key in this host's own data (CAPSULE_HOME), as the host's operator, for a host without "
    "a registry. Without it, the program's owner acts at the registry.",
)


def _at_registry(registry: Optional[str], method: str, path: str, as_json: bool, **options: Any) -> Any:
    """One call to the registry as the signed-in account; a refusal is printed and exits."""
    client, _ = connect(registry, signed_in=True, as_json=as_json)
    try:
        return client.call(method, path, **options)
    except CapsuleError as error:
        fail(error, as_json=as_json)
    finally:
        client.close()


def _operator_services(app_id: str, as_json: bool, *, installed: bool = False) -> HostServices:
    from capsule.runtime.installed import installed_index

    services = HostServices(Home.resolve())
    if installed and installed_index(services).get(app_id) is None:
        fail(f"{app_id} is not installed on this host (CAPSULE_HOME, or the database hosts share); install it first, "
             "then create its key", code=2, as_json=as_json)
    return services


def _when(seconds: float | None) -> str:
    return "" if seconds is None else datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


@key_app.command("create")
def key_create(
    app_id: str = typer.Argument(..., help="The program the key sends for."),
    label: str = typer.Option("", help="A note to tell keys apart, e.g. the server's name."),
    registry: str = REGISTRY_OPTION,
    operator: bool = OPERATOR,
    as_json: bool = JSON,
) -> None:
    """Create a server key for APP_ID (you must own it at the registry); it is printed once."""
    if operator:
        services = _operator_services(app_id, as_json, installed=True)
        try:
            key, secret = services.server_keys.create(app_id, label)
        except Exception as error:  # noqa: BLE001 - KeyRefused and database errors are reported the same way
            fail(str(error), as_json=as_json)
        finally:
            services.close()
        created: dict[str, Any] = {**key.as_dict(), "key": secret}
    else:
        created = _at_registry(registry, "POST", f"/apps/{quote(app_id, safe='')}/merchant-keys", as_json, json={"label": label})
    if as_json:
        emit_json(created)
    else:
        console.print(f"Created server key {literal(created['key_id'])} for {literal(app_id)}. "
                      "Keep it secret; it is shown only now:")
        console.print(literal(created["key"]))


@key_app.command("list")
def key_list(app_id: str = typer.Argument(...), registry: str = REGISTRY_OPTION, operator: bool = OPERATOR,
             as_json: bool = JSON) -> None:
    """The server keys of APP_ID, live and revoked (never their secrets)."""
    if operator:
        services = _operator_services(app_id, as_json)
        try:
            keys = [k.as_dict() for k in services.server_keys.list(app_id)]
        finally:
            services.close()
    else:
        keys = _at_registry(registry, "GET", f"/apps/{quote(app_id, safe='')}/merchant-keys", as_json)["keys"]
    if as_json:
        emit_json({"app_id": app_id, "keys": keys})
        return
    table = Table("key id", "label", "created", "revoked")
    for key in keys:
        table.add_row(literal(key["key_id"]), literal(key["label"]), _when(key["created_at"]), _when(key["revoked_at"]) or "live")
    console.print(table)


@key_app.command("revoke")
def key_revoke(app_id: str = typer.Argument(...), key_id: str = typer.Argument(...), registry: str = REGISTRY_OPTION,
               operator: bool = OPERATOR, as_json: bool = JSON) -> None:
    """Revoke a server key: hosts refuse it from their next check (within a minute)."""
    if operator:
        services = _operator_services(app_id, as_json)
        try:
            done = services.server_keys.revoke(app_id, key_id)
        finally:
            services.close()
        if not done:
            fail(f"{app_id} has no live operator key {key_id}; `capsule messages key list --operator {app_id}` shows them",
                 code=2, as_json=as_json)
    else:
        _at_registry(registry, "POST", f"/apps/{quote(app_id, safe='')}/merchant-keys/{quote(key_id, safe='')}/revoke", as_json)
    if as_json:
        emit_json({"app_id": app_id, "key_id": key_id, "revoked": True})
    else:
        console.print(f"Revoked {literal(key_id)}")


def _client(host: str, key: Optional[str], as_json: bool) -> MessagesClient:
    if not key:
        fail("pass the program's server key with --key or CAPSULE_MERCHANT_KEY "
             "(`capsule messages key create APP_ID` makes one)", code=2, as_json=as_json)
    return MessagesClient(host, key)


def _refused(error: Exception, as_json: bool) -> None:
    code = getattr(error, "code", "error")
    fail(f"{code}: {error}", as_json=as_json)


@app.command()
def send(
    user_id: str = typer.Argument(..., help="The user's id in the program (profile.user_id())."),
    template_id: str = typer.Argument(..., help="A template the manifest declares."),
    field: list[str] = typer.Option([], "--field", "-f", help="NAME=VALUE; a whole number is sent as a number."),
    fields_json: Optional[str] = typer.Option(None, "--fields-json", help='All fields as one JSON object, e.g. \'{"order": "017"}\'.'),
    page: str = typer.Option("", help="The page the message opens."),
    param: list[str] = typer.Option([], "--param", "-p", help="NAME=VALUE launch parameter of the page."),
    idempotency_key: Optional[str] = typer.Option(None, "--idempotency-key", help="Retry safely: delivered once."),
    host: str = HOST,
    key: Optional[str] = KEY,
    as_json: bool = JSON,
) -> None:
    """Send a template message to one user."""
    fields: dict = {k: (int(v) if v.lstrip("-").isdigit() else v) for k, v in _pairs(field, "--field", as_json).items()}
    if fields_json is not None:
        try:
            fields = json.loads(fields_json)
        except ValueError:
            fail("--fields-json must be a JSON object", code=2, as_json=as_json)
    params = _pairs(param, "--param", as_json)
    try:
        with _client(host, key, as_json) as client:
            answer = client.send(user_id, template_id, fields, page=page, params=params, idempotency_key=idempotency_key)
    except (MessagesRefused, OSError) as error:
        _refused(error, as_json)
    if as_json:
        emit_json(answer)
    else:
        console.print(f"Accepted: message {literal(answer.get('message_id', ''))}")


@app.command()
def followers(tag: Optional[str] = typer.Option(None, help="Only followers in this group."), host: str = HOST,
              key: Optional[str] = KEY, as_json: bool = JSON) -> None:
    """The program's followers, by their ids in the program."""
    try:
        with _client(host, key, as_json) as client:
            found = client.followers(tag=tag)
    except (MessagesRefused, OSError) as error:
        _refused(error, as_json)
    if as_json:
        emit_json({"followers": found, "tag": tag})
        return
    for user_id in found:
        console.print(literal(user_id))
    console.print(f"{len(found)} follower(s)")


@app.command()
def tag(
    tag_name: str = typer.Argument(..., metavar="TAG", help="The group: letters, digits, _ or -."),
    user_ids: list[str] = typer.Argument(..., help="Followers' ids in the program."),
    remove: bool = typer.Option(False, "--remove", help="Take them out of the group instead."),
    host: str = HOST,
    key: Optional[str] = KEY,
    as_json: bool = JSON,
) -> None:
    """Put followers into a group (or take them out)."""
    try:
        with _client(host, key, as_json) as client:
            changed = client.tag(tag_name, user_ids, remove=remove)
    except (MessagesRefused, OSError) as error:
        _refused(error, as_json)
    if as_json:
        emit_json({"tag": tag_name, "changed": changed, "removed": remove})
    else:
        console.print(f"{changed} follower(s) {'removed from' if remove else 'tagged'} {literal(tag_name)}")


def _pairs(items: list[str], option: str, as_json: bool) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            fail(f"{option} takes NAME=VALUE, got {item!r}", code=2, as_json=as_json)
        found[name] = value
    return found
