"""The `capsule` command line."""

from __future__ import annotations

import typer

from . import audit, bench, build, dev, host, keygen, messages, new, privacy, publish, qr, registry, release, review, run, search, wallet
from .help import PlainHelpGroup
from .output import log_to_stderr

app = typer.Typer(
    name="capsule",
    help="Build, run, audit and benchmark Capsule mini-programs. State lives in CAPSULE_HOME (default ~/.capsule).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=PlainHelpGroup,
)


@app.callback()
def _every_command() -> None:
    log_to_stderr()


app.command()(new.new)
app.command()(build.build)
app.command()(run.run)
app.command()(audit.audit)
app.command()(keygen.keygen)
app.command()(bench.bench)
app.command()(host.host)
app.command()(dev.dev)
app.add_typer(wallet.app, name="wallet")
app.add_typer(privacy.app, name="privacy")
app.add_typer(qr.app, name="qr")
app.add_typer(messages.app, name="messages")
app.command()(publish.publish)
app.command()(search.search)
app.add_typer(registry.app, name="registry")
app.add_typer(review.app, name="review")
app.add_typer(release.app, name="release")


def main() -> None:
    app()
