"""Apply throughput against a served emulator (a real socket), measured in one run.

1. 1,000 creates with 20 ms of latency per request: the wall time of the apply
   (the changes and the one confirming read of the live lists) as a ratio to the
   ideal ``1000 x 20 ms / parallelism``. Target: at most 1.5.
2. 1,000 creates under a rate limit of 50 requests per second: the requests the
   server accepted per second, as a fraction of 50. Target: at least 0.85, with
   zero failed changes. The client paces itself as the CLI's does.

The emulator runs in its own process (``bytestack-sync emulator serve``), as a real
API would, so it does not compete with the client for one interpreter lock.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from _serve import emulator

from bytestack_sync.api.client import Client
from bytestack_sync.api.pacing import PacedTransport, paced_transport
from bytestack_sync.apply import ApplyReport, apply_plan
from bytestack_sync.model import DesiredState, JobSpec
from bytestack_sync.plan.planner import make_plan

JOBS = 1000
PARALLELISM = 8
LATENCY_MS = 20.0
RATE_LIMIT = 50.0
KEY = "bs_benchmark_key"


def desired(count: int) -> DesiredState:
    jobs = tuple(
        JobSpec(
            name=f"bench-{i:05}",
            prompt=f"How many times was product {i} mentioned today?",
            sources=frozenset({"x", "reddit"}),
            schedule=f"{i % 60} {i % 24} * * *",
        )
        for i in range(count)
    )
    return DesiredState(jobs=jobs)


def run_apply(url: str, transport: PacedTransport | None) -> tuple[float, ApplyReport, int]:
    """(wall seconds, report, HTTP requests sent) of one apply of JOBS creates."""
    state = desired(JOBS)
    plan = make_plan(state, [], [])
    with Client(url, KEY, transport=transport) as client:
        started = time.perf_counter()
        report = apply_plan(plan, client, parallelism=PARALLELISM, desired=state)
        took = time.perf_counter() - started
        return took, report, client.request_count


def bare_creates(url: str) -> float:
    """The same creates from a bare thread pool: what the client alone costs here."""
    specs = desired(JOBS).jobs
    with Client(url, KEY) as client, ThreadPoolExecutor(PARALLELISM) as pool:
        started = time.perf_counter()
        for spec in specs:
            pool.submit(
                client.jobs.create,
                name=f"bare-{spec.name}",
                prompt=spec.prompt,
                sources=sorted(spec.sources),
                schedule=spec.schedule,
            )
        pool.shutdown(wait=True)
        return time.perf_counter() - started


def latency_case() -> None:
    with emulator("--latency", str(LATENCY_MS)) as url:
        took, report, requests = run_apply(url, None)
        bare = bare_creates(url)
    ideal = JOBS * LATENCY_MS / 1000.0 / PARALLELISM
    print(f"1. {JOBS} creates, {LATENCY_MS:g} ms latency, parallelism {PARALLELISM}")
    print(f"   wall {took:.2f} s, ideal {ideal:.2f} s -> ratio {took / ideal:.2f} (target <= 1.5)")
    print(
        f"   for scale: the bare client in a thread pool takes {bare:.2f} s "
        f"(ratio {bare / ideal:.2f}); the executor adds {took / bare:.2f}x"
    )
    print(
        f"   {requests} requests, {len(report.failed)} failed changes, "
        f"converged: {report.converged}"
    )


def rate_limit_case() -> None:
    transport = paced_transport()
    with emulator("--rate-limit", str(RATE_LIMIT)) as url:
        took, report, requests = run_apply(url, transport)
    pacer = transport.pacer
    accepted = requests - pacer.limited
    rate = accepted / took
    print(f"2. {JOBS} creates, rate limit {RATE_LIMIT:g}/s, parallelism {PARALLELISM}")
    print(
        f"   wall {took:.2f} s, {accepted} requests accepted -> {rate:.1f}/s = "
        f"{rate / RATE_LIMIT:.2f} of the limit (target >= 0.85)"
    )
    learned = "none" if pacer.rate is None else f"{pacer.rate:.1f}/s"
    print(
        f"   {pacer.limited} answers 429, {len(report.failed)} failed changes, "
        f"converged: {report.converged}, learned pace {learned}"
    )


def main() -> None:
    latency_case()
    rate_limit_case()


if __name__ == "__main__":
    main()
