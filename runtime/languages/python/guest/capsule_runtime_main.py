"""Entry point of Capsule's Python runtime. Runs inside WebAssembly, never on the host.

Every Python program (package kind `python`, and `capsule dev`) runs on this
one component; see "Programs on the shared runtime" in docs/architecture.md.

Build time: componentize-py runs this module once and snapshots the heap. It
imports the guest SDK and a broad set of the standard library (PRELOAD),
copies the guest's own standard library out to the host (mounted read-only at
STDLIB_MOUNT in every session), then hides every module the SDK did not need
from `sys.modules`.

Run time: the first export call loads the program from the read-only mount
PROGRAM_MOUNT: `app.py` runs as module `app`. A hidden module the program
imports comes back from the snapshot (no file access, no compiling); any
other module loads from STDLIB_MOUNT or the program's own files, at any time,
as in any Python.

Memory: every page of the snapshot a session writes becomes that session's
own copy, so the load writes as little as it can. Whatever can be decided
at build time is (the mounted standard library's place on package paths),
and an installed program's modules are compiled once, ahead of its sessions
(COMPILE_SCENE, into BYTECODE_MOUNT): unmarshalling bytecode writes a tenth
of the pages compiling source does (docs/performance.md, "Session memory").
"""

import gc
import importlib
import importlib.machinery
import importlib.util
import json
import linecache  # noqa: F401 - tracebacks read the program's source lines through it
import os
import sys
import tokenize  # noqa: F401 - linecache needs it to read source files
import traceback  # noqa: F401 - the SDK formats failures with it

from capsule_sdk import _bindings, _entry
from capsule_sdk.app import App

# Keep these in step with capsule.runtime.languages.python.component.
PROGRAM_MOUNT = "/program"
STDLIB_MOUNT = "/stdlib"
BYTECODE_MOUNT = "/bytecode"
LOAD_SCENE = "capsule-load"
CHECK_SCENE = "capsule-check"
COMPILE_SCENE = "capsule-compile"
STDLIB_OUT_MARKER = ".capsule-stdlib-out"
#: Where a program keeps vendored pure-Python packages (importable by name).
VENDOR_DIR = "lib"

#: Imported at build time, so loading a program that uses them costs nothing.
#: Anything else in the standard library still loads (from STDLIB_MOUNT), more slowly.
PRELOAD = (
    # Roughly leaves first, so what each import brings in (see _Hidden) stays small.
    "types abc keyword operator reprlib functools itertools collections collections.abc copy enum re "
    "string string.templatelib struct codecs io errno warnings weakref contextlib contextvars typing dataclasses "
    "numbers math cmath decimal fractions random statistics bisect heapq array graphlib time datetime calendar "
    "_strptime zoneinfo locale gettext base64 binascii zlib gzip hashlib hmac secrets uuid unicodedata "
    "textwrap difflib fnmatch shlex pprint json csv tomllib html html.entities html.parser xml.etree.ElementTree "
    "xml.sax.saxutils urllib urllib.parse ipaddress http http.cookies email email.message email.utils "
    "colorsys queue ast inspect logging argparse pathlib"
).split()

#: The most free chunks `_fill_heap_holes` fills (a build leaves about 2,500).
MAX_HOLES = 50_000
#: Chunk sizes it asks for, largest first: each round fills what the larger ones left.
HOLE_SIZES = (65536, 16384, 4096, 1024, 512, 256, 192, 128, 96, 64, 48, 40, 32, 24)

#: Folders of the guest's standard library not worth exporting (tests, GUIs, tooling).
NOT_EXPORTED = {"site-packages", "__pycache__", "test", "tests", "idlelib", "tkinter", "turtledemo", "ensurepip"}


def _preload() -> dict[str, int]:
    """Import PRELOAD; returns, per module it brought in, which import brought it."""
    groups: dict[str, int] = {}
    for number, name in enumerate(PRELOAD):
        before = set(sys.modules)
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # not in this Python build: a program importing it gets the same error
        for new in set(sys.modules) - before:
            groups[new] = number
    return groups


def _stdlib_root() -> str:
    # Not os.__file__: os is frozen, and names a folder that does not exist here.
    for entry in sys.path:
        if os.path.isfile(os.path.join(entry, "textwrap.py")):
            return entry
    return os.path.dirname(os.__file__)


_STDLIB_ROOT = _stdlib_root()


def _export_stdlib() -> None:
    # The host gives one writable folder, marked, on the build-time path; the
    # copy is the standard library of exactly this guest's Python version.
    target = next((p for p in sys.path if os.path.exists(os.path.join(p, STDLIB_OUT_MARKER))), None)
    if target is None:
        return
    source = _STDLIB_ROOT
    for root, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if d not in NOT_EXPORTED)
        out = os.path.join(target, "stdlib", os.path.relpath(root, source))
        os.makedirs(out, exist_ok=True)
        for name in files:
            if not name.endswith((".pyc", ".pyo")):
                with open(os.path.join(root, name), "rb") as src, open(os.path.join(out, name), "wb") as dst:
                    dst.write(src.read())


