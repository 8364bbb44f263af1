"""The registry's OpenAPI 3.1 document, written by hand next to the routes it describes."""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/schemas/Error"}
_APP_ID = {"name": "app_id", "in": "path", "required": True, "schema": {"type": "string"}}
_VERSION = {"name": "version", "in": "path", "required": True, "schema": {"type": "string"}}
_KEY_ID = {"name": "key_id", "in": "path", "required": True, "schema": {"type": "string"}}
_REVIEW_ID = {"name": "review_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _answers(ok: int, schema: dict[str, Any] | None, *errors: int) -> dict[str, Any]:
    answers: dict[str, Any] = {str(ok): {"description": "done", **(_json(schema) if schema else {})}}
    for status in errors:
        answers[str(status)] = {"description": "refused; `message` says why and what to do", **_json(_ERROR)}
    return answers


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


_AUTH = [{"token": []}]


def _operation(
    summary: str, answers: dict[str, Any], *, auth: bool = False, optional_auth: bool = False, params: list | None = None, body: dict | None = None
) -> dict[str, Any]:
    security = _AUTH if auth else [{}, *_AUTH] if optional_auth else []
    operation: dict[str, Any] = {"summary": summary, "responses": answers, "security": security}
    if params:
        operation["parameters"] = params
    if body:
        operation["requestBody"] = body
    return operation


def openapi_document() -> dict[str, Any]:
    nullable_string = {"type": ["string", "null"]}
    schemas = {
        "Error": {
            "type": "object",
            "required": ["error", "message"],
            "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
        },
        "Account": {
            "type": "object",
            "required": ["id", "name", "roles"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "roles": {"type": "array", "items": {"type": "string"}}},
        },
        "MerchantKey": {
            "type": "object",
            "required": ["key_id", "app_id", "label", "created_at", "revoked_at"],
            "properties": {
                "key_id": {"type": "string"},
                "app_id": {"type": "string"},
                "label": {"type": "string"},
                "created_at": {"type": "number"},
                "revoked_at": {"type": ["number", "null"]},
            },
        },
        "NewMerchantKey": {
            "type": "object",
            "required": ["key_id", "app_id", "label", "created_at", "key"],
            "properties": {
                "key_id": {"type": "string"},
                "app_id": {"type": "string"},
                "label": {"type": "string"},
                "created_at": {"type": "number"},
                "revoked_at": {"type": "null"},
                "key": {"type": "string", "description": "capsule-mk.<key id>.<secret>: shown only in this answer"},
            },
        },
        "MerchantKeyRecord": {
            "type": "object",
            "required": ["key_id", "app_id", "secret_hash", "label", "status", "at", "signature"],
            "properties": {
                "key_id": {"type": "string"},
                "app_id": {"type": "string"},
                "secret_hash": {"type": "string", "description": "hex SHA-256 of the key's secret"},
                "label": {"type": "string"},
                "status": {"enum": ["live", "revoked"]},
                "at": {"type": "integer"},
                "signature": {"type": "string", "description": "base64 Ed25519 signature by the registry key (see merchant_keys.py)"},
            },
        },
        "Report": {
            "type": "object",
            "required": ["report_id", "app_id", "version", "reason", "details", "created_at", "status", "note"],
            "properties": {
                "report_id": {"type": "integer"},
                "app_id": {"type": "string"},
                "version": nullable_string,
                "reason": {"enum": ["scam", "offensive", "privacy", "broken", "other"]},
                "details": {"type": "string"},
                "created_at": {"type": "number"},
                "status": {"enum": ["open", "closed"]},
                "note": nullable_string,
            },
        },
        "Version": {
            "type": "object",
            "required": ["review_id", "id", "version", "digest", "key_id", "size", "status"],
            "properties": {
                "review_id": {"type": "integer"},
                "id": {"type": "string"},
                "version": {"type": "string"},
                "digest": {"type": "string"},
                "key_id": {"type": "string"},
                "size": {"type": "integer"},
                "status": {"enum": ["auditing", "pending", "approved", "rejected", "rolled-back", "yanked"]},
                "reason": nullable_string,
                "uploaded_at": {"type": "number"},
                "audit": {"type": ["object", "null"]},
                "changes": {"type": ["object", "null"]},
                "source_changes": {"type": ["object", "null"]},
            },
        },
        "Release": {
            "type": "object",
            "required": ["id", "version", "percent"],
            "properties": {
                "id": {"type": "string"},
                "version": {"type": "string"},
                "percent": {"type": "integer", "minimum": 1, "maximum": 100},
                "previous": nullable_string,
            },
        },
        "Download": {
            "type": "object",
            "required": ["id", "version", "digest", "size", "countersignature", "countersigned_at", "registry_key"],
            "properties": {
                "id": {"type": "string"},
                "version": {"type": "string"},
                "digest": {"type": "string"},
                "size": {"type": "integer"},
                "countersignature": {"type": "string", "description": "base64 Ed25519 signature by the registry key (docs/registry.md)"},
                "countersigned_at": {"type": "integer", "description": "when it was countersigned, Unix seconds (signed with it)"},
                "registry_key": {"type": "string"},
            },
        },
        "Status": {
            "type": "object",
            "required": ["id", "version", "digest", "status", "at", "signature"],
            "properties": {
                "id": {"type": "string"},
                "version": {"type": "string"},
                "digest": {"type": "string"},
                "status": {"enum": ["auditing", "pending", "approved", "rejected", "rolled-back", "yanked"]},
                "at": {"type": "integer", "description": "when this status was made, Unix seconds (signed with it)"},
                "signature": {"type": "string", "description": "base64 Ed25519 signature by the registry key (docs/registry.md)"},
            },
        },
        "KeyChallenge": {
            "type": "object",
            "required": ["challenge", "account", "registry", "expires_at"],
            "properties": {
                "challenge": {"type": "string"},
                "account": {"type": "string"},
                "registry": {"type": "string", "description": "the registry key's id: part of the signed message"},
                "expires_at": {"type": "number"},
            },
        },
        "SearchResults": {
            "type": "object",
            "required": ["query", "results"],
            "properties": {
                "query": {"type": "string"},
                "results": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id", "version", "category", "name", "score"],
                        "properties": {
                            "id": {"type": "string"},
                            "version": {"type": "string"},
                            "category": {"type": "string"},
                            "name": {"type": "string"},
                            "score": {"type": "number"},
                            "distance_km": {"type": "number"},
                            "explain": _ref("SearchExplain"),
                        },
                    },
                },
            },
        },
    }
    schemas["SearchExplain"] = {
        "type": "object",
        "description": "Why a result ranks where it does (explain=true, admins only). See docs/registry.md, How search ranks programs.",
        "required": ["tier", "tier_name", "matched", "parts", "score"],
        "properties": {
            "tier": {"type": "integer", "minimum": 1, "maximum": 6},
            "tier_name": {"enum": ["exact", "name-start", "all-words", "prefixes", "typos", "some-words"]},
            "matched": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["word", "term", "how", "fields"],
                    "properties": {
                        "word": {"type": "string"},
                        "term": {"type": "string"},
                        "how": {"enum": ["exact", "stem", "prefix", "typo"]},
                        "fields": {"type": "array", "items": {"enum": ["name", "keyword", "description"]}},
                    },
                },
            },
            "parts": {"type": "object", "additionalProperties": {"type": "number"}},
            "score": {"type": "number"},
        },
    }
    binary = {"content": {"application/vnd.capsule.package": {"schema": {"type": "string", "format": "binary"}}}}
    paths = {
        "/key": {"get": _operation("The registry's countersigning public key (pin it in hosts)", _answers(200, {"type": "object"}))},
        "/search": {
            "get": _operation(
                "Search live programs (anyone; explain=true needs an admin token)",
                _answers(200, _ref("SearchResults"), 400, 401, 403),
                optional_auth=True,
                params=[
                    {"name": "q", "in": "query", "required": False, "schema": {"type": "string"}},
                    {"name": "language", "in": "query", "required": False, "schema": {"type": "string"}},
                    {"name": "category", "in": "query", "required": False, "schema": {"type": "string"}},
                    {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                    {"name": "near", "in": "query", "required": False, "description": "latitude,longitude (WGS-84)", "schema": {"type": "string", "pattern": "^-?(?:[0-8]?[0-9](?:\\.[0-9]{1,6})?|90(?:\\.0{1,6})?),-?(?:(?:1[0-7][0-9]|[0-9]?[0-9])(?:\\.[0-9]{1,6})?|180(?:\\.0{1,6})?)$"}},
                    {"name": "radius_km", "in": "query", "required": False, "schema": {"type": "number", "minimum": 0.01, "maximum": 100}},
                    {"name": "explain", "in": "query", "required": False, "description": "true: each result says why it ranks there (admins only)", "schema": {"enum": ["true", "false"]}},
                ],
            )
        },
        "/account": {"get": _operation("The calling account", _answers(200, _ref("Account"), 401), auth=True)},
        "/accounts": {
            "post": _operation(
                "Create an account and its API token (admin)",
                _answers(201, {"allOf": [_ref("Account"), {"type": "object", "required": ["token"], "properties": {"token": {"type": "string"}}}]}, 400, 401, 403, 409, 413),
                auth=True,
                body={"required": True, **_json({"type": "object", "required": ["name", "roles"], "properties": {"name": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]{0,63}$"}, "roles": {"type": "array", "minItems": 1, "items": {"enum": ["developer", "reviewer", "admin", "host"]}}}})},
            )
        },
        "/account/keys": {
            "post": _operation(
                "Register an Ed25519 public key that signs this developer's packages, with proof of possession: "
                "`signature` is the key's signature over `capsule-registry-key-proof-v1\\n{registry}\\n{account}\\n{challenge}` "
                "for a challenge from POST /account/keys/challenge (single use, 5 minutes)",
                _answers(201, {"type": "object", "required": ["key_id"], "properties": {"key_id": {"type": "string"}}}, 400, 401, 403, 409, 413),
                auth=True,
                body={
                    "required": True,
                    **_json(
                        {
                            "type": "object",
                            "required": ["public_key", "challenge", "signature"],
                            "properties": {
                                "public_key": {"type": "string", "pattern": "^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$", "description": "base64 of the raw 32-byte Ed25519 public key"},
                                "challenge": {"type": "string", "minLength": 1, "maxLength": 64},
                                "signature": {"type": "string", "description": "base64 of the 64-byte Ed25519 signature"},
                            },
                        }
                    ),
                },
            )
        },
        "/account/keys/challenge": {
            "post": _operation(
                "A fresh single-use challenge to sign with the next key this developer registers",
                _answers(201, _ref("KeyChallenge"), 401, 403, 413),
                auth=True,
            )
        },
        "/packages": {
            "post": _operation(
                "Publish a signed package for review (developer; owner of the app id)",
                {**_answers(201, _ref("Version"), 400, 401, 403, 409, 413, 422), "200": {"description": "this exact package was published already", **_json(_ref("Version"))}},
                auth=True,
                body={"required": True, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
            )
        },
        "/reviews": {
            "get": _operation(
                "The review queue (reviewer)",
                _answers(200, {"type": "array", "items": _ref("Version")}, 400, 401, 403),
                auth=True,
                params=[{"name": "status", "in": "query", "required": False, "schema": {"enum": ["pending", "auditing", "approved", "rejected", "rolled-back", "yanked", "all"]}}],
            )
        },
        "/reviews/{review_id}": {"get": _operation("One review with its audit and changes (reviewer)", _answers(200, _ref("Version"), 400, 401, 403, 404), auth=True, params=[_REVIEW_ID])},
        "/reviews/{review_id}/approve": {
            "post": _operation(
                "Approve, countersign and release (reviewer)",
                _answers(200, _ref("Release"), 400, 401, 403, 404, 409, 413),
                auth=True,
                params=[_REVIEW_ID],
                body={"required": False, **_json({"type": "object", "properties": {"percent": {"type": "integer", "minimum": 1, "maximum": 100}}})},
            )
        },
        "/reviews/{review_id}/reject": {
            "post": _operation(
                "Reject with a reason (reviewer)",
                _answers(200, _ref("Version"), 400, 401, 403, 404, 409, 413),
                auth=True,
                params=[_REVIEW_ID],
                body={"required": True, **_json({"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "minLength": 1}}})},
            )
        },
        "/apps/{app_id}/reports": {
            "post": _operation(
                "Report a live program for one of the host's users (host role): kept for reviewers, at most 3 per user, app and day",
                _answers(201, _ref("Report"), 400, 401, 403, 404, 409, 413),
                auth=True,
                params=[_APP_ID],
                body={
                    "required": True,
                    **_json({
                        "type": "object",
                        "required": ["user", "reason"],
                        "properties": {
                            "user": {"type": "string", "pattern": "^[A-Za-z0-9_-]{32,128}$", "description": "the host's opaque pseudonym of the user for this app"},
                            "reason": {"enum": ["scam", "offensive", "privacy", "broken", "other"]},
                            "details": {"type": "string", "maxLength": 1000},
                        },
                    }),
                },
            )
        },
        "/reports": {
            "get": _operation(
                "Users' reports, newest first (reviewer)",
                _answers(200, {"type": "array", "items": _ref("Report")}, 400, 401, 403),
                auth=True,
                params=[
                    {"name": "status", "in": "query", "required": False, "schema": {"enum": ["open", "closed", "all"]}},
                    {"name": "app_id", "in": "query", "required": False, "schema": {"type": "string"}},
                ],
            )
        },
        "/reports/{report_id}/close": {
            "post": _operation(
                "Close a report with a note of what was done (reviewer)",
                _answers(200, _ref("Report"), 400, 401, 403, 404, 409, 413),
                auth=True,
                params=[{"name": "report_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}],
                body={"required": True, **_json({"type": "object", "required": ["note"], "properties": {"note": {"type": "string", "minLength": 1, "maxLength": 1000}}})},
            )
        },
        "/apps/{app_id}": {"get": _operation("What is live", _answers(200, _ref("Release"), 404), params=[_APP_ID])},
        "/apps/{app_id}/latest": {
            "get": _operation(
                "The live version for a user (phased rollout)",
                _answers(200, _ref("Download"), 404),
                params=[_APP_ID, {"name": "user", "in": "query", "required": False, "schema": {"type": "string"}}],
            )
        },
        "/apps/{app_id}/rollout": {
            "post": _operation(
                "Change the rollout percentage (owner or admin)",
                _answers(200, _ref("Release"), 400, 401, 403, 404, 413),
                auth=True,
                params=[_APP_ID],
                body={"required": True, **_json({"type": "object", "required": ["percent"], "properties": {"percent": {"type": "integer", "minimum": 1, "maximum": 100}}})},
            )
        },
        "/apps/{app_id}/rollback": {"post": _operation("Roll back to the previous approved version (owner or admin)", _answers(200, _ref("Release"), 401, 403, 404, 413), auth=True, params=[_APP_ID])},
        "/apps/{app_id}/launches": {
            "post": _operation(
                "Count one launch for ranking (host role): at most one per host, user pseudonym, app and UTC day",
                _answers(200, {"type": "object", "required": ["counted"], "properties": {"counted": {"type": "boolean"}}}, 400, 401, 403, 404, 413),
                auth=True,
                params=[_APP_ID],
                body={
                    "required": True,
                    **_json({"type": "object", "required": ["user"], "properties": {"user": {"type": "string", "pattern": "^[A-Za-z0-9_-]{32,128}$", "description": "the host's opaque pseudonym of the user for this app, never a user id"}}}),
                },
            )
        },
        "/apps/{app_id}/merchant-keys": {
            "post": _operation(
                "Create a merchant server key for the app's merchant API on hosts (owner only); the whole key is in `key`, shown once",
                _answers(201, _ref("NewMerchantKey"), 400, 401, 403, 404, 409, 413),
                auth=True,
                params=[_APP_ID],
                body={"required": False, **_json({"type": "object", "properties": {"label": {"type": "string", "maxLength": 80}}})},
            ),
            "get": _operation(
                "The app's merchant keys, live and revoked, never their secrets (owner or admin)",
                _answers(200, {"type": "object", "required": ["app_id", "keys"], "properties": {"app_id": {"type": "string"}, "keys": {"type": "array", "items": _ref("MerchantKey")}}}, 401, 403, 404),
                auth=True,
                params=[_APP_ID],
            ),
        },
        "/apps/{app_id}/merchant-keys/{key_id}/revoke": {
            "post": _operation(
                "Revoke a merchant key (owner, or an admin stopping abuse): hosts refuse it from their next check",
                _answers(200, {"type": "object", "required": ["app_id", "key_id", "revoked_at"], "properties": {"app_id": {"type": "string"}, "key_id": {"type": "string"}, "revoked_at": {"type": "number"}}}, 401, 403, 404, 413),
                auth=True,
                params=[_APP_ID, _KEY_ID],
            )
        },
        "/merchant-keys/{key_id}": {
            "get": _operation(
                "A merchant key's record, signed by the registry key with the time: hosts check keys with it (it holds a SHA-256 of the secret, never the secret)",
                _answers(200, _ref("MerchantKeyRecord"), 404),
                params=[_KEY_ID],
            )
        },
        "/apps/{app_id}/versions/{version}": {"get": _operation("A released version and its countersignature", _answers(200, _ref("Download"), 404), params=[_APP_ID, _VERSION])},
        "/apps/{app_id}/versions/{version}/status": {"get": _operation("The version's status now, signed by the registry key with the time", _answers(200, _ref("Status"), 404), params=[_APP_ID, _VERSION])},
        "/apps/{app_id}/versions/{version}/package": {"get": _operation("The package", {"200": {"description": "the .capsule file", **binary}, "404": {"description": "not released", **_json(_ERROR)}}, params=[_APP_ID, _VERSION])},
        "/apps/{app_id}/versions/{version}/compiled": {"get": _operation("The precompiled component for this registry's engine build", {"200": {"description": "compiled artifact", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}, "404": {"description": "none", **_json(_ERROR)}}, params=[_APP_ID, _VERSION])},
        "/apps/{app_id}/versions/{version}/yank": {
            "post": _operation(
                "Withdraw a version (owner or admin)",
                _answers(200, {"type": "object"}, 400, 401, 403, 404, 413),
                auth=True,
                params=[_APP_ID, _VERSION],
                body={"required": False, **_json({"type": "object", "properties": {"reason": {"type": "string"}}})},
            )
        },
        "/openapi.json": {"get": _operation("This document", _answers(200, {"type": "object"}))},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Capsule registry", "version": "1.0.0", "description": "Publish, review, release, download and search Capsule mini-programs. See docs/registry.md."},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
    }
