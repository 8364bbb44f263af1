"""The privacy samples, each built once and driven through the host as a user would."""

from __future__ import annotations

import pytest

from capsule.runtime import Host, PolicyPrompter
from capsule.sdk.toolchain.build import build_program

from ..conftest import REPO, texts

pytestmark = pytest.mark.slow
SAMPLES = REPO / "sample_programs"


@pytest.fixture(scope="session")
def samples(home, tmp_path_factory):
    out = tmp_path_factory.mktemp("samples")
    names = ("table-order", "taxi", "homework", "member-card")
    return {name: build_program(SAMPLES / name, home=home, out_dir=out / name) for name in names}


@pytest.fixture
def make_host(home, tmp_path, monkeypatch):
    monkeypatch.setenv("CAPSULE_LOCATION", "52.3600,4.8852")
    hosts = []

    def make(prompter):
        host = Host(home, prompter=prompter, database_url=f"sqlite:///{tmp_path / 'samples.db'}")
        hosts.append(host)
        return host

    yield make
    for host in hosts:
        host.close()


def test_table_order_from_its_qr_code(samples, make_host, tmp_path):
    from capsule.runtime.capabilities.qr import codes
    from capsule.runtime.capabilities.qr.address import LaunchTarget, format_address

    host = make_host(PolicyPrompter())
    app = host.install(samples["table-order"].package)
    printed = codes.qr_png(format_address(LaunchTarget(app.id, "menu", "qr", {"table": "12"})), 256)
    (scanned,) = codes.decode(printed)
    session = host.open_address(scanned.text, user="guest")
    assert "Table 12" in texts(session.view)
    session.dispatch("add", {"item": "dumplings"})
    session.dispatch("send")
    assert "1 × Dumplings" in texts(session.view) and "Sent to the kitchen for table 12." in texts(session.view)


def test_taxi_fuzzy_area_then_precise_only_when_booking(samples, make_host):
    prompter = PolicyPrompter(grants={"location.fuzzy": True, "location.precise": False})
    host = make_host(prompter)
    app = host.install(samples["taxi"].package)
    session = host.launch(app.id, user="rider")
    shown = texts(session.view)
    assert any(t.startswith("Pickup area within 1.4 km") for t in shown)
    session.dispatch("book")
    assert "Booking needs your exact position; the estimate stays as it is." in texts(session.view)
    host.services.consent_store.grant("rider", app.id, "location.precise")  # the user changes their mind in settings
    session.dispatch("book")
    assert "Booked: pickup at 52.36000, 4.88520" in texts(session.view)


def test_homework_upload_shows_the_address(samples, make_host, tmp_path):
    from .test_media import photo_with_gps

    prompter = PolicyPrompter(picks=[[photo_with_gps(tmp_path / "homework.jpg")]])
    host = make_host(prompter)
    app = host.install(samples["homework"].package)
    session = host.launch(app.id, user="student")
    session.dispatch("choose")
    assert "Handed in." in texts(session.view)
    assert any(t.startswith("Address: /media/") for t in texts(session.view))


def test_member_card_points_and_code(samples, make_host):
    host = make_host(PolicyPrompter(grants={"profile": True}))
    app = host.install(samples["member-card"].package)
    session = host.launch(app.id, user="ada")
    session.dispatch("collect")
    session.dispatch("collect")
    assert "20 points" in texts(session.view) and "ada" in texts(session.view)
    again = host.launch(app.id, user="ada")
    assert "20 points" in texts(again.view)
    nodes = again.view["children"]
    code = next(n for n in nodes if n.get("type") == "qr")
    assert code["text"].startswith("capsule://dev.capsule.samples.membercard/card?scene=qr&member=")
