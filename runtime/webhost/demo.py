"""The demo a newcomer starts first: sample programs live in the embedded registry.

On first start every sample is built (or its cached build reused), published
under the local developer account, audited and precompiled, approved by the
local reviewer, and installed; demo wallets are topped up. Each step checks
what is already there, so later starts redo nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import capsule.samples
from pathlib import Path
from typing import Callable, Iterator

from ..capabilities.payments.embedded import EmbeddedProvider
from ..errors import CapsuleError
from ..host import Host
from ..registry import Registry, RegistryError
from ..registry.accounts import Account
from .catalog import Catalog

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DemoUser:
    name: str
    display: str
    #: Minor units per currency put in the wallet on first start.
    wallet: tuple[tuple[str, int], ...] = (("CNY", 50_000), ("EUR", 10_000))


DEMO_USERS = (DemoUser("alice", "Alice"), DemoUser("bob", "Bob"), DemoUser("carol", "Carol"))

#: The samples ship inside Capsule (`capsule.samples`): a checkout's sample_programs/, or the installed copy.
SAMPLES_DIR = Path(capsule.samples.__file__).resolve().parent


def sample_dirs(root: Path = SAMPLES_DIR) -> list[Path]:
    return sorted(path for path in root.iterdir() if (path / "manifest.json").is_file()) if root.is_dir() else []


def publish_samples(catalog: Catalog, actor: Account, samples: list[Path], progress: Progress) -> list[str]:
    """Build, publish, audit and approve each sample that is not live yet; returns their app ids."""
    from capsule.sdk.toolchain.build import build_program  # the toolchain is needed only here

    live: list[str] = []
    for number, directory in enumerate(samples, 1):
        step = f"[{number}/{len(samples)}] {directory.name}"
        try:
            # Packages go to CAPSULE_HOME: an installed Capsule's samples may sit in a read-only site-packages.
            built = build_program(
                directory,
                home=catalog.host.home,
                out_dir=catalog.host.home.build_cache / "samples",
                progress=lambda m: progress(f"{step}: {m}"),
            )
            app_id = built.manifest.id
            if not _live_at(catalog.registry, app_id, str(built.manifest.version)):
                release(catalog.registry, actor, built.package, progress=lambda m: progress(f"{step}: {m}"))
            catalog.ensure_installed(app_id, user=DEMO_USERS[0].name)
            live.append(app_id)
        except CapsuleError as error:
            # One broken sample must not keep the others out of the demo.
            progress(f"{step}: skipped: {error}")
    return live


def _live_at(registry: Registry, app_id: str, version: str) -> bool:
    """Whether `version` of `app_id` is released already: another host on the same database
    published it (signed with its own key), and this one installs that instead of a conflict."""
    try:
        return registry.release(app_id)["version"] == version
    except RegistryError:
        return False


def release(registry: Registry, actor: Account, package: Path, *, progress: Progress) -> dict:
    """Publish `package`, audit it here and now, and approve it for everyone (the local reviewer)."""
    version, created = registry.publish(actor, _chunks(package))
    if created or version["status"] == "auditing":
        progress("auditing and precompiling (once per version)")
        registry.audit_version(version["review_id"])
    current = next(v for v in registry.reviews(actor, status=None) if v["review_id"] == version["review_id"])
    if current["status"] == "pending":
        progress("approving as the local reviewer")
        registry.approve(actor, current["review_id"])
    elif current["status"] == "rejected":
        raise RegistryError(422, "rejected", f"{current['id']} {current['version']} was rejected: {current.get('reason')}")
    return current


def top_up_wallets(host: Host, users: tuple[DemoUser, ...] = DEMO_USERS) -> None:
    """Money for the demo, once: a wallet that was ever topped up is left alone."""
    provider = host.capabilities["payments"].provider  # type: ignore[attr-defined]
    if not isinstance(provider, EmbeddedProvider):
        return  # a host with a real processor funds its own wallets
    for user in users:
        if any(line.kind == "topup" for line in provider.statement(f"user:{user.name}", limit=1000)):
            continue
        for currency, amount in user.wallet:
            provider.topup(user.name, amount, currency, memo="demo wallet")


def _chunks(package: Path, size: int = 1 << 20) -> Iterator[bytes]:
    with package.open("rb") as source:
        while chunk := source.read(size):
            yield chunk
