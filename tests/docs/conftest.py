"""The web host fixtures (`web`, `live`) for the tutorial's "publish it into the host" part.

They are defined in tests/webhost/conftest.py; importing them here makes them
visible to the tests in this folder (pytest only looks up conftest files on a
test's own path).
"""

from ..webhost.conftest import live, web  # noqa: F401
