"""Images as a program may see them: decoded under a pixel cap, metadata removed.

Every image is decoded and encoded again, which drops EXIF (GPS position,
camera serial numbers, times), XMP, IPTC and comments in one go. The EXIF
orientation is the one tag kept, so the picture still shows the right way up.
Decoding under a pixel cap refuses decompression bombs: a few kilobytes that
would unpack into gigabytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps

#: About a 40-megapixel photo.
MAX_PIXELS = 40_000_000
_ORIENTATION = 0x0112
_SAVE_AS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}


class ImageRejected(ValueError):
    pass


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    mime: str
    width: int
    height: int


def _open(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
    except Exception as error:  # noqa: BLE001 - Pillow raises many types for bad data
        raise ImageRejected(f"not a readable image ({type(error).__name__})") from None
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ImageRejected(f"the image is {width}x{height} pixels; at most {MAX_PIXELS:,} pixels are accepted")
    return image


def clean(data: bytes, mime: str) -> CleanImage:
    """The image re-encoded without metadata, its orientation tag kept."""
    image = _open(data)
    orientation = image.getexif().get(_ORIENTATION)
    try:
        image.load()  # fully decoded here: truncated or corrupt files fail now, not later
    except Exception as error:  # noqa: BLE001
        raise ImageRejected(f"the image data is damaged ({type(error).__name__})") from None
    fmt = _SAVE_AS[mime]
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    options: dict[str, object] = {}
    if orientation and fmt in ("JPEG", "PNG", "WEBP"):
        exif = Image.Exif()
        exif[_ORIENTATION] = orientation
        options["exif"] = exif.tobytes()
    if fmt == "JPEG":
        options.update(quality=92, optimize=True)
    image.save(out, format=fmt, **options)
    return CleanImage(out.getvalue(), mime, image.width, image.height)


def thumbnail(data: bytes, max_edge: int) -> CleanImage:
    """A JPEG (PNG when it has transparency) whose longer edge is at most `max_edge`, turned upright."""
    image = ImageOps.exif_transpose(_open(data))
    image.thumbnail((max_edge, max_edge))
    transparent = image.mode in ("RGBA", "LA", "P")
    out = io.BytesIO()
    if transparent:
        image.convert("RGBA").save(out, format="PNG", optimize=True)
    else:
        image.convert("RGB").save(out, format="JPEG", quality=85)
    return CleanImage(out.getvalue(), "image/png" if transparent else "image/jpeg", image.width, image.height)