def _fill_heap_holes() -> list:
    """Take every free chunk the build left inside the heap, so a session allocates past them.

    This CPython allocates with wasi-libc's malloc (pymalloc is off in this
    build), and importing and compiling the standard library leaves it a
    heap riddled with freed chunks, a few MB in all, on pages of the
    snapshot that every session shares. A session's new objects would land
    in them, one or two on each page, and each page written becomes the
    session's own copy. Filled here with zeros (in the snapshot, shared),
    they send every allocation of a session to the top of the heap, packed
    together on pages of its own: about half the pages a session writes
    (docs/performance.md, "Session memory").
    """
    kept = [None] * MAX_HOLES
    # No free chunk is this big, so malloc carves it from the top of the heap:
    # any later chunk at or above it is top, not a hole. (In CPython an
    # object's id is its address, here an offset into linear memory.)
    probe = bytes(2 << 20)
    top = id(probe)
    del probe
    header = sys.getsizeof(b"")
    count = 0
    for size in HOLE_SIZES:
        while count < MAX_HOLES:
            chunk = bytes(size - header)
            if id(chunk) >= top:
                break  # freed back into the top, which it came from
            kept[count] = chunk
            count += 1
    del kept[count:]
    return kept


class _Hidden:
    """A meta path finder over the modules hidden at build time.

    It hands back a hidden module the program imports, with the modules it
    needs, straight from the snapshot; whatever it does not hold is left to
    the path finders (the mounted standard library, the program's files).
    """

    def __init__(self, baseline: set[str], groups: dict[str, int]) -> None:
        self.modules = {name: module for name, module in sys.modules.items() if name not in baseline}
        self.specs = {name: getattr(module, "__spec__", None) for name, module in self.modules.items()}
        self.members: dict[int, list[str]] = {}
        for name, number in groups.items():
            self.members.setdefault(number, []).append(name)
        self.groups = groups
        # Worked out now: reading a module's globals in a session writes to each of them.
        self.refers = {
            name: [value.__name__ for value in vars(module).values() if type(value) is type(sys)]
            for name, module in self.modules.items()
        }
        for name in self.modules:
            del sys.modules[name]

    def find_spec(self, name, path=None, target=None):
        module = self.modules.get(name)
        if module is None:
            return None
        self._bring_back_needs(name)
        return importlib.machinery.ModuleSpec(name, self, is_package=hasattr(module, "__path__"))

    def create_module(self, spec):
        return self.modules.pop(spec.name)

    def exec_module(self, module) -> None:
        # Already executed at build time; give it back its own spec.
        spec = self.specs.get(module.__name__)
        if spec is not None:
            module.__spec__ = spec

    def _bring_back_needs(self, name: str) -> None:
        # A module comes back with what its import brought in at build time
        # and the modules its globals refer to, so they exist as they would.
        todo = [*self.members.get(self.groups.get(name, -1), ()), *self.refers[name]]
        while todo:
            other = todo.pop()
            module = self.modules.get(other)
            if other == name or module is None or other in sys.modules:
                continue
            sys.modules[other] = self.modules.pop(other)
            todo += self.members.get(self.groups.get(other, -1), ())
            todo += self.refers[other]


def _extend_path(module) -> None:
    """Let a standard library package find its submodules in the mounted copy."""
    path = getattr(module, "__path__", None)
    if not isinstance(path, list):
        return
    for entry in list(path):
        if entry == _STDLIB_ROOT or entry.startswith(_STDLIB_ROOT + "/"):
            mounted = STDLIB_MOUNT + entry[len(_STDLIB_ROOT) :]
            if mounted not in path:
                path.append(mounted)


class _NoHostWhileLoading:
    """Stands in for a capability's bindings while the program loads.

    A host may load a program before anyone opens it (a warm instance) and
    a build loads it to check it, with no user: a capability call at import
    time has nobody to act for, so it fails the load with a clear message.
    """

    def __init__(self, name: str, real) -> None:
        self._name = name
        self._real = real

    def __getattr__(self, attr: str):
        value = getattr(self._real, attr)
        if callable(value) and not isinstance(value, type):
            name = self._name

            def refuse(*args, **kwargs):
                raise RuntimeError(
                    f"the program called {name}.{attr} while it loads (at import time), before any user "
                    "opened it: call it in on_load or a handler"
                )

            return refuse
        return value


_failure = None
_loaded = False


