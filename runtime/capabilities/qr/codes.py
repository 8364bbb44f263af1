"""Drawing and reading codes: segno draws QR codes, zxing-cpp reads them.

segno is a small, pure-Python, well-tested QR encoder that writes PNG and SVG
itself. zxing-cpp is the maintained C++ port of ZXing: it finds QR, EAN-13 and
Code 128 in rotated, scaled and noisy photos, which no pure-Python decoder does
well. Pillow opens the image first, with a pixel cap, so a decompression bomb
is refused before it is decoded.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
import zxingcpp
from PIL import Image

#: The largest image `decode` accepts, in pixels (about a 24-megapixel photo).
MAX_PIXELS = 24_000_000
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MIN_SIZE, MAX_SIZE = 64, 2048

_FORMATS = {
    zxingcpp.BarcodeFormat.QRCode: "qr",
    zxingcpp.BarcodeFormat.EAN13: "ean13",
    zxingcpp.BarcodeFormat.Code128: "code128",
}


class ImageRefused(ValueError):
    pass


@dataclass(frozen=True)
class Decoded:
    text: str
    format: str  # "qr", "ean13" or "code128"


def qr_png(text: str, size_pixels: int) -> bytes:
    """A PNG about `size_pixels` wide (whole modules: never blurry), 4-module quiet zone."""
    code = segno.make(text, error="m", micro=False)
    modules = code.symbol_size(scale=1, border=4)[0]
    out = io.BytesIO()
    code.save(out, kind="png", scale=max(1, size_pixels // modules), border=4)
    return out.getvalue()


def qr_svg(text: str, size_pixels: int) -> str:
    code = segno.make(text, error="m", micro=False)
    modules = code.symbol_size(scale=1, border=4)[0]
    out = io.BytesIO()
    code.save(out, kind="svg", scale=max(1, size_pixels // modules), border=4, xmldecl=False, svgns=True)
    return out.getvalue().decode()


def decode(image: bytes) -> list[Decoded]:
    """Every QR, EAN-13 and Code 128 symbol in a PNG or JPEG."""
    if len(image) > MAX_IMAGE_BYTES:
        raise ImageRefused(f"the image is {len(image)} bytes; at most {MAX_IMAGE_BYTES} are read")
    try:
        with Image.open(io.BytesIO(image)) as opened:
            if opened.format not in {"PNG", "JPEG"}:
                raise ImageRefused(f"expected a PNG or JPEG image, got {opened.format or 'unknown data'}")
            width, height = opened.size
            if width * height > MAX_PIXELS:
                raise ImageRefused(f"the image is {width}x{height} pixels; at most {MAX_PIXELS} pixels are decoded")
            grey = opened.convert("L")
    except ImageRefused:
        raise
    except Exception as error:  # noqa: BLE001 - Pillow raises many types for bad data
        raise ImageRefused(f"not a readable PNG or JPEG image ({type(error).__name__})") from None
    found = zxingcpp.read_barcodes(grey, formats=_wanted(), try_rotate=True, try_downscale=True)
    # A linear code can be found along several scan lines: report each symbol once.
    unique = dict.fromkeys(Decoded(r.text, _FORMATS[r.format]) for r in found if r.valid and r.format in _FORMATS)
    return list(unique)


def _wanted() -> list:
    return list(_FORMATS)
