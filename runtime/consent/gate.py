"""The consent check a capability makes before it touches the user's data.

    consent.require(ctx, "location.precise")

answers at once from the stored grant when there is one, asks the user through
the session's prompter when there is none (showing the program's name, the
scope and the manifest's reason), and remembers the answer. A remembered "no"
(denied, or revoked in settings) raises `Refused` without asking again.
"""

from __future__ import annotations

from ..capabilities.base import CallContext, Refused
from ..prompter import ConsentRequest
from .grants import ConsentStore, GrantState

#: Every scope a capability asks the user for: what can be granted or denied ahead of time.
SCOPES = ("location.fuzzy", "location.precise", "profile", "profile.phone")
#: Scopes asked on every use: a "yes" is never remembered (a "no" is).
ASK_EVERY_TIME = frozenset({"profile.phone"})


class ConsentGate:
    """Stored grants first, the user second."""

    def __init__(self, store: ConsentStore, *, grant_ttl_seconds: float | None = None) -> None:
        self.store = store
        #: How long a "yes" lasts; None: until the user changes it.
        self.grant_ttl_seconds = grant_ttl_seconds

    def require(self, ctx: CallContext, scope: str) -> None:
        """Return when the user allows `scope` for this program; raise `Refused` otherwise."""
        ctx.scope = scope
        app_id, user = ctx.app.id, ctx.user
        every_time = scope in ASK_EVERY_TIME
        state = self.store.get(user, app_id, scope).effective()
        if state is GrantState.GRANTED and not every_time:
            return
        if state in (GrantState.DENIED, GrantState.REVOKED):
            raise Refused(
                f"the user has {state.value} {scope} for this program; only they can change it, "
                "in the host's privacy settings"
            )
        permission = ctx.app.manifest.permission(ctx.capability)
        request = ConsentRequest(
            user=user,
            app_id=app_id,
            app_name=ctx.app.name,
            scope=scope,
            reason=getattr(permission, "reason", ""),
        )
        allowed = bool(ctx.session.ask(lambda prompter, timeout: prompter.ask_consent(request, timeout)))
        if not allowed:
            self.store.deny(user, app_id, scope)
            raise Refused(f"the user refused {scope}; the program will not be asked again until they change it")
        if not every_time:
            self.store.grant(user, app_id, scope, ttl_seconds=self.grant_ttl_seconds)
