"""A merchant API server for the crash test: prints its port, then serves until killed.

argv: database URL, CAPSULE_HOME. The program is the messages probe's real
manifest (looked up without a component); alice always-subscribed, so every
send is accepted; the test's key is written to CAPSULE_HOME/key.txt.
"""

from __future__ import annotations

import socket
import sys
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from capsule.runtime.capabilities.messages.api import merchant_app
from capsule.runtime.home import Home
from capsule.runtime.manifest import Manifest, load_manifest
from capsule.runtime.services import HostServices

PROGRAM = Path(__file__).resolve().parents[1] / "programs" / "messages" / "manifest.json"
APP_ID = "dev.capsule.tests.messages"


@dataclass(frozen=True)
class Installed:
    id: str
    manifest: Manifest
    key_id: str


def main() -> None:
    url, root = sys.argv[1], sys.argv[2]
    services = HostServices(Home.resolve(root), database_url=url)
    program = Installed(APP_ID, load_manifest(PROGRAM.read_bytes()), "key-crash")
    key_file = Path(root) / "key.txt"
    if not key_file.exists():
        _, secret = services.server_keys.create(APP_ID)
        services.messages.subscribe("alice", APP_ID, {"order-ready": "always"})
        key_file.write_text(secret + "\n" + services.identities.user_id(APP_ID, "alice"))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    print(listener.getsockname()[1], flush=True)
    app = merchant_app(services, lambda app_id: program)
    server = uvicorn.Server(uvicorn.Config(app, log_level="error", access_log=False))
    server.run(sockets=[listener])


if __name__ == "__main__":
    main()
