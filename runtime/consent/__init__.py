"""Consent and the audit trail: what a user allowed, and what each program did.

`ConsentStore` keeps one grant per (user, program, scope); `ConsentGate` is
what a capability's host side calls before it touches user data; `AuditTrail`
records every capability call for the user to read.
"""

from __future__ import annotations

from .audit import AuditEntry, AuditTrail
from .gate import ASK_EVERY_TIME, SCOPES, ConsentGate
from .grants import Grant, GrantState, ConsentStore

__all__ = ["ASK_EVERY_TIME", "SCOPES", "AuditEntry", "AuditTrail", "ConsentGate", "ConsentStore", "Grant", "GrantState"]
