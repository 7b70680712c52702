"""Drafting an import's batch on every core: this process and forked helper processes claim small shares of the
batch's reviews (helpers from the front, this process from the back) until none is left.

Almost all of an import's time goes into drafting (topics, then guard checks of the candidates) and one process
uses one core. The helpers are forked once per run, after the models are loaded, so they share the models' memory
and start in milliseconds; they receive the location's drafting setup (blocks, reply context, guard profile,
languages) as the run read it, by inheritance, and each batch's reviews through a pipe. They never touch the
database: the parent keeps its connection and its transaction, and stores what comes back.

A share is drafted exactly as drafts_for_reviews drafts it alone (the same candidates, the same guard, the same
verdicts). A helper that dies (killed, out of memory) costs no draft: its share is drafted here and the helpers are
not used again in this run. A helper whose parent dies exits.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

from responses.drafting.compose import Draft, ReviewInput
from responses.drafting.drafts import drafts_for_reviews
from responses.drafting.topics import detect_topics_many, detector

logger = logging.getLogger(__name__)

# Reviews in a share: a share is claimed in microseconds, and guard checks of 4 drafts cost about what 4 checks
# in a larger batch cost; small shares end every process's work at about the same moment.
SHARE = 4
# Batches smaller than this are drafted here.
MIN_SPREAD = 16
# A claim waits this long for the share counter's lock; longer means a helper died holding it.
CLAIM_TIMEOUT = 5.0

_setup: dict | None = None  # in a helper: the run's drafting_for() kwargs
_claims = None  # in a helper and its parent: the shared (next share from the front, end of the unclaimed shares)


class _Claims:
    """Shares of a batch handed out from both ends: helpers claim from the front, the parent from the back, each
    under a lock in shared memory, so that no process ever waits for another to hand it work."""

    def __init__(self):
        self.bounds = multiprocessing.get_context("fork").Array("i", 2)  # [front, back), with its own lock

    def reset(self, count: int) -> None:
        with self.bounds.get_lock():
            self.bounds[0], self.bounds[1] = 0, count

    def claim(self, *, from_back: bool) -> int | None:
        """A share's index, or None when every share is claimed. Raises TimeoutError when the lock is held by a
        process that died."""
        lock = self.bounds.get_lock()
        if not lock.acquire(timeout=CLAIM_TIMEOUT):
            raise TimeoutError("drafting share counter")
        try:
            front, back = self.bounds[0], self.bounds[1]
            if front >= back:
                return None
            if from_back:
                self.bounds[1] = back - 1
                return back - 1
            self.bounds[0] = front + 1
            return front
        finally:
            lock.release()


def _helper_start(setup: dict, claims: _Claims | None) -> None:
    global _setup, _claims
    _setup, _claims = setup, claims
    parent = multiprocessing.parent_process()
    if parent is not None:
        # Orphaned helpers would wait on their pipe for ever: leave with the parent (a SIGKILLed worker).
        threading.Thread(target=lambda: (parent.join(), os._exit(0)), daemon=True).start()


def _claimed(claims: _Claims, work: Callable[[int, int], list], shares: list[tuple[int, int]], *,
             from_back: bool) -> dict[int, list]:
    """Claim shares and do them until none is left: {share index: its results}."""
    done = {}
    while (index := claims.claim(from_back=from_back)) is not None:
        done[index] = work(*shares[index])
    return done


# The work on a batch, as (start, end) -> results, the same in this process and in a helper (by reference: these
# functions are what a helper is sent, with their batch).
def _drafts_of(reviews: list[ReviewInput], detected: list[list[str] | None],
               setup: dict) -> Callable[[int, int], list[Draft]]:
    return lambda start, end: drafts_for_reviews(reviews[start:end], detected_topics=detected[start:end], **setup)


def _topics_of(reviews: list[tuple[str, int | None]], setup: dict) -> Callable[[int, int], list[list[str]]]:
    return lambda start, end: detect_topics_many(reviews[start:end])


def _helper_claims(work_of: Callable[..., Callable[[int, int], list]], batch: tuple, shares) -> dict[int, list]:
    """In a helper: the batch's shares it claims from the front, done with the run's setup."""
    return _claimed(_claims, work_of(*batch, _setup), shares, from_back=False)


def _shares(count: int) -> list[tuple[int, int]]:
    """(start, end) of the shares of `count` items."""
    return [(start, min(start + SHARE, count)) for start in range(0, count, SHARE)]


@contextmanager
def _children_allowed() -> Iterator[None]:
    """Let this process fork helpers even when it is a Celery worker's pool process. Those are daemonic, and
    multiprocessing refuses children to a daemonic process (its parent would terminate it without a chance to
    stop them); a helper here leaves by itself when its parent dies (_helper_start), so the refusal is lifted
    while the helpers are forked, and put back."""
    config = multiprocessing.current_process()._config
    daemonic = config.get("daemon")
    config["daemon"] = False
    try:
        yield
    finally:
        if daemonic is None:
            config.pop("daemon", None)
        else:
            config["daemon"] = daemonic


class DraftingSpread:
    """One import run's drafting over `processes` processes (this one included) for one location. `setup` gives
    drafting_for's kwargs, read once, when the run first drafts (a run that finds nothing new reads nothing; a
    ValueError, no usable guard profile, reaches the caller as drafting_for's would). Use as a context manager;
    with processes=1, or when the helpers cannot start, it drafts everything here."""

    def __init__(self, *, setup: Callable[[], dict], processes: int):
        self._read_setup = setup
        self._setup: dict | None = None
        self.processes = max(1, processes)
        self._executor: ProcessPoolExecutor | None = None
        self.claims: _Claims | None = None
        self._failed = False

    def __enter__(self) -> DraftingSpread:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    @property
    def setup(self) -> dict:
        if self._setup is None:
            self._setup = self._read_setup()
        return self._setup

    def drafts(self, reviews: Sequence[ReviewInput], detected_topics: Sequence[list[str] | None]) -> list[Draft]:
        """drafts_for_reviews(reviews, detected_topics=..., **setup), shared out."""
        setup = self.setup  # a setup that cannot be read fails here, before anything is handed out
        return self._spread(_drafts_of, (list(reviews), list(detected_topics)), len(reviews), setup)

    def topics(self, reviews: Sequence[tuple[str, int | None]]) -> list[list[str]]:
        """detect_topics_many(reviews), shared out. Raises TopicModelUnavailable."""
        return self._spread(_topics_of, (list(reviews),), len(reviews), {})

    def _spread(self, work_of: Callable[..., Callable[[int, int], list]], batch: tuple, count: int,
                setup: dict) -> list:
        """work_of(*batch, setup)(start, end) for every share of the batch's `count` items, in order, the shares
        claimed by this process and its helpers as each becomes free."""
        here = work_of(*batch, setup)
        executor = self._helpers() if count >= MIN_SPREAD else None
        if executor is None:
            return here(0, count)
        shares = _shares(count)
        self.claims.reset(len(shares))
        done: dict[int, list] = {}
        sent = []
        try:
            sent = [executor.submit(_helper_claims, work_of, batch, shares) for _ in range(self.processes - 1)]
            done.update(_claimed(self.claims, here, shares, from_back=True))
            for future in sent:
                done.update(future.result())
        except (BrokenProcessPool, TimeoutError):
            # A helper died (before or during this batch): what it claimed is drafted here, and the rest of the
            # run stays in this process.
            self._helper_died()
        finally:
            wait(sent)  # no helper is still at this batch when the next one is handed out
        return [result for index, bounds in enumerate(shares)
                for result in (done[index] if index in done else here(*bounds))]

    def _helper_died(self) -> None:
        logger.warning("a drafting helper process died; drafting in one process for the rest of this run")
        self._failed = True
        self.close()

    def _helpers(self) -> ProcessPoolExecutor | None:
        if self._failed or self.processes < 2:
            return None
        if self._executor is None:
            try:
                # Loaded before the fork, the models are shared with the helpers instead of loaded by each.
                detector()
                from phi_guard.service import guard_load

                guard_load()
                try:
                    setup = self.setup
                except ValueError:
                    setup = {}  # helpers for topics only: drafting reports the setup's error itself
                self.claims = _Claims()
                self._executor = ProcessPoolExecutor(
                    max_workers=self.processes - 1, mp_context=multiprocessing.get_context("fork"),
                    initializer=_helper_start, initargs=(setup, self.claims),
                )
                with _children_allowed():
                    self._executor.submit(os.getpid).result()  # forks the helpers now, and sees them answer
            except Exception as exc:  # a model that cannot load fails in this process's own drafting instead
                logger.warning("drafting helper processes not started (%s); drafting in one process",
                               type(exc).__name__)
                self._failed = True
                return None
        return self._executor

