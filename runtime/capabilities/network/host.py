"""Host side of `capsule:app/network`: fetch from the manifest's hosts, within limits.

Every hop (the first request and each redirect) is checked by `policy.check_url`
and then sent to the address that check resolved, with the original name kept
for TLS (SNI and certificate checks) and the Host header. Redirects are
followed here, never by the HTTP client, so none can lead somewhere undeclared.
"""

from __future__ import annotations

import base64
import re
import time
from functools import cached_property
from typing import Any, Mapping
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from ...engine.turn import remaining_wall_s
from ..base import CallContext, Capability, HostFunction, InvalidArgument, LimitReached, NotDeclared, Unavailable
from ..wit import fields, record
from .deadline import Deadline
from .policy import Blocked, Resolver, check_url, system_resolver

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})
#: Headers the host sets itself; a program may not.
RESERVED_HEADERS = frozenset({"host", "connection", "content-length", "transfer-encoding", "upgrade", "te", "trailer",
                              "proxy-authorization", "proxy-connection", "keep-alive", "cookie"})
MAX_HEADERS = 32
MAX_HEADER_BYTES = 8 * 1024
MAX_BODY_BYTES = 1024 * 1024
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
MAX_TIMEOUT_MS = 30_000
MAX_REDIRECTS = 5
MAX_URL_CHARS = 8 * 1024
#: RFC 9110 field names (tokens) and values (visible ASCII, spaces and tabs).
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}")
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*")


