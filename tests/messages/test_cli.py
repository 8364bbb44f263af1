"""`capsule messages`: operator keys on this host's data (registry keys: tests/registry/test_merchant_keys.py), and send/followers/tag over HTTP to a running API."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from capsule.cli.main import app as cli
from capsule.runtime.capabilities.messages.api import create_merchant_app

from ..conftest import served
from .conftest import PROBE_ID, result

runner = CliRunner()


def run(*args: str) -> dict:
    answer = runner.invoke(cli, [*args, "--json"])
    assert answer.exit_code == 0, answer.output
    return json.loads(answer.stdout)


@pytest.fixture
def api(messages_host):
    with served(create_merchant_app(messages_host)) as url:
        yield url


def test_operator_keys_are_created_listed_and_revoked(messages_host, home):
    # The CLI acts on CAPSULE_HOME's database: the probe host uses its own, so point the CLI at it.
    url = str(messages_host.services.database.engine.url)
    env = {"CAPSULE_DATABASE_URL": url}
    created = json.loads(runner.invoke(cli, ["messages", "key", "create", PROBE_ID, "--operator", "--label", "till", "--json"], env=env).stdout)
    assert created["key"].startswith("capsule-mk." + created["key_id"])
    listed = json.loads(runner.invoke(cli, ["messages", "key", "list", PROBE_ID, "--operator", "--json"], env=env).stdout)
    assert [k["key_id"] for k in listed["keys"]] == [created["key_id"]] and "key" not in listed["keys"][0]
    revoked = runner.invoke(cli, ["messages", "key", "revoke", PROBE_ID, created["key_id"], "--operator", "--json"], env=env)
    assert revoked.exit_code == 0
    again = runner.invoke(cli, ["messages", "key", "revoke", PROBE_ID, created["key_id"], "--operator", "--json"], env=env)
    assert again.exit_code == 2 and "no live operator key" in again.stderr
    missing = runner.invoke(cli, ["messages", "key", "create", "com.example.absent", "--operator", "--json"], env=env)
    assert missing.exit_code == 2 and "not installed" in missing.stderr


def test_send_followers_and_tag_through_the_api(messages_host, api, prompter):
    _, secret = messages_host.services.server_keys.create(PROBE_ID)
    session = messages_host.launch(PROBE_ID, user="alice")
    session.dispatch("whoami")
    user_id = result(session)
    session.dispatch("subscribe", {"templates": ["order-ready"]})
    session.dispatch("follow")
    common = ["--host", api, "--key", secret]
    sent = run("messages", "send", user_id, "order-ready", "-f", "order=A17", "-f", "total=1250 CNY",
               "-f", "note=oat", "--page", "receipt", "-p", "order=A17", *common)
    assert sent["status"] == "accepted"
    refused = runner.invoke(cli, ["messages", "send", user_id, "order-ready", "--fields-json",
                                  '{"order": "A17", "total": "1 CNY", "note": ""}', *common, "--json"])
    assert refused.exit_code == 1 and "not-subscribed" in refused.stderr
    assert run("messages", "followers", *common)["followers"] == [user_id]
    assert run("messages", "tag", "vip", user_id, *common)["changed"] == 1
    assert run("messages", "followers", "--tag", "vip", *common)["followers"] == [user_id]
    no_key = runner.invoke(cli, ["messages", "followers", "--host", api, "--json"], env={"CAPSULE_MERCHANT_KEY": ""})
    assert no_key.exit_code == 2
