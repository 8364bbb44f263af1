"""For merchants' servers: send messages to a program's users through the host.

    from capsule.sdk.merchant import MessagesClient

    with MessagesClient("https://host.example/merchant", key=os.environ["CAPSULE_MERCHANT_KEY"]) as client:
        client.send(user_id, "order-ready", {"order": "A17"}, page="receipt", params={"order": "A17"},
                    idempotency_key="order-A17-ready")

`user_id` is the id `profile.user_id()` gave the program for that user. A
send the host refuses raises `MessagesRefused` with the host's code
(`not-subscribed`, `weekly-limit`, `chat-closed`, `invalid`, ...) and its
message. Pass an `idempotency_key` to retry safely: the host delivers once.
"""

from __future__ import annotations

from typing import Any

import httpx
from urllib.parse import quote


class MessagesRefused(Exception):
    """The host answered with an error: `code` and `status` say which, the message says why."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class MessagesClient:
    """A client of the host's merchant API (`/merchant` on the web host), for one program's key."""

    def __init__(self, base_url: str, key: str, *, timeout: float = 10.0, transport: httpx.BaseTransport | None = None) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"), headers={"Authorization": f"Bearer {key}"}, timeout=timeout, transport=transport
        )

    def __enter__(self) -> "MessagesClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def send(
        self, user_id: str, template_id: str, fields: dict[str, Any] | None = None, *, page: str = "",
        params: dict[str, str] | None = None, idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """A template message to one user; `{"message_id": ..., "status": "accepted"}` once stored."""
        body = {"user_id": user_id, "template_id": template_id, "fields": fields or {}, "page": page, "params": params or {}}
        return self._post("/v1/messages", body, idempotency_key)

    def push_update(
        self, title: str, body: str = "", *, page: str = "", params: dict[str, str] | None = None,
        tag: str | None = None, idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """A service update to followers (those tagged `tag`); `delivered` and `over_limit` counts."""
        request: dict[str, Any] = {"title": title, "body": body, "page": page, "params": params or {}}
        if tag is not None:
            request["tag"] = tag
        return self._post("/v1/updates", request, idempotency_key)

    def reply(self, user_id: str, text: str, *, idempotency_key: str | None = None) -> dict[str, Any]:
        """Answer in the user's customer-service chat (within 48 hours of their last message)."""
        return self._post(f"/v1/chats/{quote(user_id, safe='')}/replies", {"text": text}, idempotency_key)

    def chats(self, since: float = 0.0) -> list[dict[str, Any]]:
        """What users wrote to customer service since `since` (seconds since the epoch)."""
        return self._get("/v1/chats", {"since": since})["messages"]

    def followers(self, *, tag: str | None = None) -> list[str]:
        """Every follower's pairwise id (or those tagged `tag`), all pages."""
        found: list[str] = []
        offset: int | None = 0
        while offset is not None:
            params: dict[str, Any] = {"offset": offset, "limit": 1000}
            if tag:
                params["tag"] = tag
            page = self._get("/v1/followers", params)
            found += page["followers"]
            offset = page["next_offset"]
        return found

    def tag(self, tag: str, user_ids: list[str], *, remove: bool = False) -> int:
        """Put followers into the group `tag` (or take them out); how many changed."""
        return int(self._post("/v1/followers/tags", {"tag": tag, "user_ids": user_ids, "remove": remove}, None)["changed"])

    def _post(self, path: str, body: dict[str, Any], idempotency_key: str | None) -> dict[str, Any]:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        return self._answer(self._http.post(path, json=body, headers=headers))

    def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        return self._answer(self._http.get(path, params=params))

    @staticmethod
    def _answer(response: httpx.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.is_success and isinstance(data, dict):
            return data
        if isinstance(data, dict) and "error" in data:
            raise MessagesRefused(response.status_code, str(data["error"]), str(data.get("message", "")))
        raise MessagesRefused(response.status_code, "http", f"the host answered HTTP {response.status_code}")
