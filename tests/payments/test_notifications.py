"""Signed merchant notifications: queued with the payment, retried with backoff, deduplicated."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from capsule.runtime.capabilities import NotDeclared
from capsule.runtime.capabilities.payments import Charge, PaymentDeclined
from capsule.runtime.capabilities.payments.notify import Backoff, NotificationSender, host_allowed
from capsule.runtime.capabilities.payments.tables import outbox
from capsule.sdk.merchant import SIGNATURE_HEADER, NotificationInbox, ReceiptError

APP = "dev.example.shop"
URL = "https://pay.example.com/capsule/notify"


def pay(provider, order_id="o1", amount=500):
    return provider.charge(Charge(APP, "alice", "u_a", order_id, amount, "CNY", "tea", notify_url=URL))


def rows(database):
    with database.read() as conn:
        return conn.execute(sa.select(outbox)).all()


@pytest.mark.parametrize(
    "url, patterns, allowed",
    [
        (URL, ["pay.example.com"], True),
        (URL, ["*.example.com"], True),
        ("https://example.com/x", ["*.example.com"], False),
        ("https://pay.example.com:8443/x", ["pay.example.com"], False),
        ("https://pay.example.com:8443/x", ["pay.example.com:8443"], True),
        (URL, ["other.example.com"], False),
    ],
)
def test_notify_url_must_match_a_network_host(url, patterns, allowed):
    assert host_allowed(url, patterns) is allowed


def test_a_notification_is_queued_with_the_payment_and_only_then(provider, database):
    provider.topup("alice", 1000, "CNY")
    pay(provider)
    with pytest.raises(PaymentDeclined):
        pay(provider, "o2", 5000)
    pay(provider)  # a replay queues nothing new
    [row] = rows(database)
    assert row.state == "pending" and json.loads(row.body)["type"] == "payment.succeeded"


def test_retries_with_backoff_until_delivered_then_the_inbox_accepts_once(provider, database, signer):
    provider.topup("alice", 1000, "CNY")
    pay(provider)
    answers = [500, OSError("connection refused"), 200]
    received: list[tuple[bytes, dict]] = []
    now = [1000.0]

    def transport(url, body, headers):
        assert url == URL
        received.append((body, headers))
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    sender = NotificationSender(database, transport=transport, backoff=Backoff(first=5, longest=60), clock=lambda: now[0] + 10**10)
    assert sender.deliver_due() == 0
    [row] = rows(database)
    assert row.attempts == 1 and row.last_error == "HTTP 500"
    assert sender.deliver_due() == 0  # not due yet: waits 5 s
    now[0] += 5
    assert sender.deliver_due() == 0
    [row] = rows(database)
    assert row.attempts == 2 and "connection refused" in row.last_error
    now[0] += 9  # the second wait is 10 s
    assert sender.deliver_due() == 0
    now[0] += 1
    assert sender.deliver_due() == 1
    assert rows(database)[0].state == "delivered"

    inbox = NotificationInbox(signer.public_key_b64)
    body, headers = received[-1]
    event = inbox.accept(body, headers[SIGNATURE_HEADER])
    assert event["receipt"]["order_id"] == "o1" and event["type"] == "payment.succeeded"
    assert inbox.accept(body, headers[SIGNATURE_HEADER]) is None  # a retry of the same event
    forged = body.replace(b"payment.succeeded", b"refund.succeeded")
    with pytest.raises(ReceiptError):
        inbox.accept(forged, headers[SIGNATURE_HEADER])


def test_gives_up_after_max_attempts(provider, database):
    provider.topup("alice", 1000, "CNY")
    pay(provider)
    now = [0.0]
    sender = NotificationSender(
        database, transport=lambda *a: 503, backoff=Backoff(first=1, longest=1, max_attempts=3), clock=lambda: now[0] + 10**10
    )
    for _ in range(5):
        sender.deliver_due()
        now[0] += 2
    [row] = rows(database)
    assert row.state == "failed" and row.attempts == 3


def test_refunds_are_notified_too(provider, database):
    provider.topup("alice", 1000, "CNY")
    pay(provider)
    provider.refund(APP, "o1", "r1", 100, "", URL)
    assert sorted(json.loads(r.body)["type"] for r in rows(database)) == ["payment.succeeded", "refund.succeeded"]


def test_the_capability_refuses_a_notify_host_the_manifest_does_not_list(tmp_path, database_url):
    from capsule.runtime.capabilities.payments import PaymentsCapability
    from capsule.runtime.home import Home
    from capsule.runtime.manifest import load_manifest
    from capsule.runtime.services import HostServices

    from .programs import COFFEE
    from .test_capability import FakeSession, request
    from capsule.runtime.capabilities.base import CallContext
    from capsule.runtime.prompter import PolicyPrompter

    document = json.loads((COFFEE / "manifest.json").read_text())
    document["permissions"]["payments"]["notify_url"] = URL
    document["permissions"]["network"] = {"reason": "To tell our shop about orders.", "hosts": ["api.example.com"]}
    manifest = load_manifest(json.dumps(document).encode(), source="test")
    services = HostServices(Home.resolve(tmp_path / "home"), database_url=database_url)
    try:
        payments = PaymentsCapability(services)
        payments.provider.topup("alice", 5000, "CNY")
        session = FakeSession("alice", PolicyPrompter(pin="123456"))
        session.app.manifest = manifest
        with pytest.raises(NotDeclared, match="network.hosts"):
            payments.request_payment(CallContext(session, "payments", "request-payment"), request())

        sent = []
        document["permissions"]["network"]["hosts"] = ["pay.example.com"]
        session.app.manifest = load_manifest(json.dumps(document).encode(), source="test")
        payments = PaymentsCapability(services, transport=lambda url, body, headers: sent.append(url) or 200)
        payments.request_payment(CallContext(session, "payments", "request-payment"), request())
        import time

        for _ in range(100):
            if sent:
                break
            time.sleep(0.05)
        assert sent == [URL]
        payments.notifier.stop()
    finally:
        services.close()
