"""media: picked files checked by content, metadata stripped, bombs refused, chunks bounded."""

from __future__ import annotations

import base64
import hashlib
import io
from types import SimpleNamespace

import pytest
from PIL import Image

from capsule.runtime.capabilities import InvalidArgument, LimitReached, NotDeclared
from capsule.runtime.capabilities.base import CallContext
from capsule.runtime.capabilities.media import host as media_host
from capsule.runtime.capabilities.media.host import MediaCapability
from capsule.runtime.capabilities.media.provider import DiskMediaStore
from capsule.runtime.prompter import PolicyPrompter

GPS_IFD = 0x8825
ORIENTATION = 0x0112


class FakeSession:
    def __init__(self, prompter, kinds=("image",)):
        self.user = "student"
        self.prompter = prompter
        permission = SimpleNamespace(reason="Upload your homework photo.", kinds=list(kinds))
        self.app = SimpleNamespace(id="dev.example.homework", name="Homework", manifest=SimpleNamespace(permission=lambda n: permission))

    def ask(self, question):
        return question(self.prompter, 1.0)


def ctx(session):
    return CallContext(session, "media", "pick")


def photo_with_gps(path, orientation=6):
    """A JPEG as a phone writes it: GPS position and camera details in EXIF, rotated by a tag."""
    image = Image.new("RGB", (200, 100), (200, 30, 30))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x0131] = "Camera 1.0"
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (52.0, 22.0, 23.0), 3: "E", 4: (4.0, 53.0, 32.0)})
    image.save(path, format="JPEG", exif=exif.tobytes())
    assert Image.open(path).getexif().get_ifd(GPS_IFD)  # the fixture really carries a position
    return path


@pytest.fixture
def media(tmp_path):
    return MediaCapability(DiskMediaStore(tmp_path / "store"))


def read_all(media, c, handle, chunk=1000):
    data, offset = b"", 0
    while True:
        part = base64.b64decode(media.read(c, handle, offset, chunk))
        if not part:
            return data
        data += part
        offset += len(part)


def test_gps_is_stripped_and_orientation_kept_on_read_and_upload(media, tmp_path):
    picked = photo_with_gps(tmp_path / "homework.jpg")
    session = FakeSession(PolicyPrompter(picks=[[picked]]))
    c = ctx(session)
    (info,) = media.pick(c, "image", 1)
    assert (info.__dict__["mime-type"], info.width, info.height) == ("image/jpeg", 200, 100)
    data = read_all(media, c, info.handle)
    seen = Image.open(io.BytesIO(data)).getexif()
    assert not seen.get_ifd(GPS_IFD) and 0x010F not in seen and 0x0131 not in seen
    assert seen[ORIENTATION] == 6
    uploaded = media.upload(c, info.handle)
    stored = (tmp_path / "store" / uploaded.digest[:2] / uploaded.digest).read_bytes()
    assert stored == data and hashlib.sha256(stored).hexdigest() == uploaded.digest
    assert uploaded.url == f"/media/{uploaded.digest}" and b"PhoneMaker" not in stored


def test_a_file_named_jpg_that_is_not_an_image_is_refused(media, tmp_path):
    fake = tmp_path / "holiday.jpg"
    fake.write_text("#!/bin/sh\necho this is not a picture\n")
    session = FakeSession(PolicyPrompter(picks=[[fake]]))
    with pytest.raises(InvalidArgument, match="not an image or video, judged by its content"):
        media.pick(ctx(session), "image", 1)


def test_decompression_bombs_are_refused(media, tmp_path):
    bomb = tmp_path / "bomb.png"
    Image.new("1", (9000, 9000), 0).save(bomb, format="PNG")
    assert bomb.stat().st_size < 200_000
    session = FakeSession(PolicyPrompter(picks=[[bomb]]))
    with pytest.raises(InvalidArgument, match="pixels"):
        media.pick(ctx(session), "image", 1)


def test_size_cap(media, tmp_path, monkeypatch):
    monkeypatch.setattr(media_host, "MAX_IMAGE_BYTES", 100)
    session = FakeSession(PolicyPrompter(picks=[[photo_with_gps(tmp_path / "big.jpg")]]))
    with pytest.raises(LimitReached, match="at most 100"):
        media.pick(ctx(session), "image", 1)


def test_thumbnails_are_upright_and_bounded(media, tmp_path):
    session = FakeSession(PolicyPrompter(picks=[[photo_with_gps(tmp_path / "p.jpg")]]))
    c = ctx(session)
    (info,) = media.pick(c, "image", 1)
    thumb = media.thumbnail(c, info.handle, 64)
    assert (thumb.width, thumb.height) == (32, 64)  # orientation 6: a landscape photo shown upright
    small = Image.open(io.BytesIO(read_all(media, c, thumb.handle)))
    assert small.size == (32, 64) and not small.getexif().get_ifd(GPS_IFD)


def test_reads_are_bounded_and_handles_belong_to_their_session(media, tmp_path):
    session = FakeSession(PolicyPrompter(picks=[[photo_with_gps(tmp_path / "p.jpg")]]))
    c = ctx(session)
    (info,) = media.pick(c, "image", 1)
    with pytest.raises(InvalidArgument, match="at most"):
        media.read(c, info.handle, 0, media_host.MAX_READ + 1)
    other = ctx(FakeSession(PolicyPrompter()))
    with pytest.raises(InvalidArgument, match="unknown media handle"):
        media.read(other, info.handle, 0, 10)


def test_kinds_must_be_declared_and_picking_nothing_is_an_empty_list(media):
    session = FakeSession(PolicyPrompter())
    with pytest.raises(NotDeclared, match="video"):
        media.pick(ctx(session), "video", 1)
    assert media.pick(ctx(session), "any", 3) == []
    assert session.prompter.asked[0].kind == "any" and session.prompter.asked[0].max_count == 3


def test_the_store_serves_uploads_read_only_by_digest(tmp_path):
    from starlette.testclient import TestClient

    from capsule.runtime.capabilities.media.provider import media_app

    store = DiskMediaStore(tmp_path / "store")
    stored = store.put(b"\x89PNG\r\n\x1a\n...", "image/png")
    assert store.put(b"\x89PNG\r\n\x1a\n...", "image/png") == stored  # content addressed: kept once
    client = TestClient(media_app(store))
    served = client.get(f"/{stored.digest}")
    assert served.status_code == 200 and served.content == b"\x89PNG\r\n\x1a\n..."
    assert served.headers["content-type"] == "image/png" and served.headers["x-content-type-options"] == "nosniff"
    assert client.get("/../../etc/passwd").status_code == 404
    assert client.get("/" + "0" * 64).status_code == 404
