"""Plan speed on a large workspace: 10,000 jobs and 1,000 webhooks behind a real socket.

(a) The plan's wall time — reading the live lists through the client plus the
    planner; loading the manifest is excluded — as a ratio to just listing the
    same resources with the client. Target: at most 1.3. Every setting starts with
    the schedule caches emptied, as in a fresh CLI process:
    - "after manifest load" (the target's setting): the declared schedules are
      parsed again before the clock starts, as ``load_manifests`` (which validates
      every schedule) leaves them in a real run; the planner still parses every
      live schedule that is spelled differently from the declared one (in this
      data set each such live schedule is also declared by some other job, so
      none is left to parse: "cold" shows the other extreme).
    - "cold": nothing parsed; the planner also parses the declared side of every
      differing schedule.
    - "as plan --out": after manifest load, plus building the saved plan's
      document, which is when the per-resource live fingerprints are computed
      (showing or applying a plan never reads them); the file write is excluded.
(b) The HTTP requests the plan made (the list endpoints, one request per page).

The emulator runs in its own process over a SQLite file, seeded directly through
its store (creating 11,000 resources through the API would only slow the set-up).
The desired state matches the live one except for 100 schedule changes and 10
new jobs, so the planner compares everything and finds some work. All timings are
taken in this one run, interleaved round by round, best of several each; each
starts with a garbage collection, so none pays for another's garbage. On a busy
machine the median of the per-round ratios is steadier than the ratio of the
bests, so both are shown. The planner alone (on lists already read) is shown
too. Asserts nothing.

    python benchmarks/plan.py [--rounds N]
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from _serve import emulator

from bytestack_sync import contract, cron
from bytestack_sync.api.client import Client
from bytestack_sync.api.models import LiveJob, LiveWebhook
from bytestack_sync.cron import schedule as cron_schedule
from bytestack_sync.emulator.db import Database
from bytestack_sync.emulator.ids import iso, new_id
from bytestack_sync.emulator.schedules import next_run
from bytestack_sync.emulator.store import Store
from bytestack_sync.model import DesiredState, JobSpec, WebhookSpec
from bytestack_sync.plan import compare
from bytestack_sync.plan.plan import Plan
from bytestack_sync.plan.planner import make_plan
from bytestack_sync.plan.savefile import plan_document

JOBS = 10_000
WEBHOOKS = 1_000
CHANGED = 100
ADDED = 10
ROUNDS = 7
KEY = "bs_benchmark_key"
WORKSPACE = "bench"


def job_spec(i: int, *, changed: bool = False) -> JobSpec:
    hour = (i % 24 + 1) % 24 if changed else i % 24
    return JobSpec(
        name=f"bench-{i:05}",
        prompt=f"How many times was product {i} mentioned today?",
        sources=frozenset({"x", "reddit"} if i % 2 else {"linkedin"}),
        schedule=f"{i % 60} {hour} * * {'1-5' if i % 3 else '*'}",
        webhook_url=f"https://hooks.example.com/h{i % WEBHOOKS}" if i % 4 == 0 else None,
    )


def seed(path: str) -> None:
    """Write the live workspace straight into the emulator's store."""
    store = Store(Database(path))
    now = datetime.now(timezone.utc)
    stamp = iso(now)
    workspace = f"ws-{WORKSPACE}"
    for i in range(JOBS):
        spec = job_spec(i)
        upcoming = next_run(spec.schedule, now)
        store.create_job(
            workspace,
            {
                "id": new_id(contract.JOB_ID_PREFIX),
                "name": spec.name,
                "prompt": spec.prompt,
                "sources": sorted(spec.sources),
                "schedule": spec.schedule,
                "webhook_url": spec.webhook_url,
                "status": "active",
                "next_run_at": iso(upcoming) if upcoming else None,
                "created_at": stamp,
                "updated_at": stamp,
            },
        )
    for i in range(WEBHOOKS):
        webhook = {
            "id": new_id(contract.WEBHOOK_ID_PREFIX),
            "url": f"https://hooks.example.com/h{i}",
            "events": ["job.completed"],
            "created_at": stamp,
        }
        store.create_webhook(workspace, webhook)
    store.close()


