"""Opening an untrusted package: read within limits, check the digest and the
signature, and only then hand out its content."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from ..errors import PackageError
from .digest import package_digest
from .format import COMPONENT, COMPONENT_KIND, ENTRIES, MANIFEST, RUNTIME, SIGNATURE, package_kind
from .limits import PackageLimits
from .reader import read_members
from .signing import parse_signature


@dataclass(frozen=True)
class VerifiedPackage:
    """A package whose every check passed; its content, held in memory."""

    digest: str
    key_id: str
    public_key: str  # base64 of the raw 32-byte Ed25519 key
    manifest_bytes: bytes = field(repr=False)
    #: The WebAssembly component of a `component` package; None for a source package.
    component: bytes | None = field(repr=False)
    #: Every other member by full name: "assets/...", and a source package's files ("app.py", "lib/...").
    files: Mapping[str, bytes] = field(repr=False)
    size: int  # of the .capsule file
    signature_bytes: bytes = field(repr=False)
    #: `component`, or the language of a source package (`python`).
    kind: str = COMPONENT_KIND
    #: The runtime a source package needs (see `capsule.runtime.languages`); None for a component.
    runtime: str | None = None

    @property
    def assets(self) -> dict[str, bytes]:
        """The members under assets/ (icons and images the host shows)."""
        return {name: data for name, data in self.files.items() if name.startswith("assets/")}

    def members(self) -> dict[str, bytes]:
        """Every member by name, as in the archive."""
        fixed = {MANIFEST: self.manifest_bytes, SIGNATURE: self.signature_bytes}
        if self.component is not None:
            fixed[COMPONENT] = self.component
        return {**fixed, **self.files}

    def extract_to(self, directory: str | os.PathLike[str]) -> Path:
        """Write the members into `directory`, which must not exist yet.

        Built in a temporary sibling and renamed into place, so `directory`
        either holds the whole package or does not exist.
        """
        target = Path(directory)
        if target.exists():
            raise FileExistsError(f"{target} already exists; extract into a new directory")
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.tmp-"))
        try:
            for name, data in sorted(self.members().items()):
                # Names were checked by the loader: relative, no '..', no links.
                path = work.joinpath(*name.split("/"))
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            os.chmod(work, 0o755)  # mkdtemp makes it 0700
            os.rename(work, target)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        return target


def open_package(
    path: str | os.PathLike[str],
    limits: PackageLimits | None = None,
    trusted_keys: set[str] | None = None,
) -> VerifiedPackage:
    """Read and verify the package at `path`, or raise PackageError (see `.code`).

    `trusted_keys` holds key ids; None accepts any key that signs correctly,
    an empty set accepts none.
    """
    members, size = read_members(Path(path), limits or PackageLimits())
    signature = parse_signature(members[SIGNATURE])
    digest = package_digest(members)
    if digest != signature.digest:
        raise PackageError(
            f"the content of {path} does not match its signature ({digest} was signed as {signature.digest}); "
            "a file was changed after signing: get a fresh copy or rebuild with `capsule build`",
            code="digest-mismatch",
        )
    signature.verify()
    if trusted_keys is not None and signature.key_id not in trusted_keys:
        raise PackageError(
            f"{path} is signed by key {signature.key_id}, which this host does not trust; "
            "add the key id to trusted_keys if you trust its developer",
            code="untrusted-key",
        )
    check_manifest_json(members[MANIFEST])
    kind = package_kind(members)
    runtime = None
    if kind != COMPONENT_KIND:
        kind, runtime = parse_runtime_json(members[RUNTIME])
        entry = ENTRIES.get(kind)
        if entry is not None and entry not in members:
            raise PackageError(
                f"the package is of kind {kind!r} but has no {entry}, where such a program starts; "
                "build it with `capsule build`",
                code="missing-file",
            )
    files = {name: data for name, data in sorted(members.items()) if name not in (MANIFEST, COMPONENT, SIGNATURE)}
    return VerifiedPackage(
        digest=digest,
        key_id=signature.key_id,
        public_key=signature.public_key_b64,
        manifest_bytes=members[MANIFEST],
        component=members.get(COMPONENT),
        files=MappingProxyType(files),
        size=size,
        signature_bytes=members[SIGNATURE],
        kind=kind,
        runtime=runtime,
    )


def runtime_json(kind: str, runtime: str) -> bytes:
    """The runtime.json `capsule build` writes into a source package."""
    return json.dumps({"kind": kind, "runtime": runtime}, sort_keys=True).encode() + b"\n"


def parse_runtime_json(data: bytes) -> tuple[str, str]:
    """(kind, runtime) from a source package's runtime.json, or PackageError."""
    try:
        document = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise PackageError(f"{RUNTIME} is not valid UTF-8 JSON ({error}); rebuild with `capsule build`", code="bad-runtime") from None
    if (
        not isinstance(document, dict)
        or set(document) != {"kind", "runtime"}
        or not all(isinstance(value, str) and 0 < len(value) <= 64 and value.isprintable() for value in document.values())
    ):
        raise PackageError(
            f'{RUNTIME} must be {{"kind": "...", "runtime": "..."}} with short strings; rebuild with `capsule build`',
            code="bad-runtime",
        )
    return document["kind"], document["runtime"]


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        # Readers disagree on which duplicate wins; a reviewer and a host must not.
        raise ValueError(f"duplicate key {next(k for k in keys if keys.count(k) > 1)!r}")
    return dict(pairs)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def check_manifest_json(data: bytes) -> None:
    """Only the shape: a UTF-8 JSON object. Its content is `capsule.runtime.manifest`'s job."""
    try:
        document = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise PackageError(
            f"{MANIFEST} is not valid UTF-8 JSON ({error}); fix it and rebuild", code="bad-manifest-json"
        ) from None
    if not isinstance(document, dict):
        raise PackageError(f"{MANIFEST} is not a JSON object; fix it and rebuild", code="bad-manifest-json")
