"""Host side of `capsule:app/messages`: the user's consent to each kind of message.

The program only asks; the user answers on the host's own sheets:
- `subscribe` shows one sheet listing the templates (title and reason each);
  "Allow once" adds one message of each, "Always allow" a standing
  permission the user can revoke on Me;
- `follow` asks once (already following: no sheet);
- `open-chat` opens the program's customer-service thread;
- `share` shows the contact picker; the program never sees the contacts.
Messages themselves are sent by the program's merchant server (`api.py`).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ...prompter import Choice, ConfirmRequest, ContactPickRequest
from ..base import CallContext, Capability, HostFunction, InvalidArgument, NotDeclared, Refused, Unavailable
from ..wit import record
from .errors import BadMessage, NotContacts
from .permission import MAX_TEMPLATES
from .provider import MessagesProvider
from .templates import TITLE_MAX, check_target, check_text, section, template_title

#: Called when a program opens its chat, so a host can show the thread.
ChatOpener = Callable[[Any, str], None]


class MessagesCapability(Capability):
    name = "messages"

    def __init__(self, store: MessagesProvider) -> None:
        self.store = store
        self.chat_openers: list[ChatOpener] = []

    def functions(self) -> Mapping[str, HostFunction]:
        return {"subscribe": self.subscribe, "follow": self.follow, "open-chat": self.open_chat, "share": self.share}

    def subscribe(self, ctx: CallContext, template_ids: list[str]) -> list[Any]:
        declared = _section(ctx)
        wanted = list(dict.fromkeys(template_ids))
        if not wanted or len(wanted) > MAX_TEMPLATES:
            raise InvalidArgument(f"template-ids must name 1 to {MAX_TEMPLATES} templates")
        templates = []
        for template_id in wanted:
            template = declared.template(template_id)
            if template is None:
                raise InvalidArgument(f"template {template_id[:64]!r} is not declared in the manifest's messages section")
            templates.append(template)
        ctx.scope = "messages.subscribe"
        manifest = ctx.app.manifest
        sheet = ConfirmRequest(
            user=ctx.user,
            app_id=ctx.app.id,
            app_name=ctx.app.name,
            title="Receive messages",
            message=f"{ctx.app.name} would like to send you these messages.",
            confirm_label="Allow once",
            cancel_label="Not now",
            kind="subscribe",
            details=tuple((template_title(manifest, t), t.reason) for t in templates),
            choices=(("always", "Always allow"),),
        )
        answer = _ask(ctx, sheet)
        choice = "always" if answer == Choice("always") else "once" if answer is True else "refused"
        if choice != "refused":
            self.store.subscribe(ctx.user, ctx.app.id, {t.id: choice for t in templates})
        return [record(template_id=t.id, choice=choice) for t in templates]

    def follow(self, ctx: CallContext) -> bool:
        if not _section(ctx).follow:
            raise NotDeclared('follow needs "follow": true in the manifest\'s messages section')
        ctx.scope = "messages.follow"
        if self.store.is_following(ctx.user, ctx.app.id):
            return True
        sheet = ConfirmRequest(
            user=ctx.user,
            app_id=ctx.app.id,
            app_name=ctx.app.name,
            title=f"Follow {ctx.app.name}?",
            message="It may send you service updates, at most two a week. You can mute or unfollow it in Messages.",
            confirm_label="Follow",
            cancel_label="Not now",
            kind="follow",
        )
        if _ask(ctx, sheet) is not True:
            return False
        self.store.follow(ctx.user, ctx.app.id)
        return True

    def open_chat(self, ctx: CallContext) -> None:
        if not _section(ctx).chat:
            raise NotDeclared('open-chat needs "chat": true in the manifest\'s messages section')
        self.store.open_chat(ctx.user, ctx.app.id)
        for opener in list(self.chat_openers):
            opener(ctx.session, ctx.app.id)

    def share(self, ctx: CallContext, title: str, page: str, params: list[Any]) -> bool:
        if not _section(ctx).share:
            raise NotDeclared('share needs "share": true in the manifest\'s messages section')
        try:
            title = check_text(title, "title", TITLE_MAX)
            page, launch = check_target(ctx.app.manifest, page, {str(k): str(v) for k, v in params})
        except BadMessage as error:
            raise InvalidArgument(str(error)) from None
        ctx.scope = "messages.share"
        contacts = self.store.contacts(ctx.user)
        request = ContactPickRequest(ctx.user, ctx.app.id, ctx.app.name, title)

        def question(prompter: Any, timeout: float) -> str | None:
            picker = getattr(prompter, "pick_contact", None)
            if picker is None:
                raise Unavailable("this host has no contact picker")
            return picker(request, list(contacts), timeout)

        try:
            chosen = ctx.session.ask(question)
        except TimeoutError:
            chosen = None
        if chosen is None:
            return False
        if chosen not in contacts:  # a prompter may only answer with one of the contacts it was shown
            raise Refused("the contact picker answered with someone who is not a contact")
        try:
            self.store.send_to_contact(
                from_user=ctx.user, to_user=chosen, kind="share", app_id=ctx.app.id, title=title, page=page, params=launch
            )
        except NotContacts as error:
            raise Refused(str(error)) from None
        return True


def _section(ctx: CallContext):
    declared = section(ctx.app.manifest)
    if declared is None:
        raise NotDeclared("the manifest does not declare messages")
    return declared


def _ask(ctx: CallContext, request: ConfirmRequest) -> Any:
    try:
        return ctx.session.ask(lambda prompter, timeout: prompter.confirm(request, timeout))
    except TimeoutError:
        return False
