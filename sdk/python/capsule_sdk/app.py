"""Pages with state, handlers, navigation: the program's side of a session.

    app = App()

    @app.page("index")
    class Home(Page):
        count = 0

        def render(self):
            return v.page("Hello", v.text(f"{self.count} taps"), v.button("Tap", "tap"))

        @handler
        def tap(self, data):
            self.count += 1
"""

from __future__ import annotations

import json
from typing import Any, Callable, ClassVar

from . import _bindings


def handler(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a page method as an event handler (only marked methods can be called)."""
    fn.__capsule_handler__ = True  # type: ignore[attr-defined]
    return fn


class Page:
    """One screen. Attributes are its state; `render` turns them into a view."""

    handlers: ClassVar[dict[str, Callable[..., Any]]] = {}
    #: The page's name in the manifest (set by `App.page`).
    page_name: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        found: dict[str, Callable[..., Any]] = {}
        for klass in reversed(cls.__mro__):
            for attr, value in vars(klass).items():
                if getattr(value, "__capsule_handler__", False):
                    found[attr] = value
        cls.handlers = found

    def __init__(self, app: "App", query: dict[str, str]) -> None:
        self.app = app
        self.query = query

    def on_load(self, query: dict[str, str]) -> None:
        """Called once when the page opens, with its query parameters."""

    def on_show(self) -> None:
        """The host shows the program again."""

    def on_hide(self) -> None:
        """The host hides the program (the user switched away)."""

    def render(self) -> dict[str, Any]:
        raise NotImplementedError(f"page {self.page_name!r} must define render()")

    def navigate(self, page: str, /, **query: str) -> None:
        self.app.navigate(page, **query)

    def back(self) -> None:
        self.app.back()


class App:
    """The program: its pages and the stack of open ones. Make exactly one."""

    current: ClassVar["App | None"] = None

    def __init__(self) -> None:
        self.pages: dict[str, type[Page]] = {}
        self.stack: list[Page] = []
        self.scene = ""
        self.launch_query: dict[str, str] = {}
        self._last_view = ""
        App.current = self

    def page(self, name: str) -> Callable[[type[Page]], type[Page]]:
        """Register a page class under `name` (the manifest's page name)."""

        def register(cls: type[Page]) -> type[Page]:
            cls.page_name = name
            self.pages[name] = cls
            return cls

        return register

    @property
    def top(self) -> Page:
        return self.stack[-1]

    def navigate(self, name: str, /, **query: str) -> None:
        """Open page `name` on top of the current one."""
        cls = self.pages.get(name)
        if cls is None:
            raise LookupError(f"no page named {name!r}; pages: {', '.join(sorted(self.pages))}")
        page = cls(self, dict(query))
        self.stack.append(page)
        page.on_load(dict(query))

    def back(self) -> None:
        """Close the current page (the first page stays)."""
        if len(self.stack) > 1:
            self.stack.pop()

    # -- called by the host through the exports ------------------------------

    def _launch(self, page: str, scene: str, query: dict[str, str]) -> None:
        self.scene = scene
        self.launch_query = query
        first = page or next(iter(self.pages), "")
        self.stack.clear()
        self.navigate(first, **query)
        self._render()

    def _event(self, page: str, name: str, data: dict[str, Any]) -> None:
        target = self.top
        if page and page != target.page_name:
            # The view the user acted on is no longer on top (a stale tap).
            for candidate in reversed(self.stack):
                if candidate.page_name == page:
                    target = candidate
                    break
        fn = type(target).handlers.get(name)
        if fn is None:
            known = ", ".join(sorted(type(target).handlers)) or "none"
            raise LookupError(
                f"page {target.page_name!r} has no handler {name!r} (handlers: {known}); "
                "define it as an @handler method of the page, or correct the name the view sends"
            )
        if fn.__code__.co_argcount > 1:
            fn(target, data)
        else:
            fn(target)
        self._render()

    def _show(self) -> None:
        if self.stack:
            self.top.on_show()
            self._render()

    def _hide(self) -> None:
        if self.stack:
            self.top.on_hide()

    def _render(self) -> None:
        view = dict(self.top.render())
        view["name"] = self.top.page_name
        text = json.dumps(view, separators=(",", ":"), ensure_ascii=False)
        if text != self._last_view:  # unchanged views cost no host call
            _bindings.call("ui", "render", text)
            self._last_view = text
