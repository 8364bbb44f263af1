"""A host application plugs in its own messages backend: the capability, the merchant API
and listeners all go through it."""

from __future__ import annotations

from starlette.testclient import TestClient

from capsule.runtime import Host, PolicyPrompter
from capsule.runtime.capabilities.messages.api import create_merchant_app
from capsule.runtime.capabilities.messages.provider import MessagesProvider
from capsule.runtime.capabilities.messages.store import Message, MessageStore
from capsule.runtime.database import Database
from capsule.runtime.prompter import Choice

from .conftest import PROBE_ID, result


class DevicePush(MessageStore):
    """A host's own backend: its own database, and a push to the user's devices per message."""

    def __init__(self, database: Database) -> None:
        super().__init__(database)
        self.pushed: list[Message] = []
        self.listen(self.pushed.append)


def test_a_host_plugs_in_its_own_messages_provider(home, messages_probe, tmp_path) -> None:
    provider = DevicePush(Database.open(f"sqlite:///{tmp_path / 'push.db'}"))
    assert isinstance(provider, MessagesProvider) and not isinstance(object(), MessagesProvider)
    prompter = PolicyPrompter(confirms={"subscribe": Choice("always")})
    host = Host(home, prompter=prompter, database_url=f"sqlite:///{tmp_path / 'host.db'}", messages=provider)
    try:
        host.install(messages_probe.package)
        assert host.services.messages is provider and host.capabilities["messages"].store is provider  # type: ignore[attr-defined]
        session = host.launch(PROBE_ID, user="alice")
        session.dispatch("whoami")
        user_id = result(session)
        session.dispatch("subscribe", {"templates": ["order-ready"]})
        assert provider.subscriptions("alice")[0]["always"] is True
        _, secret = host.services.server_keys.create(PROBE_ID)
        merchant = TestClient(create_merchant_app(host), headers={"Authorization": f"Bearer {secret}"})
        sent = merchant.post("/v1/messages", json={
            "user_id": user_id, "template_id": "order-ready", "fields": {"order": "A1", "total": "1 EUR", "note": ""},
        })
        assert sent.status_code == 202, sent.text
        assert [m.user for m in provider.pushed] == ["alice"] and provider.pushed[0].fields["order"] == "A1"
        # Nothing went to the host's own database: the provider's is the one.
        assert MessageStore(host.services.database).threads("alice") == []
    finally:
        host.close()
