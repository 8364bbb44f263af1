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
    admitted = current_turn().admit_log(message)
    if admitted is None:
        return  # over budget: dropped; the notice was written once
    ctx.session.add_log(level, admitted)
    logging.getLogger(f"capsule.program.{ctx.app.id}").log(_LEVELS.get(level, logging.INFO), admitted)
