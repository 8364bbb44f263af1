"""The merchant API's OpenAPI 3.1 document, written by hand next to the routes it describes."""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/schemas/Error"}
_PARAMS = {"type": "object", "additionalProperties": {"type": "string"}, "maxProperties": 8}
_IDEMPOTENCY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "A retry with the same key (and the same body) is delivered once and answered the same.",
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,80}$"},
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _answers(ok: int, schema: dict[str, Any], *errors: int) -> dict[str, Any]:
    answers: dict[str, Any] = {str(ok): {"description": "done", **_json(schema)}}
    for status in (400, 401, 403, 404, 413, 415, 422, 503, *errors):
        answers[str(status)] = {"description": "refused; `error` is the code, `message` says why and what to do", **_json(_ERROR)}
    return answers


def _post(summary: str, body: dict[str, Any], ok: dict[str, Any], *errors: int, params: list | None = None) -> dict[str, Any]:
    return {
        "summary": summary,
        "security": [{"serverKey": []}],
        "parameters": [_IDEMPOTENCY, *(params or [])],
        "requestBody": {"required": True, **_json(body)},
        "responses": _answers(202 if "status" in ok.get("properties", {}) else 200, ok, *errors),
    }


def merchant_openapi() -> dict[str, Any]:
    accepted = {
        "type": "object", "required": ["status"],
        "properties": {"status": {"const": "accepted"}, "message_id": {"type": "string"},
                       "delivered": {"type": "integer"}, "over_limit": {"type": "integer"}},
    }
    page = {"type": "string", "maxLength": 64}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Capsule merchant messages API",
            "version": "1.0.0",
            "description": "A program's server sends messages to the program's users (by the pairwise ids "
            "profile.user_id() gives), pushes service updates to followers, replies in chats and groups followers. "
            "Every request carries a server key of the program: `Authorization: Bearer capsule-mk.<id>.<secret>`.",
        },
        "components": {
            "securitySchemes": {"serverKey": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object", "required": ["error", "message"],
                    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
                },
            },
        },
        "paths": {
            "/v1/messages": {
                "post": _post(
                    "Send a template message to one user (needs their subscription; a one-time one is used up)",
                    {
                        "type": "object", "required": ["user_id", "template_id"],
                        "properties": {
                            "user_id": {"type": "string", "maxLength": 64},
                            "template_id": {"type": "string", "maxLength": 64},
                            "fields": {"type": "object", "maxProperties": 10},
                            "page": page, "params": _PARAMS,
                        },
                    },
                    accepted, 409,
                )
            },
            "/v1/updates": {
                "post": _post(
                    "Push a service update to every follower (or those tagged `tag`) whose weekly budget of 2 allows it",
                    {
                        "type": "object", "required": ["title"],
                        "properties": {
                            "title": {"type": "string", "minLength": 1, "maxLength": 60},
                            "body": {"type": "string", "maxLength": 1000},
                            "page": page, "params": _PARAMS,
                            "tag": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,40}$"},
                        },
                    },
                    accepted, 409, 429,
                )
            },
            "/v1/chats": {
                "get": {
                    "summary": "What users wrote to the program's customer service since `since`",
                    "security": [{"serverKey": []}],
                    "parameters": [{"name": "since", "in": "query", "required": False,
                                    "schema": {"type": "number", "minimum": 0, "maximum": 1e10}}],
                    "responses": _answers(200, {
                        "type": "object", "required": ["messages"],
                        "properties": {"messages": {"type": "array", "items": {
                            "type": "object", "required": ["user_id", "text", "at"],
                            "properties": {"user_id": {"type": "string"}, "text": {"type": "string"}, "at": {"type": "number"}},
                        }}},
                    }),
                }
            },
            "/v1/chats/{user_id}/replies": {
                "post": _post(
                    "Reply in a user's customer-service chat, within 48 hours of their last message",
                    {"type": "object", "required": ["text"],
                     "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 1000}}},
                    accepted, 409,
                    params=[{"name": "user_id", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 64}}],
                )
            },
            "/v1/followers": {
                "get": {
                    "summary": "The program's followers (pairwise ids), optionally those tagged `tag`",
                    "security": [{"serverKey": []}],
                    "parameters": [
                        {"name": "tag", "in": "query", "required": False, "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,40}$"}},
                        {"name": "offset", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0, "maximum": 10**9}},
                        {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                    ],
                    "responses": _answers(200, {
                        "type": "object", "required": ["followers", "next_offset"],
                        "properties": {"followers": {"type": "array", "items": {"type": "string"}},
                                       "next_offset": {"type": ["integer", "null"]}},
                    }),
                }
            },
            "/v1/followers/tags": {
                "post": {
                    "summary": "Put followers into (or take them out of) the group `tag`",
                    "security": [{"serverKey": []}],
                    "requestBody": {"required": True, **_json({
                        "type": "object", "required": ["tag", "user_ids"],
                        "properties": {
                            "tag": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,40}$"},
                            "user_ids": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {"type": "string", "maxLength": 64}},
                            "remove": {"type": "boolean"},
                        },
                    })},
                    "responses": _answers(200, {
                        "type": "object", "required": ["tag", "changed"],
                        "properties": {"tag": {"type": "string"}, "changed": {"type": "integer"}},
                    }),
                }
            },
        },
    }
