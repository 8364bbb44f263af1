"""Host side of `capsule:app/log`: the program's diagnostics."""

from __future__ import annotations

import logging
from typing import Mapping

from ...engine.turn import current_turn
from ..base import CallContext, Capability, HostFunction

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}


class LogCapability(Capability):
    name = "log"

    def functions(self) -> Mapping[str, HostFunction]:
        return {"write": write}


def write(ctx: CallContext, level: str, message: str) -> None:
    turn = current_turn()
    budget = ctx.session.limits.log_bytes
    if turn.log_bytes >= budget:
        return  # over budget: dropped; the notice below was written once
    turn.log_bytes += len(message)
    if turn.log_bytes >= budget:
        message = message[: max(0, budget - (turn.log_bytes - len(message)))]
        message += f" [log limit of {budget} bytes per turn reached; further lines dropped]"
    ctx.session.add_log(level, message)
    logging.getLogger(f"capsule.program.{ctx.app.id}").log(_LEVELS.get(level, logging.INFO), message)
