"""Messages to the user, each with their consent.

    from capsule_sdk import messages

    chosen = messages.subscribe(["order-ready"])   # {"order-ready": SubscriptionChoice.ONCE}
    messages.follow()                              # True when the user follows the program
    messages.open_chat()                           # the host shows the customer-service chat
    messages.share("Split the bill", "join", {"bill": "b42"})  # True when sent to a contact

The templates, and whether the program follows, chats or shares, are declared
in the manifest's `messages` section. The program's merchant server sends the
messages themselves through the host's merchant API, to the user ids that
`profile.user_id()` gives.
"""

from __future__ import annotations

from ._bindings import call
from .errors import InvalidArgument
from .types import SubscriptionChoice

__all__ = ["SubscriptionChoice", "follow", "open_chat", "share", "subscribe"]


def subscribe(template_ids: list[str]) -> dict[str, SubscriptionChoice]:
    """Show the host's subscribe sheet for these declared templates; the user's choice per template.

    "once" allows one message of that template; "always" allows them until the
    user revokes it. Raises `InvalidArgument` for a template the manifest does
    not declare.
    """
    if isinstance(template_ids, str) or not all(isinstance(t, str) for t in template_ids):
        raise InvalidArgument("template_ids must be a list of template ids (text)")
    answers = call("messages", "subscribe", list(template_ids))
    return {a.template_id: SubscriptionChoice.from_wit(a.choice) for a in answers}


def follow() -> bool:
    """Ask the user to follow this program (service updates, at most two a week)."""
    return bool(call("messages", "follow"))


def open_chat() -> None:
    """Open this program's customer-service chat in the host's messages screen."""
    call("messages", "open_chat")


def share(title: str, page: str, params: dict[str, str] | None = None) -> bool:
    """The user picks a contact, who receives a card titled `title` opening `page` with `params`.

    Returns False when the user closed the picker. The program never learns who it was.
    """
    pairs = sorted((str(k), str(v)) for k, v in (params or {}).items())
    return bool(call("messages", "share", str(title), str(page), pairs))
