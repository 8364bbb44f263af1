"""A refusal as the web host answers it: `{"error": code, "message", "params"}` and a status.

`error` is a stable code and `params` the values its message names (a count,
a limit, a time as `*_at` milliseconds), so the shell says the refusal in the
reader's language from its message files (`code.<code>`, docs/webhost.md);
`message` is the English text, which the shell shows for a code it has no
words for. `family`, when sent, is the code of the error's kind (every
package check is an `invalid-package`): the shell's second choice.
"""

from __future__ import annotations

from typing import Any, Mapping

from starlette.responses import JSONResponse

from ..capabilities.base import CapabilityError
from ..errors import CapsuleError


def problem(
    status: int,
    code: str,
    message: str,
    *,
    params: Mapping[str, object] | None = None,
    family: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"error": code, "message": message, "params": dict(params or {}), **extra}
    if family and family != code:
        body["family"] = family
    return JSONResponse(body, status_code=status, headers=dict(headers) if headers else None)


def coded(error: CapsuleError | CapabilityError) -> dict[str, Any]:
    """An error's code, English message, parameters and family, as the socket and HTTP answers carry them."""
    if isinstance(error, CapsuleError):
        code, family, params = error.code, error.family, dict(error.params)
    else:
        code, params = error.coded()["code"], error.coded()["params"]
        family = code
    found: dict[str, Any] = {"code": code, "message": str(error), "params": params}
    if family != code:
        found["family"] = family
    return found


def problem_of(status: int, error: CapsuleError | CapabilityError, **extra: Any) -> JSONResponse:
    """`error` answered with `status`: its code, message, parameters and family."""
    found = coded(error)
    return problem(status, found["code"], found["message"], params=found["params"], family=found.get("family"), **extra)
