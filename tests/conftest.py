"""Shared fixtures: one CAPSULE_HOME for the run, and real components built once."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from capsule.runtime import Home, Host, PolicyPrompter
from capsule.sdk.toolchain.build import BuildResult, build_program

REPO = Path(__file__).resolve().parents[1]
PROGRAMS = Path(__file__).resolve().parent / "programs"
HELLO = REPO / "sample_programs" / "hello"
HOSTILE = PROGRAMS / "hostile"
HELLO_JS = REPO / "sample_programs" / "hello-js"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files that drive Chromium run after all others, on every worker.

    Playwright's sync API keeps an asyncio loop running in the test process for
    as long as the session's browser lives; a later test (or the code it runs)
    that calls `asyncio.run` would find it and fail.
    """
    browser_files = {item.path for item in items if "browser" in getattr(item, "fixturenames", ())}
    items.sort(key=lambda item: item.path in browser_files)


@pytest.fixture(scope="session")
def home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    """A CAPSULE_HOME for the whole run; subprocesses see it too.

    Set CAPSULE_TEST_HOME to keep build and compile caches between local runs.
    Parallel workers (pytest-xdist) each get a home of their own, for keys,
    databases and installed packages, linked to one set of caches: the
    runtimes, builds and compiled artifacts are made once, by whichever worker
    needs them first, while the other waits (`one_builder`).
    """
    kept = os.environ.get("CAPSULE_TEST_HOME")
    if os.environ.get("PYTEST_XDIST_WORKER"):
        caches = Home.resolve(kept or tmp_path_factory.getbasetemp().parent / "capsule-caches")
        home = caches.sharing_caches(tmp_path_factory.mktemp("capsule-home"))
    else:
        home = Home.resolve(kept or tmp_path_factory.mktemp("capsule-home"))
    os.environ["CAPSULE_HOME"] = str(home.root)
    # What an earlier run installed is no cache: programs rebuilt since then keep
    # their version, and a host refuses the same version with other content.
    (home.packages / "installed.json").unlink(missing_ok=True)
    return home


def pack_by_hand(folder: Path, home: Home, out: Path, kind: str = "python") -> BuildResult:
    """A source package packed as an attacker would: no build checks, just signed files."""
    from capsule.runtime.manifest import load_manifest
    from capsule.runtime.package import pack_members
    from capsule.sdk.toolchain import source
    from capsule.sdk.toolchain.build import signing_key

    out.parent.mkdir(parents=True, exist_ok=True)
    info = pack_members(out, source.package_members(source.collect(folder, kind), kind), signing_key(home, "default", print))
    manifest = load_manifest((folder / "manifest.json").read_bytes())
    return BuildResult(manifest, info.path, info.digest, None, False, 0.0, info.key_id)


@pytest.fixture(scope="session")
def packages(home: Home, tmp_path_factory: pytest.TempPathFactory) -> dict[str, BuildResult]:
    """Real packages: hello and hostile as source on the shared Python runtime;
    hostile as its own component built by componentize-py, and that component
    built with an import its manifest does not declare."""
    out = tmp_path_factory.mktemp("packages")
    return {
        "hello": build_program(HELLO, home=home, out_dir=out / "hello"),
        "hostile_source": pack_by_hand(HOSTILE, home, out / "hostile-source.capsule"),
        "hostile": build_program(HOSTILE, home=home, out_dir=out / "hostile", kind="component"),
        "undeclared": build_program(
            HOSTILE, home=home, out_dir=out / "undeclared", capabilities={"storage"}, kind="component"
        ),
    }


@pytest.fixture
def host(home: Home, packages: dict[str, BuildResult]) -> Host:
    h = Host(home, prompter=PolicyPrompter())
    h.install(packages["hello"].package)
    h.install(packages["hostile"].package, rebuilt=True)  # hostile comes as source and as a component
    yield h
    h.close()


