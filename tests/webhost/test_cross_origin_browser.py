"""A page on another origin, opened in Chromium while the victim is signed in, attacks the host:
it opens the socket to pay and grant, resets a permission, switches the user and signs the
victim out. Every attempt is refused, and the ledger, the grants and the sign-in are unchanged."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest
from playwright.sync_api import expect

from capsule.runtime.webhost import me
from capsule.runtime.webhost.server import free_port

from .test_browser import open_shell

pytestmark = pytest.mark.slow

COFFEE = "dev.capsule.samples.coffee"
TAXI = "dev.capsule.samples.taxi"

ATTACK = """<!doctype html><html><head><meta charset="utf-8"><title>Cute cats</title></head><body>
<iframe name="sink" hidden></iframe>
<form id="switch" method="POST" enctype="text/plain" target="sink"><input name='{"name":"bob","x":"' value='"}'></form>
<script>
const HOST = "%(host)s", COFFEE = "%(coffee)s", TAXI = "%(taxi)s";
window.attack = { socket: "pending", messages: [], cors: "pending" };
const post = (path, body) => fetch(HOST + path, {
  method: "POST", mode: "no-cors", credentials: "include",
  headers: { "content-type": "text/plain" }, body: JSON.stringify(body),
}).catch(() => null);

function socketAttack() {
  return new Promise((resolve) => {
    const ws = new WebSocket(HOST.replace("http", "ws") + "/ws");
    let coffee = null, views = 0;
    const send = (message) => ws.send(JSON.stringify(message));
    ws.onopen = () => {
      window.attack.socket = "open";
      send({ type: "launch", app_id: COFFEE });
      send({ type: "launch", app_id: TAXI });
    };
    ws.onmessage = (event) => {
      const message = JSON.parse(event.data);
      window.attack.messages.push(message.type);
      if (message.type === "launched" && message.app_id === COFFEE) coffee = message.session;
      if (message.type === "view" && message.session === coffee) {
        views += 1;
        if (views === 1) send({ type: "event", session: coffee, page: "", handler: "add", data: { item: "flat-white" } });
        if (views === 2) send({ type: "event", session: coffee, page: "", handler: "checkout", data: {} });
      }
      if (message.type === "prompt") send({ type: "answer", prompt: message.prompt, value: true });
    };
    ws.onclose = () => {
      if (window.attack.socket !== "open") window.attack.socket = "refused";
      resolve();
    };
    setTimeout(resolve, 8000);
  });
}

async function run() {
  await post("/api/me/permissions/reset", { app_id: TAXI, scope: "location.fuzzy" });
  await post("/api/me/permissions/revoke", { app_id: COFFEE, scope: "payments" });
  await post("/api/user", { user: "bob" });
  await post("/api/signin/demo", { name: "bob" });
  await post("/api/signout", {});
  // With the JSON type and a guessed token the browser must ask first (CORS): the host never says yes.
  try {
    await fetch(HOST + "/api/me/permissions/reset", {
      method: "POST", credentials: "include",
      headers: { "content-type": "application/json", "x-capsule-csrf": "guess" }, body: "{}",
    });
    window.attack.cors = "sent";
  } catch {
    window.attack.cors = "blocked";
  }
  const form = document.getElementById("switch");
  form.action = HOST + "/api/signin/demo";
  form.submit();
  await socketAttack();
  window.attackDone = true;
}
run();
</script></body></html>"""


@pytest.fixture
def attacker_sites(live) -> Iterator[list[str]]:
    """The attack page on two other origins: same site, another port (the cookie goes along),
    and another site (127.0.0.2: the cookie stays home)."""
    page = (ATTACK % {"host": live.url, "coffee": COFFEE, "taxi": TAXI}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    servers = [ThreadingHTTPServer((address, free_port()), Handler) for address in ("127.0.0.1", "127.0.0.2")]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield [f"http://{server.server_address[0]}:{server.server_address[1]}/cats" for server in servers]
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def alice_denied_taxi(web):
    store = web.host.services.consent_store
    store.deny("alice", TAXI, "location.fuzzy")
    yield store
    store.reset("alice", TAXI, "location.fuzzy")


def test_a_page_on_another_origin_can_neither_pay_grant_reset_nor_switch_the_user(
    page, web, live, attacker_sites, alice_denied_taxi
) -> None:
    open_shell(page, "alice")
    before = me.wallet(web, "alice")
    grants_before = {(g.app_id, g.scope): g.state for g in alice_denied_taxi.list("alice")}
    for site in attacker_sites:
        attacker = page.context.new_page()
        answers: list[tuple[str, int]] = []
        attacker.on(
            "response",
            lambda response: answers.append((response.url, response.status))
            if response.url.startswith(live.url) and response.request.method == "POST" else None,
        )
        attacker.goto(site)
        attacker.wait_for_function("window.attackDone === true", timeout=20_000)
        result = attacker.evaluate("window.attack")
        # The form's POST navigates a frame: its answer may arrive after the script says it is done.
        for _ in range(100):
            if len(answers) >= 6:
                break
            attacker.wait_for_timeout(50)
        assert result["socket"] == "refused" and result["messages"] == [], site
        assert result["cors"] == "blocked", site
        # Every POST reached the host and was refused there (the form's included).
        paths = sorted(url.removeprefix(live.url) for url, _ in answers)
        assert paths == sorted(["/api/me/permissions/reset", "/api/me/permissions/revoke", "/api/user",
                                "/api/signin/demo", "/api/signout", "/api/signin/demo"]), (site, answers)
        assert {status for _, status in answers} == {403}, (site, answers)
        attacker.close()

    after = me.wallet(web, "alice")
    assert after["balances"] == before["balances"] and after["statement"] == before["statement"]
    assert {(g.app_id, g.scope): g.state for g in alice_denied_taxi.list("alice")} == grants_before
    assert alice_denied_taxi.get("alice", TAXI, "location.fuzzy").state.value == "denied"
    # The victim is still signed in, as herself, and her own page still works.
    assert page.request.get("/api/config").json()["user"] == "alice"
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
