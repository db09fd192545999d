"""Made-up but deterministic query results: the same prompt and sources give the same result.

A prompt containing ``FAILING_PROMPT_MARKER`` makes the query (or job run) fail, so a
user can test how their code handles a failed query.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from bytestack_sync.emulator.ids import iso

FAILING_PROMPT_MARKER = "#fail"
FAILURE_MESSAGE = "the emulator fails every query whose prompt contains '#fail'"
DEFAULT_RECORDS = 10
MAX_TOTAL_RESULTS = 5000
_SENTIMENTS = ("positive", "neutral", "negative")
_EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)


def fails(prompt: str) -> bool:
    return FAILING_PROMPT_MARKER in prompt


def _seed(prompt: str, sources: Sequence[str]) -> bytes:
    text = prompt.strip() + "\x00" + ",".join(sorted(set(sources)))
    return hashlib.sha256(text.encode("utf-8")).digest()


def _record(seed: bytes, index: int, sources: Sequence[str]) -> dict[str, Any]:
    mix = hashlib.sha256(seed + index.to_bytes(4, "big")).digest()
    source = sorted(set(sources))[mix[0] % len(set(sources))]
    number = int.from_bytes(mix[1:9], "big")
    return {
        "id": f"rec_{mix[9:21].hex()}",
        "source": source,
        "author": f"user{number % 100000}",
        "text": f"Made-up {source} post #{index + 1} matching the query.",
        "url": f"https://{source}.example.com/posts/{number % 10**12}",
        "posted_at": iso(_EPOCH + timedelta(minutes=number % 525600)),
        "sentiment": _SENTIMENTS[mix[21] % len(_SENTIMENTS)],
    }


def make_result(prompt: str, sources: Sequence[str], limit: int | None) -> dict[str, Any]:
    """``{"summary", "total_results", "records"}`` derived only from the arguments."""
    seed = _seed(prompt, sources)
    total = int.from_bytes(seed[:4], "big") % (MAX_TOTAL_RESULTS + 1)
    count = min(total, limit if limit is not None else DEFAULT_RECORDS)
    share = seed[4] % 101
    names = ", ".join(sorted(set(sources)))
    summary = f"{total} results across {names} matched the query; {share}% of them were positive."
    records = [_record(seed, index, sources) for index in range(count)]
    return {"summary": summary, "total_results": total, "records": records}
