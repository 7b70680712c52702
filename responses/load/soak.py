"""The soak's memory check: the RSS of gunicorn's master and of each worker, sampled while the load runs, and
whether it stayed flat.

Flat means: after the warm-up (the first minutes fill caches, load the guard's models and grow Python's heaps
to their working size), no process grows by more than GROWTH_LIMIT_MIB from its RSS at the end of the warm-up
to its RSS at the end, and the least-squares slope of its samples after the warm-up is under
SLOPE_LIMIT_MIB_PER_HOUR. A worker that disappears or appears during the run (gunicorn replaced a crashed or
timed-out worker) fails the soak too: its memory would otherwise escape the check.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field

GROWTH_LIMIT_MIB = 16.0
SLOPE_LIMIT_MIB_PER_HOUR = 16.0
MIB = 1024 * 1024


@dataclass
class ProcessMemory:
    """One gunicorn process's RSS over the run: (seconds since the load started, bytes)."""

    pid: int
    role: str  # "master" or "worker"
    samples: list[tuple[float, int]] = field(default_factory=list)


@dataclass(frozen=True)
class MemoryVerdict:
    pid: int
    role: str
    start_mib: float
    warm_mib: float  # at the end of the warm-up
    end_mib: float
    max_mib: float
    growth_mib: float  # end - warm
    slope_mib_per_hour: float  # after the warm-up
    problem: str  # empty when flat

    @property
    def flat(self) -> bool:
        return not self.problem


def gunicorn_memory_sample(master, into: dict[int, ProcessMemory], *, at: float) -> None:
    """Add one RSS sample of the master (a psutil.Process) and each of its workers to `into`."""
    import psutil

    for role, process in [("master", master), *(("worker", child) for child in master.children())]:
        try:
            rss = process.memory_info().rss
        except psutil.NoSuchProcess:
            continue  # a worker gunicorn is replacing
        into.setdefault(process.pid, ProcessMemory(process.pid, role)).samples.append((at, rss))


def memory_verdicts(processes: list[ProcessMemory], *, warmup_seconds: float, end_seconds: float,
                    sample_seconds: float) -> list[MemoryVerdict]:
    """Each process's numbers and what, if anything, was not flat about them."""
    verdicts = []
    for memory in sorted(processes, key=lambda process: (process.role != "master", process.pid)):
        times = [at for at, _rss in memory.samples]
        sizes = [rss / MIB for _at, rss in memory.samples]
        after = [(at, size) for at, size in zip(times, sizes) if at >= warmup_seconds]
        problem = ""
        if times[0] > 2 * sample_seconds or times[-1] < end_seconds - 2 * sample_seconds:
            problem = "started or ended during the run (gunicorn replaced a worker)"
        if len(after) >= 2:
            slope = statistics.linear_regression([at for at, _ in after], [size for _, size in after]).slope * 3600
            warm, end = after[0][1], after[-1][1]
        else:
            slope, warm, end = 0.0, sizes[-1], sizes[-1]
            problem = problem or "too few samples after the warm-up"
        if not problem and end - warm > GROWTH_LIMIT_MIB:
            problem = f"grew {end - warm:.1f} MiB after the warm-up (limit {GROWTH_LIMIT_MIB:g})"
        if not problem and slope > SLOPE_LIMIT_MIB_PER_HOUR:
            problem = f"rising {slope:.1f} MiB/hour after the warm-up (limit {SLOPE_LIMIT_MIB_PER_HOUR:g})"
        verdicts.append(MemoryVerdict(
            pid=memory.pid, role=memory.role, start_mib=sizes[0], warm_mib=warm, end_mib=end, max_mib=max(sizes),
            growth_mib=end - warm, slope_mib_per_hour=slope, problem=problem,
        ))
    return verdicts
