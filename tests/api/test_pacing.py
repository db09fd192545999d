"""The pacer learns the API's rate from 429s and spaces requests just under it."""

from __future__ import annotations

import httpx
import pytest

from bytestack_sync.api.pacing import BACKOFF, INCREASE, PacedTransport, Pacer


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def pacer(time: FakeTime) -> Pacer:
    return Pacer(clock=time.clock, sleep=time.sleep)


def serve(pacer: Pacer, time: FakeTime, count: int, over: float) -> None:
    for _ in range(count):
        time.now += over / count
        pacer.observe(200)


def test_it_does_not_pace_until_two_429s_measured_the_rate(pacer: Pacer, time: FakeTime) -> None:
    serve(pacer, time, 500, 1.0)
    pacer.observe(429)  # the first 429 ends a burst from a full bucket: nothing to learn
    assert pacer.rate is None
    pacer.wait_turn()
    assert time.slept == []


def test_the_span_between_429s_gives_the_rate(pacer: Pacer, time: FakeTime) -> None:
    pacer.observe(429)
    serve(pacer, time, 50, 1.0)
    pacer.observe(429)
    assert pacer.rate == pytest.approx(50 * BACKOFF)
    rate = pacer.rate
    assert rate is not None
    for _ in range(3):
        pacer.wait_turn()
    # Three turns at the same instant: the first goes at once, the others wait their slot.
    assert time.slept == pytest.approx([1 / rate, 2 / rate])


def test_429s_of_one_burst_measure_nothing(pacer: Pacer, time: FakeTime) -> None:
    pacer.observe(429)
    time.now += 0.1
    pacer.observe(200)
    pacer.observe(429)
    assert pacer.rate is None
    assert pacer.limited == 2


def test_each_further_429_slows_down_and_quiet_time_speeds_up(pacer: Pacer, time: FakeTime) -> None:
    pacer.observe(429)
    serve(pacer, time, 40, 1.0)
    pacer.observe(429)
    learned = pacer.rate
    assert learned is not None
    serve(pacer, time, 200, 2.0)  # no 429 for two seconds
    assert pacer.rate == pytest.approx(learned * (1 + INCREASE) ** 2)
    pacer.observe(429)
    assert pacer.rate is not None and pacer.rate < learned


def test_the_transport_paces_and_observes_every_answer() -> None:
    answers = iter([429, 200, 429, 200])
    inner = httpx.MockTransport(lambda request: httpx.Response(next(answers)))
    transport = PacedTransport(inner)
    with httpx.Client(transport=transport) as client:
        statuses = [client.get("http://api.test/v1/jobs").status_code for _ in range(4)]
    assert statuses == [429, 200, 429, 200]
    assert transport.pacer.limited == 2
