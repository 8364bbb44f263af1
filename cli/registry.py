"""`capsule registry`: run a registry, manage accounts and keys, install from it."""

from __future__ import annotations

from typing import Any

import typer

from capsule.runtime.errors import CapsuleError
from capsule.runtime.home import Home
from capsule.runtime.package import load_signing_key
from capsule.runtime.registry.client import Credentials, RegistryClient

from .arguments import free_port
from .output import console, emit_json, fail, literal, note

app = typer.Typer(help="Run a registry, manage accounts and keys, install programs from it.", no_args_is_help=True)

REGISTRY_OPTION = typer.Option(None, "--registry", help="The registry URL (default: the saved one, else http://127.0.0.1:8470).")


def connect(registry: str | None, *, signed_in: bool = False, as_json: bool = False) -> tuple[RegistryClient, Credentials]:
    """A client for `registry` with the saved token (CAPSULE_REGISTRY_TOKEN wins).

    With `signed_in`, a command that needs an account stops here without a
    token, saying how to get one, instead of failing later on the network.
    """
    credentials = Credentials.load(Home.resolve(), registry)
    if signed_in and not credentials.token:
        message = (
            f"not signed in to the registry at {credentials.url}: start `capsule host` (it signs this CLI in to its "
            "own registry) or `capsule registry serve --dev`, or save your token with "
            f"`capsule registry login --registry {credentials.url} --token TOKEN` (or set CAPSULE_REGISTRY_TOKEN)"
        )
        fail(CapsuleError(message, code="not-signed-in"), as_json=as_json)
    return RegistryClient(credentials.url, credentials.token), credentials


def registry_call(
    method: str, path: str, *, registry: str | None, as_json: bool, body: dict | None = None, params: dict | None = None
) -> Any:
    """One request to the registry with the saved token: its answer, or the error printed and exit 1.

    With `as_json` the answer is printed as JSON here; the caller prints its table or sentence otherwise.
    """
    client, _ = connect(registry, signed_in=True, as_json=as_json)
    try:
        result = client.call(method, path, json=body, params=params)
    except CapsuleError as error:
        fail(error, as_json=as_json)
    if as_json:
        emit_json(result)
    return result


@app.command()
def serve(
    port: int = typer.Option(8470, "--port", help="TCP port to listen on."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback by default)."),
    database: str = typer.Option(None, "--database", help="Database URL (default: SQLite under CAPSULE_HOME/data)."),
    dev: bool = typer.Option(
        False,
        "--dev",
        help="A one-person development registry: create a local developer+reviewer+admin account, save its token "
        "for the CLI, and let it review its own programs.",
    ),
) -> None:
    """Serve the registry API (OpenAPI at /openapi.json) until interrupted."""
    from capsule.runtime.metrics.endpoint import MetricsAccess, MetricsTokenError
    from capsule.runtime.registry.server import open_registry, serve as run, setup_dev

    free_port(host, port)
    home = Home.resolve()
    try:
        metrics = MetricsAccess.from_environment()
        registry = open_registry(home, database, self_review=dev)
        url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
        if dev:
            setup_dev(registry, url)
            note(f"dev account ready: token saved in {Credentials.path(home)}")
    except (CapsuleError, MetricsTokenError) as error:
        fail(str(error))
    note(f"registry listening on {url} (registry key {registry.key.key_id})")
    run(registry, host, port, metrics=metrics)


@app.command("add-key")
def add_key(
    name: str = typer.Option("default", "--name", help="The signing key under CAPSULE_HOME/keys to register."),
    registry: str = REGISTRY_OPTION,
) -> None:
    """Register your signing key's public half, so the registry accepts packages it signs.

    The key signs a fresh challenge from the registry to prove you hold it.
    """
    client, credentials = connect(registry, signed_in=True)
    try:
        key_id = client.add_key(load_signing_key(Home.resolve(), name), credentials.registry_key)
    except CapsuleError as error:
        fail(error)
    console.print(f"registered key {literal(key_id)} (proof of possession checked by the registry)")


@app.command()
def login(
    token: str = typer.Option(..., "--token", prompt=True, hide_input=True, help="Your API token."),
    registry: str = REGISTRY_OPTION,
) -> None:
    """Save a registry URL and API token (and pin the registry's key) for later commands."""
    client = RegistryClient(Credentials.load(Home.resolve(), registry).url, token)
    try:
        account = client.call("GET", "/account")
        key = client.call("GET", "/key")
    except CapsuleError as error:
        fail(error)
    Credentials(url=client.url, token=token, registry_key=key["public_key"]).save(Home.resolve())
    console.print(
        f"logged in to {literal(client.url)} as {literal(account['name'])} ({literal(', '.join(account['roles']))}); "
        f"registry key {literal(key['key_id'])} pinned"
    )


@app.command("create-account")
def create_account(
    name: str = typer.Argument(..., help="The new account's name."),
    role: list[str] = typer.Option(..., "--role", help="developer, reviewer, admin or host (a host application reporting launches); repeat for several."),
    registry: str = REGISTRY_OPTION,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Create an account (admins only); prints its token once."""
    client, _ = connect(registry, signed_in=True, as_json=as_json)
    try:
        result = client.call("POST", "/accounts", json={"name": name, "roles": role})
    except CapsuleError as error:
        fail(error, as_json=as_json)
    if as_json:
        emit_json(result)
    else:
        console.print(f"account {literal(result['name'])} ({literal(', '.join(result['roles']))}); token (shown once): {literal(result['token'])}")


@app.command()
def install(
    app_id: str = typer.Argument(..., help="The program to install."),
    version: str = typer.Option(None, "--version", help="This version instead of the live one."),
    user: str = typer.Option(None, "--user", help="Resolve the live version for this user (phased rollout)."),
    registry: str = REGISTRY_OPTION,
) -> None:
    """Download a released program and install it, refusing anything the registry did not
    countersign and any version its signed status says was yanked or rolled back."""
    from capsule.runtime.host import Host
    from capsule.runtime.registry.install import install_from_registry

    client, credentials = connect(registry)
    if not credentials.registry_key:
        fail(f"no registry key pinned for {credentials.url}; run `capsule registry login --registry {credentials.url}` first")
    host = Host(Home.resolve())
    try:
        installed = install_from_registry(host, client, app_id, registry_key=credentials.registry_key, version=version, user=user)
    except CapsuleError as error:
        fail(error)
    finally:
        host.close()
    console.print(
        f"installed {literal(installed.manifest.id)} {literal(installed.manifest.version)} ({literal(installed.digest)}), "
        "countersigned by the registry and approved as of now"
    )


