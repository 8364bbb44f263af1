"""Where the payment sample programs live."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COFFEE = REPO / "sample_programs" / "coffee-shop"
GO_DUTCH = REPO / "sample_programs" / "go-dutch"
