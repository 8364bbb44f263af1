"""A launch that fails in a way nobody foresaw (a database error, a bug) still answers the tab."""

from __future__ import annotations

import json

from .conftest import signed_in, socket_url
from .test_api import COFFEE


def test_an_unexpected_launch_failure_tells_the_tab_instead_of_leaving_it_waiting(web, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("duplicate key value violates unique constraint")  # what a race once raised

    monkeypatch.setattr(web.catalog, "record_launch", broken)
    with signed_in(web, "carol") as client, client.websocket_connect(socket_url(client)) as socket:
        socket.send_text(json.dumps({"type": "launch", "app_id": COFFEE}))
        answer = json.loads(socket.receive_text())
        assert answer["type"] == "error" and answer["code"] == "unavailable"
        assert "duplicate key" not in json.dumps(answer)  # the operator's log has it, not the page
