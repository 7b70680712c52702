"""The soak's memory verdict (make soak): flat after the warm-up passes; growth, a steady climb or a replaced
worker fails. Synthetic samples: the soak itself is a command that prints numbers, not a test."""
from __future__ import annotations

from responses.load.soak import MIB, ProcessMemory, memory_verdicts

RUN, EVERY, WARMUP = 1800, 10, 300


def worker(pid, rss_mib_at, *, start=0, end=RUN):
    return ProcessMemory(pid, "worker", [(t, int(rss_mib_at(t) * MIB)) for t in range(start, end + 1, EVERY)])


def verdicts(*processes):
    return memory_verdicts(list(processes), warmup_seconds=WARMUP, end_seconds=RUN, sample_seconds=EVERY)


def test_memory_that_grows_only_during_the_warm_up_is_flat():
    (verdict,) = verdicts(worker(11, lambda t: 300 + min(t, 200) / 4 + (t % 30) / 10))

    assert verdict.flat
    assert (round(verdict.start_mib), round(verdict.max_mib)) == (300, 352)


def test_it_fails_a_worker_that_keeps_growing_after_the_warm_up():
    (verdict,) = verdicts(worker(11, lambda t: 300 + t / 60))  # 1 MiB a minute

    assert not verdict.flat
    assert "grew 25.0 MiB after the warm-up" in verdict.problem
    assert round(verdict.slope_mib_per_hour) == 60


def test_it_fails_a_slow_steady_climb_under_the_growth_limit():
    (verdict,) = verdicts(worker(11, lambda t: 300 + t / 200))  # 7.5 MiB over the measured 25 minutes

    assert "rising 18.0 MiB/hour" in verdict.problem


def test_it_fails_when_gunicorn_replaced_a_worker_during_the_run():
    died = worker(11, lambda t: 300, end=900)
    replacement = worker(12, lambda t: 300, start=910)

    assert [v.problem for v in verdicts(died, replacement)] == [
        "started or ended during the run (gunicorn replaced a worker)"] * 2