class NetworkCapability(Capability):
    name = "network"

    def __init__(
        self,
        *,
        resolver: Resolver = system_resolver,
        transport: httpx.BaseTransport | None = None,
        developer_mode: bool = False,
    ) -> None:
        self.resolver = resolver
        self.developer_mode = developer_mode
        self._transport = transport

    @cached_property
    def _client(self) -> httpx.Client:
        # Made on first use: building the TLS context costs milliseconds every host would pay.
        # trust_env=False: no proxy or .netrc from the host's environment applies to programs.
        return httpx.Client(transport=self._transport, follow_redirects=False, trust_env=False)

    def functions(self) -> Mapping[str, HostFunction]:
        return {"fetch": self.fetch}

    def fetch(self, ctx: CallContext, request: Any):
        wanted = fields(request)
        patterns = list(getattr(ctx.app.manifest.permission("network"), "hosts", ()) or ())
        if not patterns:
            raise NotDeclared("the manifest lists no network hosts")
        method = str(wanted["method"] or "GET").upper()
        if method not in METHODS:
            raise InvalidArgument(f"method must be one of {', '.join(sorted(METHODS))}, got {method[:20]!r}")
        headers = _headers(wanted["headers"])
        body = str(wanted["body"]).encode()
        if len(body) > MAX_BODY_BYTES:
            raise LimitReached(f"the request body is {len(body):,} bytes; at most {MAX_BODY_BYTES:,}")
        timeout = min(max(int(wanted["timeout_ms"]) or MAX_TIMEOUT_MS, 100), MAX_TIMEOUT_MS) / 1000
        url = str(wanted["url"])
        if len(url) > MAX_URL_CHARS:
            raise InvalidArgument(f"the URL is {len(url):,} characters; at most {MAX_URL_CHARS:,}")
        ctx.scope = "network"
        # One deadline for the whole fetch, redirects and every byte included; never
        # later than the end of the turn's wall clock.
        turn_left = remaining_wall_s()
        deadline = Deadline(timeout if turn_left is None else max(0.0, min(timeout, turn_left)))
        # What leaves the host: the address, the headers and the body the program sends.
        ctx.bytes_out = len(url) + sum(len(k) + len(v) for k, v in headers) + len(body)
        for _ in range(MAX_REDIRECTS + 1):
            response = self._send(ctx, method, url, headers, body, deadline, patterns)
            location = response.headers.get("location")
            if response.status_code in (301, 302, 303, 307, 308) and location:
                url = urljoin(url, location)
                if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
                    method, body = "GET", b""
                continue
            return self._lower(response)
        raise LimitReached(f"more than {MAX_REDIRECTS} redirects")

    def _send(self, ctx, method, url, headers, body, deadline: Deadline, patterns) -> "_Response":
        try:
            scheme, port, host, address = check_url(url, patterns, self.resolver, developer_mode=self.developer_mode)
        except Blocked as error:
            raise NotDeclared(str(error)) from None
        parts = urlsplit(url)
        literal = f"[{address}]" if ":" in address else address
        pinned = urlunsplit((scheme, f"{literal}:{port}", parts.path or "/", parts.query, ""))
        host_header = host if port in (80, 443) else f"{host}:{port}"
        late = f"{host} did not answer in full within {deadline.total:g} s"
        if deadline.passed():
            raise Unavailable(late)
        try:
            request = self._client.build_request(
                method,
                pinned,
                headers=[*headers, ("Host", host_header)],
                content=body or None,
                timeout=deadline.remaining(),
                extensions={"sni_hostname": host},
            )
        except (httpx.InvalidURL, UnicodeError, ValueError) as error:
            raise InvalidArgument(f"the request cannot be sent: {str(error)[:200]}") from None
        try:
            response = self._client.send(request, stream=True)
        except httpx.TimeoutException:
            raise Unavailable(late) from None
        except httpx.HTTPError as error:
            raise Unavailable(f"{host} could not be reached ({type(error).__name__})") from None
        try:
            data = bytearray()
            # The watchdog cuts a server that stalls mid-body at the deadline; the loop
            # cuts one that trickles (each read is quick, the whole is not).
            with deadline.watch(response):
                # Decoded bytes are counted, so a gzip bomb stops at the cap too.
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > MAX_RESPONSE_BYTES:
                        raise LimitReached(f"the response from {host} is larger than {MAX_RESPONSE_BYTES:,} bytes")
                    if deadline.passed():
                        raise Unavailable(late)
        except httpx.HTTPError as error:
            if deadline.passed():
                raise Unavailable(late) from None
            raise Unavailable(f"{host} broke off the response ({type(error).__name__})") from None
        finally:
            response.close()
        return _Response(response.status_code, response.headers, bytes(data))

    def _lower(self, response: "_Response"):
        # The body is handed over decoded: its encoding and length headers no longer apply.
        dropped = {"set-cookie", "content-encoding", "content-length", "transfer-encoding"}
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in dropped][:64]
        try:
            text = response.body.decode("utf-8")
        except UnicodeDecodeError:
            text = base64.b64encode(response.body).decode()
            headers.append(("x-capsule-body-encoding", "base64"))
        return record(status=response.status, headers=headers, body=text)


class _Response:
    def __init__(self, status: int, headers: httpx.Headers, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def status_code(self) -> int:
        return self.status


def _headers(pairs: Any) -> list[tuple[str, str]]:
    headers = [(str(k), str(v)) for k, v in pairs]
    if len(headers) > MAX_HEADERS or sum(len(k) + len(v) for k, v in headers) > MAX_HEADER_BYTES:
        raise LimitReached(f"at most {MAX_HEADERS} headers and {MAX_HEADER_BYTES:,} bytes of them")
    for name, value in headers:
        if name.lower() in RESERVED_HEADERS or name.lower().startswith("proxy-"):
            raise InvalidArgument(f"header {name!r} is set by the host, not by programs")
        if not _HEADER_NAME.fullmatch(name):
            raise InvalidArgument(f"header name {name[:40]!r} must be letters, digits and !#$%&'*+.^_`|~-")
        if not _HEADER_VALUE.fullmatch(value):
            raise InvalidArgument(
                f"header {name!r} has a value with characters other than printable ASCII "
                "(a line break, NUL or non-ASCII text); percent-encode or base64 it"
            )
    return headers
