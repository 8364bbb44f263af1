"""Schemathesis against the merchant API's /openapi.json: no 500, no answer outside the document.

Built at import time (schemathesis parametrizes at collection) on SQLite in its
own temporary CAPSULE_HOME, with the messages probe's real manifest as the
installed program (looking it up needs no component), a follower and a
subscribed user, so fuzzing reaches the checks behind the key.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from capsule.runtime.capabilities.messages.api import merchant_app
from capsule.runtime.home import Home
from capsule.runtime.manifest import Manifest, load_manifest
from capsule.runtime.services import HostServices

from ..conftest import PROGRAMS

_home = Home.resolve(tempfile.mkdtemp(prefix="capsule-merchant-schemathesis-"))
_services = HostServices(_home, database_url=f"sqlite:///{Path(_home.data) / 'host.db'}")


@dataclass(frozen=True)
class _Installed:
    """What the API reads of an installed program."""

    id: str
    manifest: Manifest
    key_id: str


_probe = _Installed(
    "dev.capsule.tests.messages", load_manifest((PROGRAMS / "messages" / "manifest.json").read_bytes()), "key-fuzz"
)
_, _secret = _services.server_keys.create(_probe.id)
_services.messages.follow("alice", _probe.id)
_services.messages.subscribe("alice", _probe.id, {"order-ready": "always"})
_services.identities.user_id(_probe.id, "alice")
HEADERS = {"Authorization": f"Bearer {_secret}"}


def _programs(app_id: str) -> _Installed:
    if app_id != _probe.id:
        raise KeyError(app_id)
    return _probe


schema = schemathesis.openapi.from_asgi("/openapi.json", merchant_app(_services, _programs))


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_conforms(case) -> None:
    # As the registry's: unknown query parameters are ignored on purpose. Which
    # ids name a user, and which fields match which template, is beyond JSON
    # Schema, so valid-looking random bodies may get a 4xx.
    excluded = [schemathesis.checks.negative_data_rejection, schemathesis.checks.positive_data_acceptance]
    case.call_and_validate(headers=HEADERS, excluded_checks=excluded)