def _load() -> None:
    """Load the program once per instance; a failure is reported on every later call too."""
    global _failure, _loaded
    if not _loaded:
        _loaded = True
        try:
            _entry._guard(_import_program)
        except BaseException as error:
            _failure = error
    if _failure is not None:
        raise _failure


def _import_program() -> None:
    sys.dont_write_bytecode = True  # the mounts are read-only
    sys.pycache_prefix = BYTECODE_MOUNT  # absent in developer mode: modules compile from source
    # The standard library first, so a program file cannot shadow a module
    # the SDK imports later; then the program, then its vendored packages.
    sys.path[:0] = [STDLIB_MOUNT, PROGRAM_MOUNT, f"{PROGRAM_MOUNT}/{VENDOR_DIR}"]
    real = dict(_bindings._INTERFACES)
    _bindings._INTERFACES.update({name: _NoHostWhileLoading(name, module) for name, module in real.items()})
    try:
        _import_app()
    finally:
        _bindings._INTERFACES.update(real)
    if App.current is None:
        raise RuntimeError("app.py made no App(); create one at the top of app.py: app = App()")


def _program_sources():
    """Every module file of the program, vendored packages included."""
    for root, dirs, files in os.walk(PROGRAM_MOUNT):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                yield os.path.join(root, name)


def _import_app() -> None:
    """Import PROGRAM_MOUNT/app.py as module `app`, straight from its known place.

    As `import app` would, without searching the path: that search lists the
    mounted standard library's folder first, which costs a session memory.
    """
    path = f"{PROGRAM_MOUNT}/app.py"
    spec = importlib.util.spec_from_file_location("app", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["app"] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules["app"]
        raise


def _compile_all() -> None:
    """Compile every module of the program, imported at load or not: a syntax error anywhere fails the check."""
    for path in _program_sources():
        with open(path, "rb") as source:
            compile(source.read(), path, "exec", dont_inherit=True)


def _compile_ahead() -> None:
    """Write every module's bytecode under BYTECODE_MOUNT (writable in this one call), running none of it.

    Unchecked: the host keys the folder by the package's digest and this
    runtime, so the source it was compiled from never changes under it.
    """
    sys.path.insert(0, STDLIB_MOUNT)  # py_compile is not in the snapshot
    sys.dont_write_bytecode = True  # for py_compile's own imports: only the program's bytecode is kept
    sys.pycache_prefix = BYTECODE_MOUNT
    import py_compile

    for path in _program_sources():
        try:
            py_compile.compile(
                path,
                cfile=importlib.util.cache_from_source(path),
                doraise=True,
                invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            )
        except py_compile.PyCompileError:
            pass  # left to compile at load, which reports the error where the program meets it


def _check_pages() -> None:
    """Every page the manifest lists is defined by the program."""
    with open(os.path.join(PROGRAM_MOUNT, "manifest.json"), "rb") as f:
        manifest = json.loads(f.read())
    declared = [page.get("name") for page in manifest.get("pages", []) if isinstance(page, dict)]
    missing = [name for name in declared if name not in App.current.pages]
    if missing:
        have = ", ".join(sorted(App.current.pages)) or "none"
        raise LookupError(
            f"manifest.json lists page(s) {', '.join(map(repr, missing))} that app.py does not define "
            f"(it defines: {have}); add @app.page(NAME) classes or fix the manifest's pages"
        )


class Lifecycle(_entry.Lifecycle):
    def on_launch(self, page: str, scene: str, query: list[tuple[str, str]]) -> None:
        if scene == COMPILE_SCENE:  # what a host asks once per installed version
            _entry._guard(_compile_ahead)
            return
        if scene == CHECK_SCENE:  # what `capsule build` asks before it packs
            _entry._guard(_compile_all)
            _load()
            _entry._guard(_check_pages)
            return
        _load()
        if scene != LOAD_SCENE:  # a load only gets the program ready
            super().on_launch(page, scene, query)

    def on_show(self) -> None:
        _load()
        super().on_show()

    def on_hide(self) -> None:
        _load()
        super().on_hide()

    def on_unload(self) -> None:
        if _failure is None:
            super().on_unload()


class Events(_entry.Events):
    def on_event(self, page: str, handler: str, data: str) -> None:
        _load()
        super().on_event(page, handler, data)


_BASELINE = set(sys.modules)
_GROUPS = _preload()
_export_stdlib()
_HIDDEN = _Hidden(_BASELINE, _GROUPS)
sys.meta_path.insert(0, _HIDDEN)
# Here, not at load: at load it wrote to every module object in every session.
for _module in [*sys.modules.values(), *_HIDDEN.modules.values()]:
    _extend_path(_module)
del _module

# As in a program's own build: freezing the snapshotted heap keeps the garbage
# collector from writing to (and so un-sharing) its pages in every session.
gc.collect()
_HOLES = _fill_heap_holes()
gc.freeze()
