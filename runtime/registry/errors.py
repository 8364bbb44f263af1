"""Registry errors carry the HTTP status they are answered with."""

from __future__ import annotations

from ..errors import CapsuleError


class RegistryError(CapsuleError):
    """A request the registry refuses; `status` is the HTTP status, `code` is stable."""

    code = "registry-error"

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message, code=code)
        self.status = status


def unauthorized(message: str = "this needs an API token: send `Authorization: Bearer <token>` (see `capsule registry login`)") -> RegistryError:
    return RegistryError(401, "unauthorized", message)


def forbidden(message: str) -> RegistryError:
    return RegistryError(403, "forbidden", message)


def not_found(message: str) -> RegistryError:
    return RegistryError(404, "not-found", message)


def conflict(message: str) -> RegistryError:
    return RegistryError(409, "conflict", message)


def invalid(message: str, code: str = "invalid-request") -> RegistryError:
    return RegistryError(400, code, message)
