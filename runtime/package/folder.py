"""Which files of a program folder are the program: what a build packs and developer mode mounts.

Build output, tests, caches and version control are left out, and so are
the temporary files editors write beside the real ones while saving: none of
them is part of the program, and none should trigger a reload. `capsule
build` and `capsule dev` read a folder through this one module, so a program
sees the same files in both.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePath

#: Folders that are never part of the program.
IGNORED_DIRS = frozenset({"dist", "tests", "__pycache__", ".git", ".hg", ".svn", ".venv", "venv", "node_modules", ".idea", ".vscode", ".mypy_cache", ".pytest_cache", ".ruff_cache"})

# vim (.swp, .swx, 4913, file~), emacs (#file#, .#file), JetBrains (___jb_tmp___),
# GNOME (.goutputstream-*), kate (.kate-swp), generic .tmp, macOS (.DS_Store).
_EDITOR_TEMP = re.compile(
    r"(\.sw[a-p]|\.swx|~|\.tmp|\.kate-swp|___jb_(tmp|old)___|\.py[cod])$|^(4913|\.#.*|#.*#|\.goutputstream-.*|\.DS_Store)$"
)


def is_editor_temp(name: str) -> bool:
    """True for the scratch files editors write while saving."""
    return bool(_EDITOR_TEMP.search(name))


def is_ignored(relative: str | PurePath) -> bool:
    """True when a path (relative to the program folder) is not part of the program."""
    parts = PurePath(relative).parts
    return not parts or bool(set(parts[:-1]) & IGNORED_DIRS) or parts[-1] in IGNORED_DIRS or is_editor_temp(parts[-1])


def source_files(directory: Path) -> list[Path]:
    """The program's files, relative to `directory`, sorted (ignored folders are not even entered)."""
    found: list[Path] = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = [d for d in dirs if d not in IGNORED_DIRS]
        base = Path(root).relative_to(directory)
        found += [base / name for name in files if not is_editor_temp(name)]
    return sorted(found)
