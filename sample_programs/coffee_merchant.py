"""The coffee shop's merchant server: hears of each payment, says when the order is ready.

A small starlette app, as a real shop would run next to its till:

1. The host POSTs a signed payment notification to the coffee shop's
   `notify_url` (`https://merchant.coffee.example/capsule/notify`). The server
   checks the host's Ed25519 signature (`capsule.sdk.merchant.NotificationInbox`,
   which also drops a repeated event) and answers 200 at once.
2. A moment later (the barista's time) it sends the template message
   "order-ready" to the payer, by the pairwise id the notification carries,
   through the host's merchant API with the shop's server key. The message
   opens the program's receipt page for that order. The idempotency key is
   the order id, so a retry never sends twice.
3. A user who has not (yet) tapped "Tell me when it's ready" has no
   subscription: the host refuses the send (`not-subscribed`) and the server
   tries again a few times, then gives up; the customer collects at the counter.

`capsule host --demo` starts it on a loopback port and routes the notify
URL's host name there (`routed_transport`): the demo has no public DNS name
for the shop, and nothing else about the flow changes.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable
from urllib.parse import urlsplit, urlunsplit

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from capsule.sdk.merchant import MessagesClient, MessagesRefused, NotificationInbox, ReceiptError
from capsule.sdk.merchant.notifications import SIGNATURE_HEADER

APP_ID = "dev.capsule.samples.coffee"
NOTIFY_HOST = "merchant.coffee.example"
#: How long after paying the coffee is "ready", and how often to try while the user has not subscribed.
READY_AFTER = 1.0
RETRIES = 20
RETRY_EVERY = 3.0


def create_app(host_public_key_b64: str, client: MessagesClient, *, ready_after: float = READY_AFTER) -> Starlette:
    inbox = NotificationInbox(host_public_key_b64)
    sent: list[dict[str, Any]] = []

    async def notify(request: Request) -> JSONResponse:
        body = await request.body()
        try:
            event = inbox.accept(body, request.headers.get(SIGNATURE_HEADER, ""))
        except ReceiptError as error:
            return JSONResponse({"error": "forged", "message": str(error)}, status_code=400)
        if event is not None and event.get("type") == "payment.succeeded":
            receipt = event["receipt"]
            threading.Thread(target=_ready, args=(receipt,), daemon=True, name="coffee-ready").start()
        return JSONResponse({"ok": True})

    def _ready(receipt: dict[str, Any]) -> None:
        time.sleep(ready_after)
        order = str(receipt["order_id"])
        fields = {"order": order[-8:].upper(), "total": f"{receipt['amount']} {receipt['currency']}"}
        for _ in range(RETRIES):
            try:
                sent.append(client.send(
                    receipt["payer"], "order-ready", fields, page="receipt", params={"order": order},
                    idempotency_key=f"ready-{order}",
                ))
                return
            except MessagesRefused as refused:
                if refused.code != "not-subscribed":
                    return  # another refusal will not change by waiting
            except (OSError, httpx.HTTPError):
                pass  # the host is restarting (or stopped): try again
            except RuntimeError:
                return  # the merchant server stopped and closed its client
            time.sleep(RETRY_EVERY)

    app = Starlette(routes=[Route("/capsule/notify", notify, methods=["POST"])])
    app.state.sent = sent
    return app


def routed_transport(local_base: str, fallback: Callable[[str, bytes, dict[str, str]], int]) -> Callable[[str, bytes, dict[str, str]], int]:
    """A payment-notification transport that delivers the shop's notify URL to `local_base`."""
    local = urlsplit(local_base)

    def transport(url: str, body: bytes, headers: dict[str, str]) -> int:
        parts = urlsplit(url)
        if parts.hostname == NOTIFY_HOST:
            url = urlunsplit((local.scheme, local.netloc, parts.path, parts.query, ""))
        return fallback(url, body, headers)

    return transport


class CoffeeMerchant:
    """The server on a loopback port of this process, for the demo."""

    def __init__(self, host_public_key_b64: str, merchant_api: str, key: str, port: int) -> None:
        import uvicorn

        self.client = MessagesClient(merchant_api, key)
        self.app = create_app(host_public_key_b64, self.client)
        self.url = f"http://127.0.0.1:{port}"
        self._server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=port, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, name="coffee-merchant", daemon=True)

    def start(self) -> "CoffeeMerchant":
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and time.monotonic() < deadline and self._thread.is_alive():
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(5)
        self.client.close()
