"""What program developers build against: the WIT contract, the JSON schemas,
the guest SDKs and the toolchain that turns a program folder into a package."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent
WIT_DIR = ROOT / "wit"
SCHEMA_DIR = ROOT / "schema"
PYTHON_SDK_DIR = ROOT / "python"
JS_SDK_DIR = ROOT / "js" / "capsule"
