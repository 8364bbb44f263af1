"""The JS samples in the demo web host: published through the embedded
registry (audited as `js` packages), found by search, and launched there."""

from __future__ import annotations

from typing import Iterator

import pytest

from capsule.runtime import Home
from capsule.runtime.webhost import WebHost, open_web_host
from capsule.runtime.webhost.server import free_port

from ..conftest import HELLO_JS, REPO, texts
from ..webhost.conftest import signed_in

BILL_PAY = REPO / "sample_programs" / "bill-pay"


@pytest.fixture(scope="module")
def js_web(home: Home, js_packages, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebHost]:
    port = free_port()
    web_home = home.sharing_caches(tmp_path_factory.mktemp("js-web"))
    host = open_web_host(web_home, url=f"http://127.0.0.1:{port}", samples=[BILL_PAY, HELLO_JS], demo=True)
    host.test_port = port  # type: ignore[attr-defined]
    yield host
    host.close()


def test_the_js_samples_are_live_in_the_demo_host_and_found_by_search(js_web):
    with signed_in(js_web) as client:
        found = client.get("/api/search", params={"q": "缴费"}).json()["results"]
        assert found and found[0]["app_id"] == "dev.capsule.samples.billpay"
        assert {p["scope"] for p in found[0]["permissions"]} == {"qr", "payments", "storage"}
        everything = {hit["app_id"] for hit in client.get("/api/search").json()["results"]}
        assert {"dev.capsule.samples.billpay", "dev.capsule.samples.hellojs"} <= everything
    session = js_web.host.launch("dev.capsule.samples.hellojs", user="alice")
    session.dispatch("increment")
    assert "You pressed the button 1 time." in texts(session.view)
    session.close()
