"""A distinctive key must never show up in an error, a repr or a debug log line."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bytestack_sync.api import errors
from bytestack_sync.api.client import Client
from bytestack_sync.connect import connect

CANARY = "bs_live_CANARY_c4n4ry_7f3a9e21"
RO_CANARY = "bs_live_CANARY_readonly_55d0"
NOT_A_KEY = "bs_live_CANARY_unknown_0000"
SECRETS = (CANARY, RO_CANARY, NOT_A_KEY)
JOB: dict[str, Any] = {"name": "n", "prompt": "p", "sources": ["x"], "schedule": "0 8 * * *"}


def _provoke(client: Client, reader: Client, stranger: Client) -> list[errors.ApiError]:
    job = client.jobs.create(**JOB)
    calls: list[Callable[[], object]] = [
        lambda: client.jobs.create(**{**JOB, "sources": ["nope"]}),  # 400
        lambda: stranger.jobs.list(),  # 401
        lambda: reader.jobs.delete(job.id),  # 403
        lambda: client.jobs.get("job_" + "0" * 25),  # 404
        lambda: client.queries.wait(
            client.queries.submit(prompt="#fail", sources=["x"]).id, timeout=5, interval=0.01
        ),  # failed query
        lambda: client.jobs.update(job.id, {"schedule": "nonsense"}),  # 400 on PATCH
    ]
    caught: list[errors.ApiError] = []
    for call in calls:
        with pytest.raises(errors.ApiError) as info:
            call()
        caught.append(info.value)
    return caught


def _package_locals(error: BaseException) -> list[str]:
    """The repr of every local in the package's frames of the error's traceback."""
    texts = []
    for frame, _line in traceback.walk_tb(error.__traceback__):
        if "bytestack_sync" in Path(frame.f_code.co_filename).parts:
            texts += [f"{name}={value!r}" for name, value in frame.f_locals.items()]
    return texts


def _texts(failures: list[errors.ApiError]) -> list[str]:
    texts: list[str] = []
    for error in failures:
        texts += [str(error), repr(error), repr(vars(error)), *_package_locals(error)]
        texts += traceback.format_exception(type(error), error, error.__traceback__)
    return texts


def test_canary_key_never_appears(emulated: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    emulator = emulated(keys=(f"{CANARY}:ws", f"{RO_CANARY}:ws:ro"))
    client = emulator.client(CANARY, debug=True)
    reader = emulator.client(RO_CANARY, debug=True)
    stranger = emulator.client(NOT_A_KEY, debug=True)
    failures = _provoke(client, reader, stranger)
    assert len(failures) == 6
    assert any(r.name == "bytestack_sync.http" for r in caplog.records)
    texts = [*_texts(failures), caplog.text, repr(client), repr(client.jobs), repr(client.__dict__)]
    texts += [repr(vars(client._session))]  # the one object that holds the key
    for secret in SECRETS:
        assert not [t for t in texts if secret in t]


@pytest.mark.parametrize("source", ["environment", "argument"])
def test_connect_errors_never_show_the_key(monkeypatch: pytest.MonkeyPatch, source: str) -> None:
    bad_key = "bs live CANARY with spaces"  # unusable, so the client refuses it
    if source == "environment":
        monkeypatch.setenv("BITKIT_API_KEY", bad_key)
    with pytest.raises(errors.ApiKeyError) as caught:
        connect("https://api.bytestack.dev/v1", key=bad_key if source == "argument" else None)
    text = "".join(traceback.format_exception(caught.type, caught.value, caught.tb))
    frames = _package_locals(caught.value)
    assert len(frames) > 3  # connect's and the client's frames were inspected
    assert not [t for t in [text, *frames] if "CANARY" in t]
    assert "BITKIT_API_KEY" in str(caught.value)
