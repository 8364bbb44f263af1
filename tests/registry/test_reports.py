"""Users' reports on each database: only a host files them (under a pseudonym), only a
reviewer reads and closes them, three a day per user and program."""

from __future__ import annotations

from capsule.runtime.registry.launches import pseudonym

from .test_launches import COFFEE, SECRET, host_actor, release_two


def test_hosts_file_reports_and_reviewers_read_and_close_them(client, actors, registry, make_package) -> None:
    release_two(client, actors, make_package)
    host = host_actor(registry)
    user = pseudonym(SECRET, COFFEE, "u1")
    body = {"user": user, "reason": "privacy", "details": "asks for my\nphone"}
    assert client.post(f"/apps/{COFFEE}/reports", json=body).status_code == 401
    assert client.post(f"/apps/{COFFEE}/reports", json=body, headers=actors["alice"].headers).status_code == 403
    assert client.post(f"/apps/{COFFEE}/reports", json={**body, "user": "u1"}, headers=host.headers).status_code == 400
    assert client.post(f"/apps/{COFFEE}/reports", json={**body, "reason": "meh"}, headers=host.headers).status_code == 400
    assert client.post(f"/apps/{COFFEE}/reports", json={**body, "details": "\x1b[2J"}, headers=host.headers).status_code == 400
    assert client.post("/apps/com.example.none/reports", json=body, headers=host.headers).status_code == 404
    filed = client.post(f"/apps/{COFFEE}/reports", json=body, headers=host.headers)
    assert filed.status_code == 201 and filed.json()["status"] == "open" and filed.json()["version"]
    for _ in range(2):
        assert client.post(f"/apps/{COFFEE}/reports", json=body, headers=host.headers).status_code == 201
    assert client.post(f"/apps/{COFFEE}/reports", json=body, headers=host.headers).status_code == 409
    assert client.get("/reports", headers=host.headers).status_code == 403
    listed = client.get("/reports", params={"app_id": COFFEE}, headers=actors["reviewer"].headers).json()
    assert len(listed) == 3 and listed[-1]["details"] == "asks for my\nphone" and user not in str(listed)
    report_id = filed.json()["report_id"]
    assert client.post(f"/reports/{report_id}/close", json={"note": ""}, headers=actors["reviewer"].headers).status_code == 400
    closed = client.post(f"/reports/{report_id}/close", json={"note": "asked the developer"}, headers=actors["reviewer"].headers)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert client.post(f"/reports/{report_id}/close", json={"note": "again"}, headers=actors["reviewer"].headers).status_code == 409
    assert len(client.get("/reports", headers=actors["reviewer"].headers).json()) == 2  # open only, by default
