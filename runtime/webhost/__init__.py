"""The web host: a super-app shell in the browser over the embedded runtime and registry.

`capsule host` serves it; `capsule dev` serves it in developer mode on one
local program. See docs/webhost.md for its routes and socket messages.
"""

from .server import open_dev_host, open_web_host, serve
from .state import WebHost

__all__ = ["WebHost", "open_dev_host", "open_web_host", "serve"]
