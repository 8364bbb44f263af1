"""The `messages` capability from a real program: the subscribe sheet, following, chat, sharing."""

from __future__ import annotations

from capsule.runtime import PolicyPrompter
from capsule.runtime.prompter import Choice, ConfirmRequest, ContactPickRequest

from .conftest import PROBE_ID, outcome, result


def store(host):
    return host.services.messages


def test_subscribe_shows_one_sheet_listing_the_templates(messages_host, prompter: PolicyPrompter):
    session = messages_host.launch(PROBE_ID, user="alice")
    session.dispatch("subscribe", {"templates": ["order-ready", "refund"]})
    assert result(session) == {"order-ready": "once", "refund": "once"}
    sheets = [q for q in prompter.asked if isinstance(q, ConfirmRequest)]
    assert len(sheets) == 1 and sheets[0].kind == "subscribe"
    assert [label for label, _ in sheets[0].details] == ["Your order is ready", "Refund sent"]
    assert sheets[0].details[0][1] == "So you know when to collect your coffee."
    assert ("always", "Always allow") in sheets[0].choices
    subs = {s["template_id"]: s for s in store(messages_host).subscriptions("alice")}
    assert subs["order-ready"]["remaining"] == 1 and not subs["order-ready"]["always"]


def test_always_is_a_standing_permission(messages_host, prompter: PolicyPrompter):
    prompter.confirms["subscribe"] = Choice("always")
    session = messages_host.launch(PROBE_ID, user="alice")
    session.dispatch("subscribe", {"templates": ["order-ready"]})
    assert result(session) == {"order-ready": "always"}
    assert store(messages_host).subscriptions("alice")[0]["always"] is True


def test_refused_sheet_subscribes_nothing(messages_host, prompter: PolicyPrompter):
    prompter.confirms["subscribe"] = False
    session = messages_host.launch(PROBE_ID, user="alice")
    session.dispatch("subscribe", {"templates": ["order-ready"]})
    assert result(session) == {"order-ready": "refused"}
    assert store(messages_host).subscriptions("alice") == []


def test_an_undeclared_template_is_an_invalid_argument(messages_host, prompter: PolicyPrompter):
    session = messages_host.launch(PROBE_ID, user="alice")
    session.dispatch("subscribe", {"templates": ["order-ready", "free-money"]})
    assert outcome(session).startswith("error InvalidArgument: template 'free-money' is not declared")
    assert not [q for q in prompter.asked if isinstance(q, ConfirmRequest)]  # no sheet shown


def test_follow_asks_once_then_remembers(messages_host, prompter: PolicyPrompter):
    session = messages_host.launch(PROBE_ID, user="alice")
    session.dispatch("follow")
    assert result(session) is True
    session.dispatch("follow")
    assert result(session) is True
    assert [q.kind for q in prompter.asked if isinstance(q, ConfirmRequest)] == ["follow"]
    assert [f["app_id"] for f in store(messages_host).follows("alice")] == [PROBE_ID]


def test_follow_refused(messages_host, prompter: PolicyPrompter):
    prompter.confirms["follow"] = False
    session = messages_host.launch(PROBE_ID, user="alice")
    session.dispatch("follow")
    assert result(session) is False
    assert store(messages_host).follows("alice") == []


def test_open_chat_tells_the_host(messages_host):
    opened = []
    messages_host.capabilities["messages"].chat_openers.append(lambda session, app_id: opened.append((session.user, app_id)))
    session = messages_host.launch(PROBE_ID, user="alice")
    session.dispatch("chat")
    assert result(session) is None
    assert opened == [("alice", PROBE_ID)]


def test_share_goes_to_the_picked_contact_only(messages_host, prompter: PolicyPrompter):
    messages = store(messages_host)
    messages.request_contact("bob", "alice")
    assert messages.answer_contact("alice", "bob", accept=True)
    prompter.contact_picks = ["bob"]
    session = messages_host.launch(PROBE_ID, user="alice")
    session.dispatch("share", {"title": "Split the bill", "page": "receipt", "params": {"order": "A17"}})
    assert result(session) is True
    picker = [q for q in prompter.asked if isinstance(q, ContactPickRequest)]
    assert picker and picker[0].title == "Split the bill"
    [thread] = messages.threads("bob")
    assert thread.thread == "contact:alice" and thread.unread == 1
    card = thread.last
    assert (card.kind, card.app_id, card.page, card.params) == ("share", PROBE_ID, "receipt", {"order": "A17"})


def test_share_closed_picker_and_a_stranger(messages_host, prompter: PolicyPrompter):
    prompter.contact_picks = [None, "mallory"]
    session = messages_host.launch(PROBE_ID, user="alice")
    session.dispatch("share", {"title": "Hi", "page": "receipt"})
    assert result(session) is False
    session.dispatch("share", {"title": "Hi", "page": "receipt"})
    assert outcome(session).startswith("error Refused:")  # a picker cannot invent a contact
    assert store(messages_host).threads("mallory") == []


def test_share_checks_the_page_and_params(messages_host, prompter: PolicyPrompter):
    session = messages_host.launch(PROBE_ID, user="alice")
    session.dispatch("share", {"title": "Hi", "page": "admin"})
    assert outcome(session).startswith("error InvalidArgument: page 'admin' is not a page")
    session.dispatch("share", {"title": "Hi", "page": "receipt", "params": {"x": "<script>"}})
    assert outcome(session).startswith("error InvalidArgument: params:")
