"""Uses the standard library the way any Python program does: imports inside handlers, at any time."""

from capsule_sdk import App, Page, handler, view as v

app = App()


def everything() -> dict[str, str]:
    """One result per module, each computed by importing it here, inside the call."""
    results: dict[str, str] = {}

    import datetime

    results["datetime.strptime"] = datetime.datetime.strptime("2026-12-04 10:30", "%Y-%m-%d %H:%M").isoformat()
    import decimal

    results["decimal"] = str(decimal.Decimal("0.10") * 3)
    import mimetypes

    results["mimetypes"] = str(mimetypes.guess_type("photo.jpeg")[0])
    from urllib.parse import parse_qs, urlencode

    results["urllib.parse"] = urlencode({"q": "咖啡 shop"}) + " " + str(parse_qs("a=1&a=2"))
    import zoneinfo

    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    results["zoneinfo"] = datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.timezone.utc).astimezone(shanghai).isoformat()
    import uuid

    results["uuid"] = str(uuid.uuid5(uuid.NAMESPACE_DNS, "capsule.dev"))
    import hashlib

    results["hashlib"] = hashlib.sha256(b"capsule").hexdigest()[:16]
    import statistics

    results["statistics"] = str(statistics.median([3, 1, 4, 1, 5]))
    import csv
    import io

    rows = list(csv.reader(io.StringIO('a,"b,c"\n1,2\n')))
    results["csv"] = repr(rows)
    import html

    results["html"] = html.escape("<b>&</b>")
    import json

    results["json"] = json.dumps({"k": [1, 2]}, sort_keys=True)
    import re

    results["re"] = re.sub(r"\d+", "#", "a1b22")
    import textwrap

    results["textwrap"] = textwrap.shorten("the quick brown fox jumps", width=15)
    import fractions

    results["fractions"] = str(fractions.Fraction(3, 6))
    import base64

    results["base64"] = base64.b64encode(b"capsule").decode()
    import calendar

    results["calendar"] = str(calendar.isleap(2028))
    import collections

    results["collections"] = str(collections.Counter("abracadabra").most_common(1))
    import itertools

    results["itertools"] = str(list(itertools.accumulate([1, 2, 3])))
    import functools

    results["functools"] = str(functools.reduce(lambda a, b: a * b, [1, 2, 3, 4]))
    import heapq

    results["heapq"] = str(heapq.nsmallest(2, [5, 1, 4]))
    import bisect

    results["bisect"] = str(bisect.bisect([1, 3, 5], 4))
    import string

    results["string"] = string.Template("$who pays").substitute(who="Ann")
    import difflib

    results["difflib"] = str(round(difflib.SequenceMatcher(None, "coffee", "toffee").ratio(), 3))
    import unicodedata

    results["unicodedata"] = unicodedata.name("咖")
    import secrets

    results["secrets"] = str(len(secrets.token_hex(8)))
    import random

    results["random"] = str(random.Random(7).randint(1, 100))
    import math

    results["math"] = str(math.comb(10, 3))
    import struct

    results["struct"] = struct.pack(">I", 258).hex()
    import zlib

    results["zlib"] = str(zlib.crc32(b"capsule"))
    import gzip

    results["gzip"] = str(len(gzip.decompress(gzip.compress(b"x" * 100))))
    import ipaddress

    results["ipaddress"] = str(ipaddress.ip_address("10.0.0.1").is_private)
    import email.utils

    results["email.utils"] = email.utils.parseaddr("Ann <ann@example.com>")[1]
    import locale

    results["locale"] = str(locale.getlocale()[0] is None or True)
    import shlex

    results["shlex"] = str(shlex.split("a 'b c'"))
    import pprint

    results["pprint"] = pprint.pformat({"b": 1, "a": 2})
    import tomllib

    results["tomllib"] = str(tomllib.loads('x = 1')["x"])
    import xml.etree.ElementTree as ElementTree

    results["xml"] = ElementTree.fromstring("<a><b>hi</b></a>").find("b").text
    import graphlib

    results["graphlib"] = str(list(graphlib.TopologicalSorter({"b": {"a"}}).static_order()))
    import colorsys

    results["colorsys"] = str(tuple(round(x, 2) for x in colorsys.rgb_to_hsv(1, 0, 0)))
    import dataclasses

    results["dataclasses"] = str(dataclasses.is_dataclass(object))
    import enum

    results["enum"] = enum.Enum("Size", "S M L").M.name
    import operator

    results["operator"] = str(operator.itemgetter(1)([4, 5]))
    import copy

    results["copy"] = str(copy.deepcopy({"a": [1]}))
    import typing

    results["typing"] = str(typing.get_origin(list[int]).__name__)
    import plistlib

    results["plistlib"] = str(plistlib.loads(plistlib.dumps({"a": 1}))["a"])
    import quopri

    results["quopri"] = quopri.encodestring(b"caf\xc3\xa9").decode()
    return results


@app.page("index")
class Index(Page):
    results: dict[str, str] = {}

    def render(self):
        return v.page("Standard library", *(v.text(f"{name}: {value}") for name, value in sorted(self.results.items())))

    @handler
    def run(self, data):
        self.results = everything()

    @handler
    def own(self, data):
        # The program's own module and a vendored package, imported only now.
        import helpers
        import tinyslug

        self.results = {"helpers": helpers.shout("hi"), "tinyslug": tinyslug.slugify("Hello, World")}
