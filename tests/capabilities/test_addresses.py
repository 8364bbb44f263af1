"""Malformed capsule:// addresses are an AddressError everywhere (issue 10):
parsing, `Host.open_address`, `capsule qr scan` and the qr capability."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from capsule.cli.main import app as cli
from capsule.runtime import Host
from capsule.runtime.capabilities.qr import codes
from capsule.runtime.capabilities.qr.address import AddressError, LaunchTarget, format_address, parse_address
from capsule.runtime.capabilities.qr.host import scan_result

MALFORMED = [
    "capsule://com.example.food/menu?table",  # a field without "="
    "capsule://com.example.food/menu?table=12&",  # an empty field
    "capsule://com.example.food/menu?%zz=1",  # a broken escape
    "capsule://com.example.food/menu?x=%ff%fe",  # not UTF-8
    "capsule://com.example.food/menu?table=12\n",  # a trailing newline
    "capsule://com.example.food/menu\n?table=12",
    "capsule://com.example.food/menu?" + "&".join(f"k{i}=v" for i in range(50)),
    "capsule://",
    "capsule://com.example.food/menu?scene=qr&scene=qr",
]

#: The characters an address is made of, and the ones that break it.
ADDRESS_ALPHABET = string.ascii_letters + string.digits + "._~-/?&=%#:@!$'()*+,; \n\x00é☕"


@pytest.mark.parametrize("text", MALFORMED)
def test_malformed_addresses_are_address_errors(text):
    with pytest.raises(AddressError):
        parse_address(text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ADDRESS_ALPHABET, max_size=120))
def test_any_text_after_the_scheme_parses_or_is_an_address_error(rest):
    try:
        target = parse_address("capsule://" + rest)
    except AddressError:
        return
    assert target is not None
    assert parse_address(format_address(target)) == target  # what parses is well-formed


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_at_all_parses_is_not_an_address_or_is_an_address_error(text):
    try:
        parse_address(text)
    except AddressError:
        pass


@settings(max_examples=200, deadline=None)
@given(
    st.from_regex(r"[a-z][a-z0-9]{0,6}(\.[a-z][a-z0-9]{0,6}){2}", fullmatch=True),
    st.from_regex(r"[a-z][a-z0-9_-]{0,10}", fullmatch=True),
    st.dictionaries(
        st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(lambda k: k != "scene"),
        st.from_regex(r"[A-Za-z0-9._~-]{0,20}", fullmatch=True),
        max_size=8,
    ),
)
def test_well_formed_targets_round_trip(app_id, page, params):
    target = LaunchTarget(app_id, page, "qr", params)
    assert parse_address(format_address(target)) == target


@pytest.mark.parametrize("text", MALFORMED)
def test_the_qr_capability_returns_a_malformed_address_as_plain_text(text):
    result = scan_result(codes.Decoded(text=text, format="qr"))
    assert result.text == text and result.target == []


def test_open_address_raises_address_error(tmp_path):
    host = Host(tmp_path / "home")
    try:
        for text in MALFORMED:
            with pytest.raises(AddressError):
                host.open_address(text, user="alice")
    finally:
        host.close()


def test_capsule_qr_scan_reports_a_malformed_address_as_text(tmp_path):
    image = tmp_path / "code.png"
    image.write_bytes(codes.qr_png(MALFORMED[0], 256))
    result = CliRunner().invoke(cli, ["qr", "scan", str(image), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"text": MALFORMED[0], "format": "qr", "target": None}]
