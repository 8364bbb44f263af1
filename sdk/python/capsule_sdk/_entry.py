"""The component's exports, wired to the program's `App`.

`capsule build` generates the module componentize-py starts from; it imports
these classes and the program's `app` module. Every export catches what the
program raises and reports it as a `failure`, so one bad handler does not end
the session.
"""

from __future__ import annotations

import json
import traceback
from typing import Any, Callable

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports.types import Failure

from .app import App


def _app() -> App:
    if App.current is None:
        raise RuntimeError("the program made no App(); create one in app.py: app = App()")
    return App.current


def _guard(step: Callable[[], Any]) -> None:
    try:
        step()
    except MemoryError:
        # Keep this path allocation-light: the heap is exhausted.
        raise Err(Failure(kind="MemoryError", message="out of memory", traceback="")) from None
    except Exception as error:  # noqa: BLE001 - every failure goes back to the host
        raise Err(
            Failure(kind=type(error).__name__, message=str(error), traceback=traceback.format_exc(limit=20))
        ) from None


class Lifecycle(exports.Lifecycle):
    def on_launch(self, page: str, scene: str, query: list[tuple[str, str]]) -> None:
        _guard(lambda: _app()._launch(page, scene, dict(query)))

    def on_show(self) -> None:
        _guard(lambda: _app()._show())

    def on_hide(self) -> None:
        _guard(lambda: _app()._hide())

    def on_unload(self) -> None:
        _guard(lambda: None)


class Events(exports.Events):
    def on_event(self, page: str, handler: str, data: str) -> None:
        _guard(lambda: _app()._event(page, handler, json.loads(data) if data else {}))
