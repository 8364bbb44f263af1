"""`capsule run --grant/--deny` and `capsule privacy` on a real component."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from capsule.cli.main import app

from ..capabilities.conftest import PROBE_ID, probe  # noqa: F401 - the session fixture

pytestmark = pytest.mark.slow


@pytest.fixture
def cli(home, tmp_path, monkeypatch):
    monkeypatch.setenv("CAPSULE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("CAPSULE_LOCATION", "52.3731,4.8922")
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


def views(output: str) -> list[str]:
    return [json.loads(line)["children"][0]["text"] for line in output.splitlines() if line.startswith("{")]


def test_grant_deny_revoke_and_report(cli, probe):  # noqa: F811
    package = str(probe.package)
    ran = cli("run", package, "--user", "carol", "--grant", "location.fuzzy", "--tap", "where", "--json")
    assert ran.exit_code == 0, ran.output
    assert json.loads(views(ran.output)[-1])["precision"] == "fuzzy"

    denied = cli("run", package, "--user", "carol", "--deny", "location.precise", "--tap", "where",
                 "--data", '{"precise": true}', "--json")
    assert views(denied.output)[-1].startswith("error Refused")

    listed = json.loads(cli("privacy", "grants", "--user", "carol", "--json").output)
    assert {(g["scope"], g["state"]) for g in listed} == {("location.fuzzy", "granted"), ("location.precise", "denied")}

    assert cli("privacy", "revoke", PROBE_ID, "location.fuzzy", "--user", "carol").exit_code == 0
    # No --grant this time: the revocation stands and nobody is asked.
    again = cli("run", package, "--user", "carol", "--tap", "where", "--json")
    assert "revoked" in views(again.output)[-1]

    report = json.loads(cli("privacy", "report", "--user", "carol", "--json").output)
    (program,) = report["programs"]
    assert program["app_id"] == PROBE_ID and program["calls"] == 3 and program["bytes_out"] > 0
    assert [(e["scope"], e["decision"]) for e in report["entries"]] == [
        ("location.fuzzy", "ok"), ("location.precise", "refused"), ("location.fuzzy", "refused"),
    ]
    text = cli("privacy", "report", "--user", "carol")
    assert text.exit_code == 0 and PROBE_ID in text.output


def test_profile_through_the_cli_with_grant_and_deny(cli, probe):  # noqa: F811
    package = str(probe.package)
    denied = cli("run", package, "--user", "erin", "--deny", "profile", "--tap", "me", "--json")
    assert views(denied.output)[-1].startswith("error Refused")
    granted = cli("run", package, "--user", "erin", "--grant", "profile", "--tap", "me", "--tap", "whoami", "--json")
    shown = views(granted.output)
    assert json.loads(shown[-2]) == {"nickname": "erin", "avatar": "", "locale": "en"}
    assert json.loads(shown[-1]).startswith("u_")


def test_revoking_what_was_never_granted_says_so(cli):
    result = cli("privacy", "revoke", "dev.example.none", "--user", "dave")
    assert result.exit_code == 1
    assert "has not granted anything" in result.output
