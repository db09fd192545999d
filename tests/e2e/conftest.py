"""End-to-end fixtures: the CLI run in-process against a served emulator or ``local:PATH``."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from bytestack_sync.api.client import Client
from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.cli import main
from bytestack_sync.connect import connect
from bytestack_sync.emulator.app import EmulatorApp, create_app
from bytestack_sync.emulator.server import EmulatorServer
from bytestack_sync.plan.leases import is_lease_name

API_KEY = "bs_e2e_workspace_key"


class CountingApp:
    """The emulator with a log of every request it was sent: (method, path).

    The workspace lock's lease (a paused job the plan never sees) is written on every
    apply; ``writes`` leaves its traffic out, so a test states the writes its manifest
    causes, and ``lease_writes`` shows the lease's own."""

    def __init__(self, app: EmulatorApp) -> None:
        self.app = app
        self.calls: list[tuple[str, str]] = []
        self._lease_calls: list[tuple[str, str]] = []
        self._lease_paths: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        lease = path in self._lease_paths
        if method == "POST" and path == "/v1/jobs":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(size)
            environ["wsgi.input"] = io.BytesIO(body)
            lease = _is_lease(body)
        with self._lock:
            self.calls.append((method, path))
            if lease:
                self._lease_calls.append((method, path))
        answer = self.app(environ, start_response)
        if not (lease and method == "POST"):
            return answer
        chunks = list(answer)
        try:
            created = json.loads(b"".join(chunks))
            with self._lock:
                self._lease_paths.add(f"/v1/jobs/{created['id']}")
        except (ValueError, KeyError, TypeError):
            pass  # not created: nothing of it to recognise later
        return chunks

    def writes(self) -> list[tuple[str, str]]:
        """Every write but the lock's lease's."""
        with self._lock:
            lease = list(self._lease_calls)
            writes = []
            for call in self.calls:
                if call in lease:
                    lease.remove(call)
                elif call[0] != "GET":
                    writes.append(call)
            return writes

    def lease_writes(self) -> list[tuple[str, str]]:
        with self._lock:
            return [c for c in self._lease_calls if c[0] != "GET"]

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._lease_calls.clear()


def _is_lease(body: bytes) -> bool:
    try:
        name = json.loads(body).get("name")
    except (ValueError, AttributeError):
        return False
    return isinstance(name, str) and is_lease_name(name)


@dataclass
class Result:
    code: int
    out: str
    err: str


@dataclass
class Workspace:
    """One target for the CLI: its ``--api-url``, a client to look at it, a request log."""

    api_url: str
    client: Client
    counter: CountingApp | None = None

    def jobs(self) -> dict[str, LiveJob]:
        jobs = self.client.jobs.list()
        names = [j.name for j in jobs]
        assert len(names) == len(set(names)), f"duplicate jobs: {sorted(names)}"
        return {j.name: j for j in jobs}

    def webhooks(self) -> dict[str, LiveWebhook]:
        return {w.url: w for w in self.client.webhooks.list()}


@contextmanager
def serve(app: EmulatorApp) -> Iterator[Workspace]:
    """``app`` on a real socket, with every request counted."""
    counter = CountingApp(app)
    try:
        with (
            EmulatorServer(counter, host="127.0.0.1", port=0) as server,  # type: ignore[arg-type]
            Client(server.url, API_KEY) as client,
        ):
            yield Workspace(server.url, client, counter)
    finally:
        app.close()


Emulator = Callable[..., Workspace]


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """Starts a served emulator: ``emulator(rate_limit=20, ...)`` takes create_app's options.

    The CLI finds the key in BITKIT_API_KEY, as a user's would.
    """
    monkeypatch.setenv("BITKIT_API_KEY", API_KEY)
    with ExitStack() as stack:
        yield lambda **options: stack.enter_context(serve(create_app(**options)))


@pytest.fixture
def served(emulator: Emulator) -> Workspace:
    return emulator()


@pytest.fixture
def local(tmp_path: Path) -> Iterator[Workspace]:
    (tmp_path / "state").mkdir()
    api_url = f"local:{tmp_path / 'state' / 'local.sqlite3'}"
    with connect(api_url) as client:
        yield Workspace(api_url, client)


@pytest.fixture(params=["served", "local"])
def workspace(request: pytest.FixtureRequest) -> Workspace:
    """Each test that takes it runs against both targets."""
    ws: Workspace = request.getfixturevalue(request.param)
    return ws


Cli = Callable[..., Result]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """Runs ``bytestack-sync ARGS...`` in this process; returns its code and output."""

    def run(*args: str) -> Result:
        capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


def _job(name: str, **fields: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "name": name,
        "prompt": f"How many times was {name} mentioned today?",
        "sources": ["x", "reddit"],
        "schedule": "0 8 * * *",
    }
    document.update(fields)
    return document


def _manifest(
    jobs: Iterable[dict[str, Any]] = (), webhooks: Iterable[dict[str, Any]] = (), **top: Any
) -> str:
    document: dict[str, Any] = {"version": 1, **top}
    document["jobs"] = list(jobs)
    document["webhooks"] = list(webhooks)
    return yaml.safe_dump(document, sort_keys=False)


@pytest.fixture
def job() -> Callable[..., dict[str, Any]]:
    """A job as a manifest declares it: ``job("name", schedule="@daily")``."""
    return _job


@pytest.fixture
def manifest() -> Callable[..., str]:
    """A manifest's YAML: ``manifest([job(...)], webhooks=[...], prune="pause")``."""
    return _manifest


Write = Callable[..., Path]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """Writes a manifest file under tmp_path/manifests and returns its directory."""
    directory = tmp_path / "manifests"
    directory.mkdir()

    def write_manifest(text: str, name: str = "jobs.yaml") -> Path:
        (directory / name).write_text(text, encoding="utf-8")
        return directory

    return write_manifest
