"""Between host users and the pairwise ids a program (and its merchant server) knows.

The ids are those `profile.user-id` gives the program: a keyed hash per
(program or developer link group, user). A merchant server names users only
by them, and sees only them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from ..profile.links import DeveloperLinks
from .errors import UnknownUser

if TYPE_CHECKING:
    from ...app import InstalledApp
    from ...services import HostServices


class PairwiseIds:
    def __init__(self, services: "HostServices") -> None:
        self.services = services
        self.links = DeveloperLinks(lambda: services.database)

    def scope(self, app: "InstalledApp") -> str:
        return self.links.scope(app.id, app.key_id)

    def user_for(self, app: "InstalledApp", user_id: object) -> str:
        """The host user behind `user_id`, or `UnknownUser`."""
        if not isinstance(user_id, str) or not user_id.startswith("u_") or len(user_id) > 64:
            raise UnknownUser("user_id must be an id the program got from profile.user_id(), such as u_3f2a...")
        user = self.services.identities.user_for(self.scope(app), user_id)
        if user is None:
            raise UnknownUser(f"no user of {app.id} has the id {user_id}; use the id profile.user_id() gave the program")
        return user

    def ids_for(self, app: "InstalledApp") -> Callable[[str], str]:
        """A function from host user to this program's id for them."""
        scope = self.scope(app)
        identities = self.services.identities
        return lambda user: identities.user_id(scope, user)