def texts(view: dict) -> list[str]:
    """Every text in a view, depth first."""
    found: list[str] = []

    def walk(node: dict) -> None:
        if node.get("type") == "text":
            found.append(node["text"])
        for child in node.get("children", []) + node.get("items", []):
            walk(child)

    walk(view)
    return found


#: The PostgreSQL the suite uses; CI has one on loopback with trust auth.
POSTGRES_URL = os.environ.get("CAPSULE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_or_skip() -> str:
    """The test PostgreSQL's URL; a skip outside CI when it is not running, a failure in CI."""
    import sqlalchemy

    try:
        engine = sqlalchemy.create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect():
            pass
        engine.dispose()
    except Exception as error:  # noqa: BLE001 - any failure means "not available"
        if os.environ.get("CI"):
            raise RuntimeError(f"CI needs PostgreSQL at {POSTGRES_URL}: {error}") from error
        pytest.skip(f"PostgreSQL is not running at {POSTGRES_URL} (set CAPSULE_TEST_POSTGRES)")
    return POSTGRES_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path):
    """A fresh, empty database of each kind: SQLite in a file, PostgreSQL in its own schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    from capsule.runtime.database.scratch import scratch_schema

    with scratch_schema(postgres_or_skip(), prefix="t") as url:
        yield url


@pytest.fixture
def database(database_url: str):
    """A `Database` on each kind of database, closed afterwards."""
    from capsule.runtime.database import Database

    db = Database.open(database_url)
    yield db
    db.close()


def node_or_skip() -> None:
    """JS programs need node once, to build their runtime: a skip outside CI without it, a failure in CI."""
    import shutil

    if shutil.which("node") is None or shutil.which("npm") is None:
        if os.environ.get("CI"):
            raise RuntimeError("CI needs node and npm to build the JS runtime (Debian: apt-get install nodejs npm)")
        pytest.skip("node and npm are not installed; the JS runtime is built with them")


@pytest.fixture(scope="session")
def js_packages(home: Home, tmp_path_factory: pytest.TempPathFactory) -> dict[str, BuildResult]:
    """Real JS packages on the shared JS runtime (built once per home): hello,
    the platform check, and the hostile program packed past the build's checks."""
    node_or_skip()
    out = tmp_path_factory.mktemp("js-packages")
    return {
        "hello": build_program(HELLO_JS, home=home, out_dir=out / "hello", progress=print),
        "bill-pay": build_program(REPO / "sample_programs" / "bill-pay", home=home, out_dir=out / "bill-pay"),
        "platform": build_program(PROGRAMS / "js_platform", home=home, out_dir=out / "platform"),
        "hostile": pack_by_hand(PROGRAMS / "js_hostile", home, out / "js-hostile.capsule", kind="js"),
    }


@contextmanager
def served(app) -> Iterator[str]:  # noqa: ANN001 - any ASGI app
    """`app` served by uvicorn on a free loopback port, in a thread; yields its base URL."""
    import threading
    import time

    import uvicorn

    from capsule.runtime.webhost.server import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@dataclass(frozen=True)
class S3Bucket:
    """A fresh bucket on the loopback S3 server, and the `CAPSULE_BLOBS` value naming it."""

    endpoint: str
    name: str

    def url(self, prefix: str = "capsule") -> str:
        return f"s3://{self.name}/{prefix}?endpoint={self.endpoint}&region=us-east-1"


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """An S3-compatible HTTP server on loopback (moto's), one per worker: it stands where
    an operator's object store (MinIO, AWS S3) would."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    address, port = server.get_host_and_port()
    yield f"http://{address}:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> S3Bucket:
    """A new bucket, with credentials in the environment as an operator would set them
    (and no profile, config file or instance metadata of this machine in the way)."""
    from capsule.runtime.blobs.s3 import s3_client

    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "capsule-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "capsule-test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    bucket = S3Bucket(s3_server, f"capsule-{uuid.uuid4().hex[:16]}")
    s3_client(s3_server, "us-east-1").create_bucket(Bucket=bucket.name)
    return bucket
