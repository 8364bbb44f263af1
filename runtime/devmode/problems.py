"""What went wrong in a program, located by file and line for its developer."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from ..errors import CapsuleError, LimitExceeded, ManifestError, ProgramError, SessionEnded
from ..languages.python.component import PROGRAM_MOUNT

# A guest traceback names the program's files under the mount, e.g.
#   File "/program/app.py", line 12, in increment
_FRAME = re.compile(r'File "' + re.escape(PROGRAM_MOUNT) + r'/([^"]+)", line (\d+)')
_JSON_LINE = re.compile(r"at line (\d+), column \d+")


@dataclass(frozen=True)
class DevProblem:
    """One problem: what kind, a message, and where in the program folder."""

    kind: str
    message: str
    #: Relative to the program folder (e.g. "app.py"); None when no file of
    #: the program is to blame (a limit, a bug in the host).
    file: str | None = None
    line: int | None = None
    traceback: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file and self.line else f"{self.file}: " if self.file else ""
        return f"{where}{self.message}"


def locate(traceback: str) -> tuple[str | None, int | None]:
    """The innermost frame of the program's own code in a guest traceback.

    For a SyntaxError that is the offending line, which Python prints last.
    """
    found = _FRAME.findall(traceback)
    if not found:
        return None, None
    file, line = found[-1]
    return file, int(line)


def explain(error: BaseException) -> DevProblem:
    """A located problem for anything loading or running the program raised."""
    if isinstance(error, ProgramError):
        file, line = locate(error.traceback)
        message = str(error.args[0]) if error.args else error.kind
        detail = _last_line(error.traceback)
        return DevProblem(error.kind, detail or message, file, line, error.traceback)
    if isinstance(error, ManifestError):
        line = None
        for problem in error.problems:
            match = _JSON_LINE.search(problem.message)
            if match:
                line = int(match.group(1))
        return DevProblem("manifest", str(error), "manifest.json", line)
    if isinstance(error, LimitExceeded):
        return DevProblem("limit", error.message)
    if isinstance(error, SessionEnded):
        return DevProblem("ended", error.message)
    if isinstance(error, CapsuleError):
        return DevProblem(error.code, error.message)
    return DevProblem(type(error).__name__, str(error))


def _last_line(traceback: str) -> str:
    """The exception line of a traceback ("NameError: name 'x' is not defined")."""
    lines = [line for line in traceback.strip().splitlines() if line and not line.startswith(" ")]
    return lines[-1] if lines else ""
