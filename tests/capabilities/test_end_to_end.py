"""Consent, storage, location and profile through a real component."""

from __future__ import annotations

import pytest

from capsule.runtime import Host, PolicyPrompter

from .conftest import PROBE_ID, outcome, result

pytestmark = pytest.mark.slow


def test_fuzzy_location_is_snapped_and_repeats_the_same_cell(probe_host: Host, prompter: PolicyPrompter):
    prompter.grants["location.fuzzy"] = True
    session = probe_host.launch(PROBE_ID, user="alice")
    session.dispatch("where", {"precise": False})
    first = result(session)
    assert first["precision"] == "fuzzy" and first["accuracy"] >= 1000
    assert (first["lat"], first["lon"]) != (52.3731, 4.8922)
    assert abs(first["lat"] - 52.3731) < 0.02 and abs(first["lon"] - 4.8922) < 0.03
    for _ in range(3):
        session.dispatch("where", {"precise": False})
        assert result(session) == first
    assert len(prompter.asked) == 1


def test_user_allows_fuzzy_only_precise_is_refused(probe_host: Host, prompter: PolicyPrompter):
    prompter.grants.update({"location.fuzzy": True, "location.precise": False})
    session = probe_host.launch(PROBE_ID, user="alice")
    session.dispatch("where", {"precise": True})
    assert outcome(session).startswith("error Refused")
    session.dispatch("where", {"precise": False})
    assert result(session)["precision"] == "fuzzy"
    session.dispatch("where", {"precise": True})  # remembered: no second prompt
    assert outcome(session).startswith("error Refused")
    assert [r.scope for r in prompter.asked] == ["location.precise", "location.fuzzy"]


def test_precise_in_gcj02(probe_host: Host, prompter: PolicyPrompter):
    prompter.grants["location.precise"] = True
    session = probe_host.launch(PROBE_ID, user="alice")
    session.dispatch("where", {"precise": True, "datum": "gcj02"})
    got = result(session)
    # Amsterdam is outside mainland China, where GCJ-02 equals WGS-84.
    assert (got["lat"], got["lon"], got["datum"], got["precision"]) == (52.3731, 4.8922, "gcj02", "precise")
    session.dispatch("where", {"precise": False})  # the precise grant covers fuzzy
    assert result(session)["precision"] == "fuzzy"
    assert len(prompter.asked) == 1


def test_denied_is_refused_without_a_prompt_in_a_new_session(probe_host: Host, prompter: PolicyPrompter):
    prompter.grants["location.fuzzy"] = False
    first = probe_host.launch(PROBE_ID, user="alice")
    first.dispatch("where", {})
    second = probe_host.launch(PROBE_ID, user="alice")
    second.dispatch("where", {})
    assert outcome(second).startswith("error Refused")
    assert len(prompter.asked) == 1


def test_revocation_applies_to_a_live_session(probe_host: Host, prompter: PolicyPrompter):
    prompter.grants["location.fuzzy"] = True
    session = probe_host.launch(PROBE_ID, user="alice")
    session.dispatch("where", {})
    result(session)
    probe_host.services.consent_store.revoke("alice", PROBE_ID, "location.fuzzy")
    session.dispatch("where", {})
    assert "revoked" in outcome(session)
    # Granting again in settings works on the next call too, without a prompt.
    probe_host.services.consent_store.grant("alice", PROBE_ID, "location.fuzzy")
    session.dispatch("where", {})
    result(session)
    assert len(prompter.asked) == 1


def test_every_call_is_in_the_audit_trail(probe_host: Host, prompter: PolicyPrompter):
    prompter.grants["location.fuzzy"] = False
    session = probe_host.launch(PROBE_ID, user="alice")
    session.dispatch("where", {})
    session.dispatch("save", {"key": "note", "value": "hello"})
    session.dispatch("load", {"key": "note"})
    entries = probe_host.services.audit.entries(user="alice")
    assert [(e.capability, e.function, e.scope, e.decision) for e in entries] == [
        ("location", "get-position", "location.fuzzy", "refused"),
        ("storage", "set", None, "ok"),
        ("storage", "get", None, "ok"),
    ]
    assert entries[-1].bytes_out == len("hello") and entries[0].app_version == "1.0.0"


def test_storage_round_trip_and_quota(probe_host: Host):
    session = probe_host.launch(PROBE_ID, user="alice")
    session.dispatch("save", {"key": "notes/1", "value": "first"})
    session.dispatch("save", {"key": "notes/2", "value": "second"})
    session.dispatch("save", {"key": "other", "value": "x"})
    session.dispatch("keys", {"prefix": "notes/"})
    assert result(session) == ["notes/1", "notes/2"]
    session.dispatch("load", {"key": "notes/2"})
    assert result(session) == "second"
    session.dispatch("usage", {})
    assert result(session) == {"used_bytes": 7 + 5 + 7 + 6 + 5 + 1, "quota_bytes": 4096, "keys": 3}
    session.dispatch("save", {"key": "big", "value": "x" * 5000})
    assert outcome(session).startswith("error LimitExceeded")
    session.dispatch("remove", {"key": "other"})
    assert result(session) is True
    # Another user of the same program sees nothing of alice's.
    bob = probe_host.launch(PROBE_ID, user="bob")
    bob.dispatch("load", {"key": "notes/1"})
    assert result(bob) is None


