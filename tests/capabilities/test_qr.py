"""Launch addresses, drawing and reading codes, and the `capsule qr` commands."""

from __future__ import annotations

import io
import json
import random
import pytest
import zxingcpp
from PIL import Image
from typer.testing import CliRunner

from capsule.cli.main import app as cli
from capsule.runtime.capabilities.qr import codes
from capsule.runtime.capabilities.qr.address import AddressError, LaunchTarget, format_address, parse_address

TABLE_12 = LaunchTarget("com.example.food", "menu", "qr", {"table": "12"})


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def jpeg(image: Image.Image, quality: int = 60) -> bytes:
    out = io.BytesIO()
    image.convert("L").save(out, format="JPEG", quality=quality)
    return out.getvalue()


def noisy(image: Image.Image, alpha: float = 0.25, seed: int = 7) -> Image.Image:
    """Sensor-like noise (seeded, so the test is repeatable) over a washed-out picture."""
    grey = image.convert("L")
    noise = Image.frombytes("L", grey.size, random.Random(seed).randbytes(grey.width * grey.height))
    return Image.blend(grey, noise, alpha)


def variants(image: Image.Image):
    """The same symbol rotated, scaled and noisy, as a camera might see it."""
    padded = Image.new("L", (image.width + 80, image.height + 80), 255)
    padded.paste(image.convert("L"), (40, 40))
    yield "rotated 17", png(padded.rotate(17, expand=True, fillcolor=255))
    yield "rotated 90", png(padded.rotate(90, expand=True, fillcolor=255))
    yield "rotated 183", png(padded.rotate(183, expand=True, fillcolor=255))
    yield "scaled 0.6", png(padded.resize((int(padded.width * 0.6), int(padded.height * 0.6)), Image.BILINEAR))
    yield "scaled 2.3", png(padded.resize((int(padded.width * 2.3), int(padded.height * 2.3)), Image.BICUBIC))
    yield "noisy", png(noisy(padded))
    yield "noisy jpeg, rotated 8", jpeg(noisy(padded, 0.15).rotate(8, expand=True, fillcolor=255), quality=60)


def test_addresses_round_trip():
    address = format_address(TABLE_12)
    assert address == "capsule://com.example.food/menu?scene=qr&table=12"
    assert parse_address(address) == TABLE_12
    assert parse_address("https://example.com") is None
    assert parse_address("capsule://com.example.food/?scene=search") == LaunchTarget("com.example.food", "", "search")


@pytest.mark.parametrize(
    "target, problem",
    [
        (LaunchTarget("food", "menu"), "reverse-DNS"),
        (LaunchTarget("com.example.food", "../etc"), "page"),
        (LaunchTarget("com.example.food", "menu", params={"table": "<script>"}), "table="),
        (LaunchTarget("com.example.food", "menu", params={"scene": "x"}), "reserved"),
        (LaunchTarget("com.example.food", "menu", params={f"k{i}": "v" for i in range(9)}), "at most 8"),
        (LaunchTarget("com.example.food", "menu", params={"t": "x" * 65}), "at most 64"),
    ],
)
def test_unsafe_targets_are_refused_with_the_reason(target, problem):
    with pytest.raises(AddressError, match=problem):
        format_address(target)


def test_parse_refuses_a_doctored_address():
    with pytest.raises(AddressError):
        parse_address("capsule://com.example.food/menu?scene=qr&table=%3Cb%3E")
    with pytest.raises(AddressError, match="twice"):
        parse_address("capsule://com.example.food/menu?table=1&table=2")


def test_qr_round_trips_through_rotation_scaling_and_noise():
    address = format_address(TABLE_12)
    image = Image.open(io.BytesIO(codes.qr_png(address, 256)))
    for name, data in variants(image):
        assert [d.text for d in codes.decode(data)] == [address], name


@pytest.mark.parametrize(
    "fmt, text, expected",
    [(zxingcpp.BarcodeFormat.EAN13, "5901234123457", "ean13"), (zxingcpp.BarcodeFormat.Code128, "TABLE-12/ORDER-7", "code128")],
)
def test_barcodes_round_trip_through_rotation_scaling_and_noise(fmt, text, expected):
    printed = Image.fromarray(zxingcpp.create_barcode(text, fmt).to_image(scale=3))
    image = printed.resize((printed.width, printed.height * 2))  # printed bars are taller than wide
    for name, data in variants(image):
        assert [(d.text, d.format) for d in codes.decode(data)] == [(text, expected)], name


def test_svg_is_an_svg_document():
    svg = codes.qr_svg(format_address(TABLE_12), 256)
    assert svg.startswith("<svg") and "<script" not in svg


def test_bombs_and_non_images_are_refused():
    bomb = png(Image.new("1", (6000, 6000), 1))  # 36 megapixels in a few kilobytes
    assert len(bomb) < 200_000
    with pytest.raises(codes.ImageRefused, match="pixels"):
        codes.decode(bomb)
    with pytest.raises(codes.ImageRefused, match="PNG or JPEG"):
        codes.decode(b"GIF89a not really")
    gif = io.BytesIO()
    Image.new("L", (10, 10)).save(gif, format="GIF")
    with pytest.raises(codes.ImageRefused, match="GIF"):
        codes.decode(gif.getvalue())


def test_cli_make_and_scan(tmp_path):
    runner = CliRunner()
    for suffix in ("png", "svg"):
        out = tmp_path / f"table.{suffix}"
        made = runner.invoke(
            cli, ["qr", "make", "com.example.food", "--page", "menu", "--param", "table=12", "--out", str(out), "--json"]
        )
        assert made.exit_code == 0, made.output
        assert json.loads(made.output)["address"] == "capsule://com.example.food/menu?scene=qr&table=12"
    scanned = runner.invoke(cli, ["qr", "scan", str(tmp_path / "table.png"), "--json"])
    assert scanned.exit_code == 0, scanned.output
    (found,) = json.loads(scanned.output)
    assert found["format"] == "qr"
    assert found["target"] == {"app_id": "com.example.food", "page": "menu", "scene": "qr", "params": {"table": "12"}}
    bad = runner.invoke(cli, ["qr", "make", "com.example.food", "--param", "table=<b>", "--out", str(tmp_path / "x.png")])
    assert bad.exit_code == 2 and "table=" in bad.output