def desired() -> DesiredState:
    jobs = [job_spec(i, changed=i < CHANGED) for i in range(JOBS + ADDED)]
    hooks = [WebhookSpec(f"https://hooks.example.com/h{i}") for i in range(WEBHOOKS)]
    return DesiredState(jobs=tuple(jobs), webhooks=tuple(hooks))


def timed(action: Callable[[], object], setup: Callable[[], object] = lambda: None) -> float:
    """Wall time of ``action``. Each starts from an empty collector, so none pays for
    garbage another left behind and their order does not shift costs between them."""
    setup()
    gc.collect()
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def cold() -> None:
    """Empty the schedule caches, as a fresh process starts."""
    compare.schedule_key.cache_clear()
    cron_schedule._parse.cache_clear()


def after_load(state: DesiredState) -> Callable[[], None]:
    """Empty the caches, then parse the declared schedules as loading the manifest does."""

    def setup() -> None:
        cold()
        for spec in state.jobs:
            cron.parse(spec.schedule)

    return setup


def measure(client: Client, state: DesiredState, rounds: int) -> tuple[dict[str, list[float]], int]:
    """Wall times of each setting, interleaved round by round; requests per plan."""

    def listing() -> tuple[list[LiveJob], list[LiveWebhook]]:
        return client.jobs.list(), client.webhooks.list()

    def plan() -> Plan:
        return make_plan(state, *listing())

    def saved() -> object:
        # As ``plan --out`` saves it: with the live resources read, whose fields it digests.
        jobs, webhooks = listing()
        made = dataclasses.replace(make_plan(state, jobs, webhooks), live_read=(*jobs, *webhooks))
        return plan_document(made, signing_key=KEY.encode())

    lists = listing()  # warm the connection and the server's pages
    loaded = after_load(state)
    settings: dict[str, tuple[Callable[[], object], Callable[[], object]]] = {
        "list": (listing, lambda: None),
        "loaded": (plan, loaded),
        "cold": (plan, cold),
        "saved": (saved, loaded),
        "planner": (lambda: make_plan(state, *lists), loaded),
    }
    timings: dict[str, list[float]] = {name: [] for name in settings}
    before = client.request_count
    plan()
    requests = client.request_count - before
    for _ in range(rounds):
        for name, (action, setup) in settings.items():
            timings[name].append(timed(action, setup))
    return timings, requests


def report(timings: dict[str, list[float]], rounds: int) -> None:
    """Best of each, the ratios of the bests, and (steadier on a busy machine) the
    median of each round's own ratio, its plan and its listing taken moments apart."""
    best = {name: min(values) for name, values in timings.items()}
    listed = best["list"]
    print(f"list only: best {listed:.3f} s of {rounds}")
    for name, label in (("loaded", "after manifest load"), ("cold", "cold"),
                        ("saved", "as plan --out")):  # fmt: skip
        paired = statistics.median(
            p / q for p, q in zip(timings[name], timings["list"], strict=True)
        )
        print(f"plan, {label}: best {best[name]:.3f} s, ratio {best[name] / listed:.2f} "
              f"(median per round {paired:.2f})")  # fmt: skip
    print(f"planner alone, after manifest load: best {best['planner']:.3f} s")
    print(f"(a) ratio plan / list, after manifest load: {best['loaded'] / listed:.2f} "
          "(target <= 1.3)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    rounds = parser.parse_args().rounds
    state = desired()
    with tempfile.TemporaryDirectory() as directory:
        path = str(Path(directory) / "bench.sqlite3")
        started = time.perf_counter()
        seed(path)
        print(
            f"seeded {JOBS} jobs and {WEBHOOKS} webhooks in {time.perf_counter() - started:.1f} s"
        )
        with (
            emulator("--state", path, "--key", f"{KEY}:{WORKSPACE}") as url,
            Client(url, KEY) as client,
        ):
            timings, requests = measure(client, state, rounds)
            counts = make_plan(state, client.jobs.list(), client.webhooks.list()).counts()
    print(f"plan: {json.dumps(counts)}")
    report(timings, rounds)
    print(f"(b) HTTP requests per plan: {requests} (pages of {contract.PAGE_LIMIT_MAX})")


if __name__ == "__main__":
    main()
