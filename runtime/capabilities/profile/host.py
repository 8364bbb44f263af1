"""Host side of `capsule:app/profile`: pseudonymous ids, and facts the user shares.

`user-id` needs no prompt: it is a keyed hash that means nothing outside this
program (or the developer's link group). `get-profile` needs scope `profile`
once; `phone-number` needs `profile.phone` on every call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Mapping

from ..base import CallContext, Capability, HostFunction, NotDeclared, Unavailable
from ..wit import record
from .links import DeveloperLinks
from .provider import ProfileProvider

if TYPE_CHECKING:
    from ...consent import ConsentGate
    from ...services import Identities


class ProfileCapability(Capability):
    name = "profile"

    def __init__(
        self,
        provider: ProfileProvider,
        consent: "ConsentGate",
        identities: "Callable[[], Identities]",
        links: DeveloperLinks,
    ) -> None:
        self.provider = provider
        self.consent = consent
        self.identities = identities
        self.links = links

    def functions(self) -> Mapping[str, HostFunction]:
        return {"user-id": self.user_id, "get-profile": self.get_profile, "phone-number": self.phone_number}

    def user_id(self, ctx: CallContext) -> str:
        return self.identities().user_id(self.links.scope(ctx.app.id, ctx.app.key_id), ctx.user)

    def get_profile(self, ctx: CallContext):
        fields = _fields(ctx)
        if not fields & {"nickname", "avatar", "locale"}:
            raise NotDeclared('get-profile needs "nickname", "avatar" or "locale" in the manifest\'s profile fields')
        self.consent.require(ctx, "profile")
        found = self.provider.profile(ctx.user)
        # Only what the manifest asked for leaves the host.
        return record(
            nickname=found.nickname if "nickname" in fields else "",
            avatar_url=found.avatar_url if "avatar" in fields else "",
            locale=found.locale if "locale" in fields else "",
        )

    def phone_number(self, ctx: CallContext) -> str:
        if "phone" not in _fields(ctx):
            raise NotDeclared('phone-number needs "phone" in the manifest\'s profile fields')
        self.consent.require(ctx, "profile.phone")
        phone = self.provider.profile(ctx.user).phone
        if not phone:
            raise Unavailable("the host has no phone number for this user")
        return phone


def _fields(ctx: CallContext) -> set[str]:
    return set(getattr(ctx.app.manifest.permission("profile"), "fields", ()) or ())
