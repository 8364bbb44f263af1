"""Programs written in TypeScript: compiled to the runtime's CommonJS at build time.

A `js` program may write its modules as `.ts` (`app.ts` where it starts).
`capsule build` compiles each with the TypeScript compiler (pinned, installed
with npm into CAPSULE_HOME on first use) into the `.js` beside it, and the
package carries both: the `.ts` a reviewer reads and the `.js` the runtime
runs. Types are erased, not checked: run `tsc --noEmit` with the SDK's
`index.d.ts` for that. A syntax error fails the build with file and line.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Callable

from capsule.runtime.errors import BuildError
from capsule.runtime.home import Home
from capsule.runtime.languages.js.toolchain import TYPESCRIPT_DIR, ensure_typescript, node

Progress = Callable[[str], None]


def typescript_modules(files: dict[str, bytes]) -> list[str]:
    """The program's TypeScript modules (declaration files are not modules)."""
    return sorted(name for name in files if name.endswith(".ts") and not name.endswith(".d.ts"))


def compile_typescript(home: Home, files: dict[str, bytes], progress: Progress) -> dict[str, bytes]:
    """`files` plus the `.js` compiled from each `.ts` module; BuildError naming file and line."""
    modules = typescript_modules(files)
    if not modules:
        return files
    clash = [name[:-3] + ".js" for name in modules if name[:-3] + ".js" in files]
    if clash:
        raise BuildError(
            f"{', '.join(clash)} would be written by compiling the .ts beside it; keep either the .ts or the .js"
        )
    folder = ensure_typescript(home, progress=progress)
    progress(f"compiling {len(modules)} TypeScript module(s)")
    source = {name: files[name].decode("utf-8", errors="replace") for name in modules}
    result = subprocess.run(
        [node(), str(TYPESCRIPT_DIR / "compile.cjs")],
        input=json.dumps({"files": source}),
        capture_output=True,
        text=True,
        env={**os.environ, "NODE_PATH": str(Path(folder) / "node_modules")},
    )
    if result.returncode != 0:
        raise BuildError(f"the TypeScript compiler failed (a Capsule problem): {result.stderr.strip()[-2000:]}")
    answer = json.loads(result.stdout)
    if answer["problems"]:
        raise BuildError("the program's TypeScript does not compile: " + "; ".join(answer["problems"][:10]))
    return {**files, **{name: text.encode() for name, text in answer["outputs"].items()}}
