"""The loader refuses hostile packages, each with its own code, before
anything reaches the disk."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path

import pytest

from capsule.runtime.errors import PackageError
from capsule.runtime.package import PackageLimits, open_package, package_digest
from capsule.runtime.package.reader import read_bounded
from capsule.runtime.package.signing import signed_message

from .zips import KEY, LOGO, MANIFEST, OTHER_KEY, WASM, base, craft, info, members_of, rewrite

def refused(path: Path, code: str, limits: PackageLimits | None = None, **kwargs: object) -> PackageError:
    with pytest.raises(PackageError) as caught:
        open_package(path, limits, **kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def test_a_well_formed_crafted_package_opens(tmp_path):
    entries = [(info("assets/"), b""), *base()]  # directory entries are ignored
    package = open_package(craft(tmp_path / "ok.capsule", entries))
    assert package.manifest_bytes == MANIFEST and package.component == WASM
    assert dict(package.assets) == {"assets/logo.png": LOGO}


def test_digest_ignores_order_and_compression(tmp_path):
    deflated = open_package(craft(tmp_path / "a.capsule"))
    stored = open_package(craft(tmp_path / "b.capsule", base()[::-1], compression=zipfile.ZIP_STORED))
    assert deflated.digest == stored.digest


# -- the archive itself ----------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"hello, not a zip", b"PK\x05\x06" + b"\0" * 10])
def test_not_a_zip(tmp_path, content):
    path = tmp_path / "junk.capsule"
    path.write_bytes(content)
    refused(path, "not-a-package")


def test_missing_path_and_directory(tmp_path):
    refused(tmp_path / "nowhere.capsule", "not-a-package")
    refused(tmp_path, "not-a-package")


@pytest.mark.parametrize("fraction", [0.25, 0.5, 0.9, 0.99])
def test_truncated(tmp_path, fraction):
    path = craft(tmp_path / "p.capsule")
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    refused(path, "not-a-package")


def test_corrupt_crc(tmp_path):
    path = craft(tmp_path / "p.capsule", compression=zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    at = data.index(WASM) + 100  # inside program.wasm's stored bytes
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    assert "CRC" in refused(path, "not-a-package").message


def test_unsupported_compression_and_encryption(tmp_path):
    refused(craft(tmp_path / "bz.capsule", compression=zipfile.ZIP_BZIP2), "not-a-package")
    path = craft(tmp_path / "enc.capsule", compression=zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 0x1  # "encrypted" flag bit of the first central entry
    path.write_bytes(bytes(data))
    assert "encrypted" in refused(path, "not-a-package").message


def test_package_too_large(tmp_path):
    refused(craft(tmp_path / "p.capsule"), "package-too-large", PackageLimits(max_package_bytes=500))


def test_too_many_members(tmp_path):
    entries = base() + [(f"assets/{i}.txt", b"x") for i in range(10)]
    refused(craft(tmp_path / "p.capsule", entries), "too-many-members", PackageLimits(max_members=8))


def test_too_many_members_even_when_the_end_record_lies(tmp_path):
    path = craft(tmp_path / "p.capsule", base() + [(f"assets/{i}.txt", b"x") for i in range(10)])
    data = bytearray(path.read_bytes())
    end = data.rindex(b"PK\x05\x06")
    data[end + 8 : end + 12] = (2).to_bytes(2, "little") * 2  # claim 2 entries
    path.write_bytes(bytes(data))
    refused(path, "too-many-members", PackageLimits(max_members=8))


# -- member names ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["/etc/passwd", "/assets/x", "C:/assets/x", "c:x", "assets\\x.png", "..\\x"])
def test_absolute_path(tmp_path, name):
    refused(craft(tmp_path / "p.capsule", base() + [(name, b"x")]), "absolute-path")


@pytest.mark.parametrize("name", ["../x", "assets/../../x", "assets/..", "assets//x", "assets/./x", "./manifest.json"])
def test_path_traversal(tmp_path, name):
    refused(craft(tmp_path / "p.capsule", base() + [(name, b"x")]), "path-traversal")


def test_path_traversal_in_a_directory_entry(tmp_path):
    refused(craft(tmp_path / "p.capsule", [(info("../up/"), b""), *base()]), "path-traversal")


def test_control_characters_and_nul_in_names(tmp_path):
    refused(craft(tmp_path / "nl.capsule", base() + [("assets/a\nb", b"x")]), "bad-path")
    # zipfile cannot write a NUL in a name; patch one in, in both headers.
    path = craft(tmp_path / "nul.capsule", base() + [("assets/logo.pngX", b"x")])
    path.write_bytes(path.read_bytes().replace(b"assets/logo.pngX", b"assets/logo.png\0"))
    refused(path, "bad-path")


def test_path_too_long(tmp_path):
    refused(craft(tmp_path / "p.capsule", base() + [("assets/" + "x" * 30, b"x")]), "path-too-long",
            PackageLimits(max_path_length=20))


def test_symlink(tmp_path):
    entries = base() + [(info("assets/passwd", 0o120777), b"/etc/passwd")]
    assert "symbolic link" in refused(craft(tmp_path / "p.capsule", entries), "link").message


def test_special_file(tmp_path):
    entries = base() + [(info("assets/fifo", 0o010644), b"")]
    refused(craft(tmp_path / "p.capsule", entries), "link")


@pytest.mark.parametrize(
    "extra",
    [
        [("program.wasm", b"second")],
        [("assets/Logo.png", b"case")],
        [("assets/logo.png/inner", b"file where a folder is needed")],
        [("assets/e\u0301.txt", b"decomposed"), ("assets/\u00e9.txt", b"composed")],
    ],
)
def test_duplicate_member(tmp_path, extra):
    refused(craft(tmp_path / "p.capsule", base() + extra), "duplicate-member")


def test_folder_then_file_of_the_same_name(tmp_path):
    entries = [("assets/a/b", b"x"), *base(), ("assets/a", b"y")]
    refused(craft(tmp_path / "p.capsule", entries), "duplicate-member")


@pytest.mark.parametrize(
    "name", ["README.md", "src/app.py", "Manifest.json", "manifest.json.bak", "program.wasm/x", "asset/x", "assets"]
)
def test_unexpected_member(tmp_path, name):
    refused(craft(tmp_path / "p.capsule", base() + [(name, b"x")]), "unexpected-member")


@pytest.mark.parametrize("missing", ["manifest.json", "program.wasm"])
def test_missing_file(tmp_path, missing):
    entries = [(name, data) for name, data in base() if name != missing]
    assert missing in refused(craft(tmp_path / "p.capsule", entries), "missing-file").message


def test_missing_signature(tmp_path):
    refused(craft(tmp_path / "p.capsule", signed=False), "missing-file")


# -- sizes -----------------------------------------------------------------------


def test_member_too_large(tmp_path):
    entries = base() + [("assets/big.bin", bytes(range(256)) * 16)]
    error = refused(craft(tmp_path / "p.capsule", entries), "member-too-large", PackageLimits(max_member_bytes=3000))
    assert "assets/big.bin" in error.message


def test_manifest_too_large(tmp_path):
    entries = [("manifest.json", b'{"pad": "' + b"x" * 300 + b'"}'), *base()[1:]]
    refused(craft(tmp_path / "p.capsule", entries), "member-too-large", PackageLimits(max_manifest_bytes=200))


def test_total_too_large(tmp_path):
    entries = base() + [(f"assets/{i}.bin", bytes(range(256)) * 4) for i in range(5)]
    refused(craft(tmp_path / "p.capsule", entries), "total-too-large", PackageLimits(max_total_bytes=5000))


def test_a_declared_size_that_lies_is_caught(tmp_path):
    """Central directory says 10 bytes; zipfile stops there and the CRC fails."""
    path = craft(tmp_path / "p.capsule", base() + [("assets/big.bin", b"A" * 5000)], compression=zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    entry = data.index(b"assets/big.bin", data.index(b"PK\x01\x02")) - 46  # its central directory entry
    assert data[entry : entry + 4] == b"PK\x01\x02"
    data[entry + 24 : entry + 28] = (10).to_bytes(4, "little")  # uncompressed size
    path.write_bytes(bytes(data))
    refused(path, "not-a-package", PackageLimits(max_member_bytes=3000))


@pytest.mark.parametrize(
    ("cap", "remaining", "compressed", "code"),
    [
        (100_000, 10**9, 10**6, "member-too-large"),
        (10**9, 100_000, 10**6, "total-too-large"),
        (10**9, 10**9, 100, "decompression-bomb"),
    ],
)
def test_real_bytes_are_counted_while_reading(cap, remaining, compressed, code):
    """Should a stream ever yield more than its declared size, the count stops it."""
    stream = io.BytesIO(b"x" * 200_000)
    with pytest.raises(PackageError) as caught:
        read_bounded(
            stream, "assets/a", cap=cap, remaining=remaining, compressed_size=compressed,
            limits=PackageLimits(ratio_floor_bytes=10_000),
        )
    assert caught.value.code == code


def test_decompression_bomb_default_limits(tmp_path):
    """50 MiB of zeros deflate to about 50 KiB; refused before inflating."""
    entries = base() + [("assets/zeros.bin", bytes(50 * 1024 * 1024))]
    assert "assets/zeros.bin" in refused(craft(tmp_path / "p.capsule", entries), "decompression-bomb").message


def test_small_members_add_up_to_a_bomb(tmp_path):
    entries = base() + [(f"assets/{i}.bin", bytes(900)) for i in range(40)]
    error = refused(craft(tmp_path / "p.capsule", entries), "decompression-bomb",
                    PackageLimits(ratio_floor_bytes=2100, max_compression_ratio=5))
    assert "the archive as a whole" in error.message


def test_repetitive_files_under_the_floor_are_fine(tmp_path):
    open_package(craft(tmp_path / "p.capsule", base() + [("assets/blank.bin", bytes(500_000))]))


# -- signature -------------------------------------------------------------------


def _with_signature(tmp_path: Path, change) -> Path:
    path = craft(tmp_path / "p.capsule")
    members = members_of(path)
    document = json.loads(members["signature.json"])
    members["signature.json"] = change(document)
    return rewrite(tmp_path / "changed.capsule", members)


def _json(document: object) -> bytes:
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    "change",
    [
        lambda d: b"not json",
        lambda d: b"\xff\xfe",
        lambda d: _json([d]),
        lambda d: _json({k: v for k, v in d.items() if k != "key_id"}),
        lambda d: _json({**d, "extra": 1}),
        lambda d: _json({**d, "format": "capsule-package-v2"}),
        lambda d: _json({**d, "algorithm": "rsa"}),
        lambda d: _json({**d, "public_key": "!!!"}),
        lambda d: _json({**d, "public_key": base64.b64encode(b"short").decode()}),
        lambda d: _json({**d, "signature": 42}),
        lambda d: _json({**d, "key_id": "0123456789abcdef"}),
        lambda d: _json({**d, "digest": d["digest"].upper()}),
    ],
)
def test_bad_signature_file(tmp_path, change):
    refused(_with_signature(tmp_path, change), "bad-signature-file")


def test_oversized_signature_file(tmp_path):
    refused(_with_signature(tmp_path, lambda d: b" " * 20_000), "member-too-large")


@pytest.mark.parametrize("member", ["program.wasm", "assets/logo.png", "manifest.json"])
def test_one_changed_byte_after_signing(tmp_path, member):
    path = craft(tmp_path / "p.capsule")
    members = members_of(path)
    changed = bytearray(members[member])
    changed[len(changed) // 2] ^= 0x01
    members[member] = bytes(changed)
    refused(rewrite(tmp_path / "t.capsule", members), "digest-mismatch")


def test_added_or_removed_asset_after_signing(tmp_path):
    members = members_of(craft(tmp_path / "p.capsule"))
    refused(rewrite(tmp_path / "added.capsule", {**members, "assets/new.txt": b"new"}), "digest-mismatch")
    del members["assets/logo.png"]
    refused(rewrite(tmp_path / "removed.capsule", members), "digest-mismatch")


def test_signed_by_another_key_under_the_original_public_key(tmp_path):
    def resign(document: dict) -> bytes:
        forged = OTHER_KEY.sign(signed_message(document["digest"]))
        return _json({**document, "signature": base64.b64encode(forged).decode()})

    refused(_with_signature(tmp_path, resign), "bad-signature")


def test_digest_and_signature_both_redone_for_tampered_content(tmp_path):
    """An attacker who re-signs tampered content with their own key gets a valid
    package under a different key id: trusted_keys is what stops them."""
    members = members_of(craft(tmp_path / "p.capsule"))
    members["program.wasm"] = b"\0asm evil"
    craft(tmp_path / "evil.capsule", [(n, d) for n, d in members.items() if n != "signature.json"], key=OTHER_KEY)
    honest = open_package(tmp_path / "p.capsule")
    evil = open_package(tmp_path / "evil.capsule")
    assert evil.key_id != honest.key_id
    refused(tmp_path / "evil.capsule", "untrusted-key", trusted_keys={honest.key_id})


def test_trusted_keys(tmp_path):
    path = craft(tmp_path / "p.capsule")
    key_id = open_package(path).key_id
    assert open_package(path, trusted_keys={key_id, "ffffffffffffffff"}).key_id == key_id
    refused(path, "untrusted-key", trusted_keys={"ffffffffffffffff"})
    refused(path, "untrusted-key", trusted_keys=set())


# -- manifest shape --------------------------------------------------------------


@pytest.mark.parametrize(
    "manifest", [b"not json", b"\xff{}", b"[1, 2]", b'{"a": 1, "a": 2}', b'{"a": NaN}', b"[" * 100_000]
)
def test_bad_manifest_json(tmp_path, manifest):
    entries = [("manifest.json", manifest), *base()[1:]]
    refused(craft(tmp_path / "p.capsule", entries), "bad-manifest-json")


# -- whatever the damage, only PackageError --------------------------------------


def test_every_flipped_byte_is_refused_or_harmless(tmp_path):
    """Flip each byte in turn: the loader either refuses with a PackageError or
    (for bytes no check covers, such as timestamps) returns the same content."""
    original = craft(tmp_path / "p.capsule", [(n, d[:200]) for n, d in base()])
    digest = open_package(original).digest
    data = original.read_bytes()
    damaged = tmp_path / "d.capsule"
    for at in range(len(data)):
        flipped = bytearray(data)
        flipped[at] ^= 0xFF
        damaged.write_bytes(bytes(flipped))
        try:
            assert open_package(damaged).digest == digest, at
        except PackageError:
            pass


def test_every_truncation_is_refused(tmp_path):
    data = craft(tmp_path / "p.capsule").read_bytes()
    cut = tmp_path / "cut.capsule"
    for length in range(0, len(data), 7):
        cut.write_bytes(data[:length])
        refused(cut, "not-a-package")


def test_nothing_is_written_while_opening(tmp_path):
    # The package sits one folder down, so "../escape" would land in tmp_path,
    # which nothing else writes to (other tests' hosts write in the shared basetemp).
    inner = tmp_path / "inner"
    inner.mkdir()
    path = craft(inner / "p.capsule", base() + [("../escape", b"x")])
    before = sorted(tmp_path.rglob("*"))
    refused(path, "path-traversal")
    assert sorted(tmp_path.rglob("*")) == before
