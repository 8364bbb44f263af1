"""The wasmtime engine, its epoch ticker and the compiled-component cache."""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from importlib.metadata import version
from pathlib import Path

import wasmtime
from wasmtime.component import Component

from ..home import one_builder

#: One epoch tick; CPU deadlines are counted in ticks.
EPOCH_TICK_MS = 5


class Engine:
    """A configured wasmtime engine shared by every session of a host.

    Epoch interruption (not fuel) bounds CPU time: it costs almost nothing on
    the guest's hot path, and one ticker thread serves every session.
    """

    def __init__(self, cache_dir: Path) -> None:
        config = wasmtime.Config()
        config.epoch_interruption = True
        self.wasmtime = wasmtime.Engine(config)
        self.cache = CompileCache(cache_dir, fingerprint=_fingerprint())
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def ensure_ticking(self) -> None:
        """Start the epoch ticker once; it lives as long as the process."""
        with self._lock:
            if self._ticker is None:
                self._ticker = threading.Thread(target=self._tick, name="capsule-epoch", daemon=True)
                self._ticker.start()

    def _tick(self) -> None:
        while not self._stop.wait(EPOCH_TICK_MS / 1000):
            self.wasmtime.increment_epoch()

    def close(self) -> None:
        """Stop the ticker and wait for it, so no tick can race the engine's teardown."""
        self._stop.set()
        with self._lock:
            ticker, self._ticker = self._ticker, None
        if ticker is not None and ticker is not threading.current_thread():
            ticker.join(timeout=1.0)

    def component(self, digest: str, wasm: bytes | None = None, *, wasm_path: Path | None = None) -> Component:
        """The compiled component for a package digest, compiling only on a cache miss."""
        return self.cache.load_or_compile(self.wasmtime, digest, wasm, wasm_path)


def _fingerprint() -> str:
    # A compiled artifact is only valid for the same wasmtime build and config.
    return hashlib.sha256(f"wasmtime-{version('wasmtime')}-epoch".encode()).hexdigest()[:12]


class CompileCache:
    """Compiled components on disk, keyed by package digest: compile once, ever."""

    def __init__(self, directory: Path, *, fingerprint: str) -> None:
        self.directory = directory
        self.fingerprint = fingerprint
        self.compiles = 0  # how many real compilations this process did (tests read it)

    def path_for(self, digest: str) -> Path:
        name = digest.replace("sha256:", "")
        return self.directory / f"{name}-{self.fingerprint}.cwasm"

    def has(self, digest: str) -> bool:
        return self.path_for(digest).exists()

    def prune(self, prefix: str, *, keep: str) -> None:
        """Remove the artifacts of every `prefix*` digest but `keep` (an older runtime nothing runs any more)."""
        kept = self.path_for(keep).name
        for path in self.directory.glob(f"{prefix}*.cwasm"):
            if path.name != kept:
                path.unlink(missing_ok=True)

    def load_or_compile(
        self, engine: wasmtime.Engine, digest: str, wasm: bytes | None, wasm_path: Path | None = None
    ) -> Component:
        path = self.path_for(digest)
        if path.exists():
            try:
                return Component.deserialize_file(engine, str(path))
            except wasmtime.WasmtimeError:
                path.unlink(missing_ok=True)  # stale or damaged artifact: rebuild it
        with one_builder(path):
            if path.exists():  # another process compiled it while this one waited
                return Component.deserialize_file(engine, str(path))
            return self._compile(engine, path, wasm, wasm_path)

    def _compile(self, engine: wasmtime.Engine, path: Path, wasm: bytes | None, wasm_path: Path | None) -> Component:
        if wasm is None and wasm_path is not None:
            wasm = wasm_path.read_bytes()
        if wasm is None:
            raise FileNotFoundError(f"no compiled artifact {path.name} and no component given")
        component = Component(engine, wasm)
        self.compiles += 1
        self._write(path, component.serialize())
        return component

    def _write(self, path: Path, data: bytes | bytearray) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".cwasm")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
