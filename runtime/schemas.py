"""The published JSON Schemas: the manifest's and the view's.

Both are generated from the pydantic models, so the models stay the single
source of truth; `sdk/schema/` holds the generated files for editors, other
hosts and other SDKs. Regenerate them after changing a model:

    python -m capsule.runtime.schemas          # write sdk/schema/*.json
    python -m capsule.runtime.schemas --check  # exit 1 when they are stale
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from capsule.sdk import SCHEMA_DIR


def schemas() -> dict[str, dict[str, Any]]:
    """File name -> freshly generated schema, for every published schema."""
    from .manifest import manifest_schema
    from .views import view_schema

    return {"manifest.schema.json": manifest_schema(), "view.schema.json": view_schema()}


def render(schema: dict[str, Any]) -> str:
    """The exact text written to disk (stable, so the files diff cleanly)."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    """Write every schema into `directory`; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas().items():
        path = directory / name
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written


def stale_schemas(directory: Path = SCHEMA_DIR) -> list[str]:
    """Names of the files in `directory` that differ from the models."""
    stale = []
    for name, schema in schemas().items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != render(schema):
            stale.append(name)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m capsule.runtime.schemas", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when a file is stale")
    parser.add_argument("--dir", type=Path, default=SCHEMA_DIR, help=f"output folder (default {SCHEMA_DIR})")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_schemas(args.dir)
        for name in stale:
            print(f"stale: {args.dir / name} (run `python -m capsule.runtime.schemas`)", file=sys.stderr)
        return 1 if stale else 0
    for path in write_schemas(args.dir):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
