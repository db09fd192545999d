"""-v shows the client's retries, one line each; --debug the exchange without httpcore."""

from __future__ import annotations

import re
from typing import Any

from bytestack_sync.api.session import RETRY_LOGGER
from bytestack_sync.error_handler import RETRY_LOGGER_NAME


def test_the_retry_logger_is_the_one_verbose_output_listens_to() -> None:
    assert RETRY_LOGGER.name == RETRY_LOGGER_NAME


def test_verbose_apply_shows_each_retry_and_wait_on_one_line(
    emulator: Any, cli: Any, write: Any, job: Any, manifest: Any
) -> None:
    served = emulator(rate_limit=4, fail_rate=0.3, seed=11)
    path = write(manifest([job(f"retried-{i}") for i in range(12)]))
    result = cli("-v", "apply", path, "--api-url", served.api_url, "--auto-approve")
    assert result.code in (0, 3), result.out + result.err
    retries = [line for line in result.err.splitlines() if line.startswith("retry: ")]
    waited = [line for line in retries if "as Retry-After asks" in line]
    backed_off = [line for line in retries if "failed on" in line and "backing off" in line]
    assert waited and backed_off, result.err
    # The bound adapts to the failure rate: 5 at least, 16 at most (retry.RetryPolicy).
    bounds = [re.search(r" \(attempt (\d+) of (\d+) next\)$", line) for line in retries]
    assert all(m and 2 <= int(m[1]) <= int(m[2]) and 5 <= int(m[2]) <= 16 for m in bounds)
    assert "(429); waiting " in waited[0]

    quiet = cli("apply", path, "--api-url", served.api_url, "--auto-approve")
    assert "retry: " not in quiet.err  # only -v shows them


def test_debug_keeps_the_exchange_without_connection_chatter(
    served: Any, cli: Any, write: Any, job: Any, manifest: Any
) -> None:
    path = write(manifest([job("debugged")]))
    result = cli("--debug", "plan", path, "--api-url", served.api_url)
    assert result.code == 0, result.err
    assert "debug: bytestack_sync.http: GET " in result.err
    assert "httpcore" not in result.err and "connect_tcp" not in result.err
