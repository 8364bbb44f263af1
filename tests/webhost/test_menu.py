"""The program menu: About says what the manifest says (and what the program touched for this
user), Share gives the capsule:// address, Report reaches the registry's review queue and
`capsule review reports`; every route answers only the signed-in account's own pages."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect
from typer.testing import CliRunner

from capsule.cli.main import app as cli
from capsule.cli.output import console
from capsule.runtime.manifest import load_manifest
from capsule.runtime.registry import RegistryError
from capsule.runtime.registry.server import local_host_account

from ..conftest import REPO
from .conftest import signed_in
from .test_browser import launch, open_shell, program, shot

COFFEE = "dev.capsule.samples.coffee"
COFFEE_MANIFEST = load_manifest((REPO / "sample_programs" / "coffee-shop" / "manifest.json").read_text())


def reviewer_reports(web, **filters) -> list[dict]:
    reviewer = web.registry.authenticate  # the local developer account reviews on this host
    from capsule.runtime.registry.client import Credentials

    token = Credentials.load(web.host.home, None).token
    return web.registry.reports(reviewer(f"Bearer {token}"), status=None, **filters)


def test_about_matches_the_manifest_and_lists_what_it_touched(web) -> None:
    with signed_in(web, "carol") as client:
        about = client.get(f"/api/apps/{COFFEE}/about", params={"lang": "nl"}).json()
    manifest = COFFEE_MANIFEST
    assert about["name"] == "Koffiebar" and about["description"] == manifest.localized("description", "nl")
    assert about["developer"]["name"] == manifest.developer.name == "Capsule Coffee Co."
    assert about["version"] == str(manifest.version) and about["category"] == manifest.category
    assert about["permissions"] == [{"scope": name, "reason": section.reason} for name, section in manifest.permissions_items()]
    assert about["data_practices"] == manifest.data_practices.model_dump(mode="json")
    assert about["data_practices"]["collects"] == ["payment"]
    assert about["address"] == f"capsule://{COFFEE}/?scene=share"
    expected = web.host.services.audit.entries(user="carol", app_id=COFFEE, limit=1000)
    assert len(about["touched"]) == min(len(expected), 300)
    assert all(row["app_id"] == COFFEE for row in about["touched"])


def test_about_and_report_answer_only_the_signed_in_account_from_its_own_origin(web) -> None:
    with signed_in(web, "carol") as client:
        body = {"reason": "broken", "details": "x"}
        for what, headers in {"another origin": {"origin": "http://127.0.0.2:8000"}, "cross-site": {"sec-fetch-site": "cross-site"}}.items():
            assert client.post(f"/api/apps/{COFFEE}/report", json=body, headers=headers).status_code == 403, what
        token = client.headers.pop("x-capsule-csrf")
        refused = client.post(f"/api/apps/{COFFEE}/report", json=body)
        assert refused.status_code == 403 and refused.json()["error"] == "csrf"
        client.headers["x-capsule-csrf"] = token
        plain = client.post(f"/api/apps/{COFFEE}/report", content=json.dumps(body), headers={"content-type": "text/plain"})
        assert plain.status_code in (403, 415)
        bad = client.post(f"/api/apps/{COFFEE}/report", json={"reason": "boring"})
        assert bad.status_code == 400 and "scam" in bad.json()["message"]
        assert client.post(f"/api/apps/{COFFEE}/report", json={"reason": "other", "details": "y" * 1001}).status_code == 400
        assert client.post("/api/apps/dev.nobody.here/report", json=body).status_code == 404
        assert client.get("/api/apps/dev.nobody.here/about").status_code == 400
        client.cookies.clear()
        assert client.get(f"/api/apps/{COFFEE}/about").status_code == 401
        assert client.post(f"/api/apps/{COFFEE}/report", json=body).status_code == 401
    assert not [r for r in reviewer_reports(web, app_id=COFFEE) if r["details"] in ("x", "y" * 1001)]


def test_a_report_reaches_the_review_queue_and_capsule_review(web, live, monkeypatch) -> None:
    words = "Charged twice <b>for one</b> coffee\nthen it froze"
    with signed_in(web, "carol") as client:
        filed = client.post(f"/api/apps/{COFFEE}/report", json={"reason": "scam", "details": words})
        assert filed.status_code == 201, filed.text
        report_id = filed.json()["report_id"]
        # Three a day per user and program: the queue is not a place to flood.
        for _ in range(2):
            client.post(f"/api/apps/{COFFEE}/report", json={"reason": "other", "details": "again"})
        assert client.post(f"/api/apps/{COFFEE}/report", json={"reason": "other"}).status_code == 409
    row = next(r for r in reviewer_reports(web, app_id=COFFEE) if r["report_id"] == report_id)
    assert row["reason"] == "scam" and row["details"] == words and row["version"] == str(COFFEE_MANIFEST.version)
    assert "carol" not in json.dumps(row)  # the reviewer sees a report, not who filed it

    monkeypatch.setenv("CAPSULE_HOME", str(web.host.home.root))
    # The CLI's console was made when another test first imported it: widen it
    # itself (COLUMNS is read only at creation), so the table wraps no words.
    monkeypatch.setattr(console, "_width", 200)
    runner = CliRunner()
    listed = runner.invoke(cli, ["review", "reports", "--app", COFFEE, "--json"])
    assert listed.exit_code == 0, listed.output
    assert report_id in [r["report_id"] for r in json.loads(listed.output)]
    table = runner.invoke(cli, ["review", "reports", "--app", COFFEE])
    assert "<b>for one</b>" in table.output and "then it froze" in table.output  # literally, markup as typed
    closed = runner.invoke(cli, ["review", "close-report", str(report_id), "--note", "refunded and warned the developer"])
    assert closed.exit_code == 0 and f"closed report {report_id}" in closed.output
    assert next(r for r in reviewer_reports(web, app_id=COFFEE) if r["report_id"] == report_id)["status"] == "closed"
    # The host files under its own `host` account; a host cannot read the queue.
    with pytest.raises(RegistryError):
        web.registry.reports(local_host_account(web.registry))


@pytest.mark.slow
def test_the_menu_shows_about_shares_pins_and_reports(page: Page, web) -> None:
    open_shell(page, "bob")
    launch(page, "coffee", "Coffee Shop")
    page.get_by_role("button", name="Program menu").click()
    menu = page.get_by_role("dialog", name="Coffee Shop")
    menu.get_by_role("button", name="About").click()
    about = page.get_by_role("dialog", name="About Coffee Shop")
    expect(about).to_contain_text("Capsule Coffee Co.")
    expect(about).to_contain_text(str(COFFEE_MANIFEST.version))
    expect(about).to_contain_text("food")
    for _, section in COFFEE_MANIFEST.permissions_items():
        expect(about).to_contain_text(section.reason)
    expect(about).to_contain_text("https://coffee.example/privacy")
    expect(about.get_by_role("heading", name="What it touched")).to_be_visible()
    shot(page, "host-about")
    about.get_by_role("button", name="Close").click()

    page.get_by_role("button", name="Program menu").click()
    page.get_by_role("dialog", name="Coffee Shop").get_by_role("button", name="Share").click()
    share = page.get_by_role("dialog", name="Share Coffee Shop")
    expect(share.get_by_label("Link")).to_have_value(f"capsule://{COFFEE}/?scene=share")
    expect(share.get_by_role("img")).to_have_attribute("src", re.compile(r"^/api/qr\.svg\?text=capsule"))
    share.get_by_role("button", name="Done").click()

    page.get_by_role("button", name="Program menu").click()
    page.get_by_role("dialog", name="Coffee Shop").get_by_role("button", name="Add to favourites").click()
    expect(page.locator("#favourites .tile-name")).to_have_text(["Coffee Shop"])
    assert web.shelf.favourites("bob") == [COFFEE]

    page.get_by_role("button", name="Program menu").click()
    page.get_by_role("dialog", name="Coffee Shop").get_by_role("button", name="Report").click()
    report = page.get_by_role("dialog", name="Report Coffee Shop")
    report.get_by_label("It does not work").check()
    report.get_by_label("What happened (optional)").fill("The menu never loads")
    report.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("reviewers will look at your report")).to_be_visible()
    assert any(r["details"] == "The menu never loads" and r["reason"] == "broken" for r in reviewer_reports(web, app_id=COFFEE))

    page.get_by_role("button", name="Program menu").click()
    page.get_by_role("dialog", name="Coffee Shop").get_by_role("button", name="Close program").click()
    expect(program(page)).to_have_count(0)
    web.shelf.unpin("bob", COFFEE)