def test_profile_with_consent_and_phone_every_time(probe_host: Host, prompter: PolicyPrompter):
    prompter.grants.update({"profile": True, "profile.phone": True})
    session = probe_host.launch(PROBE_ID, user="alice")
    session.dispatch("whoami", {})
    first_id = result(session)
    assert first_id.startswith("u_") and "alice" not in first_id
    session.dispatch("me", {})
    assert result(session) == {"nickname": "alice", "avatar": "", "locale": "en"}
    session.dispatch("me", {})
    session.dispatch("phone", {})
    assert outcome(session).startswith("error Unavailable")  # consented, but the host has no number
    session.dispatch("phone", {})
    assert [r.scope for r in prompter.asked] == ["profile", "profile.phone", "profile.phone"]
    session.dispatch("whoami", {})
    assert result(session) == first_id


def test_qr_codes_made_scanned_and_launched(probe_host: Host, prompter: PolicyPrompter, tmp_path):
    import base64

    from capsule.runtime.capabilities.qr import codes

    session = probe_host.launch(PROBE_ID, user="alice")
    session.dispatch("make_code", {"params": {"table": "12"}})
    made = result(session)
    assert made["address"] == f"capsule://{PROBE_ID}/table?scene=qr&table=12" and made["image_chars"] > 100
    session.dispatch("make_code", {"app_id": "com.example.other", "params": {"table": "12"}})
    assert outcome(session).startswith("error InvalidArgument")  # codes only for itself
    session.dispatch("make_code", {"params": {"table": "<b>"}})
    assert outcome(session).startswith("error InvalidArgument")

    picture = tmp_path / "table-12.png"
    picture.write_bytes(codes.qr_png(made["address"], 256))
    session.dispatch("decode", {"image": base64.b64encode(picture.read_bytes()).decode()})
    assert result(session) == {"text": made["address"], "format": "qr"}
    prompter.picks.append([picture])
    session.dispatch("scan", {})
    scanned = result(session)
    assert scanned["target"] == [{"app_id": PROBE_ID, "page": "table", "scene": "qr", "params": {"table": "12"}}]
    session.dispatch("scan", {})  # the user closes the scanner
    assert outcome(session).startswith("error Refused")

    # Scanning the printed code opens the program on the table page with table=12.
    opened = probe_host.open_address(scanned["text"], user="bob")
    assert outcome(opened) == 'launched {"page": "table", "query": {"table": "12"}, "scene": "qr"}'


def test_a_photo_upload_leaves_its_location_on_the_host(probe_host: Host, prompter: PolicyPrompter, tmp_path):
    import io

    from PIL import Image

    from .test_media import GPS_IFD, photo_with_gps

    fake = tmp_path / "homework.jpg"
    fake.write_text("not a photo at all")
    prompter.picks.extend([[photo_with_gps(tmp_path / "photo.jpg")], [fake]])
    session = probe_host.launch(PROBE_ID, user="student")
    session.dispatch("upload_photo", {})
    uploaded = result(session)
    assert uploaded["mime"] == "image/jpeg" and uploaded["read"] == uploaded["size"] and uploaded["width"] == 200
    stored = probe_host.home.root / "media" / uploaded["digest"][:2] / uploaded["digest"]
    exif = Image.open(io.BytesIO(stored.read_bytes())).getexif()
    assert not exif.get_ifd(GPS_IFD) and exif[0x0112] == 6
    session.dispatch("upload_photo", {})  # a file named .jpg that is not an image
    assert outcome(session).startswith("error InvalidArgument") and "judged by its content" in outcome(session)
    reads = [e for e in probe_host.services.audit.entries(user="student") if e.function == "read"]
    assert sum(e.bytes_out for e in reads) == uploaded["size"]  # the audit trail counts what went out


def test_network_reaches_only_declared_public_hosts(home, probe, tmp_path):
    import httpx

    from capsule.runtime.capabilities.network.host import NetworkCapability

    def server(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/elsewhere":
            return httpx.Response(302, headers={"location": "https://evil.example.org/"})
        return httpx.Response(200, text="menu")

    dns = {"api.example.com": ["93.184.216.34"], "evil.example.org": ["93.184.216.99"]}
    network = NetworkCapability(resolver=lambda h, p: dns.get(h, []), transport=httpx.MockTransport(server))
    host = Host(home, database_url=f"sqlite:///{tmp_path / 'n.db'}", capabilities={"network": network})
    try:
        host.install(probe.package)
        session = host.launch(PROBE_ID, user="alice")
        session.dispatch("fetch", {"url": "https://api.example.com/menu"})
        assert result(session) == {"status": 200, "body": "menu"}
        session.dispatch("fetch", {"url": "https://evil.example.org/"})
        assert outcome(session).startswith("error NotDeclared")
        session.dispatch("fetch", {"url": "https://api.example.com/elsewhere"})
        assert outcome(session).startswith("error NotDeclared") and "evil.example.org" in outcome(session)
    finally:
        host.close()
