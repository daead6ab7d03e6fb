"""Work shared between this process and forks of it, for inputs too big to send.

``shared_map(fn, n, workers)`` is ``[fn(i) for i in range(n)]``, where ``fn``
reads what it needs from objects this process already holds (the archive, its
pages): the ``workers - 1`` helpers are forks that inherit them, so nothing is
pickled on the way in. This process takes a share of the tasks as well: a fork
pays for each memory page it touches first (copy on write), so work done here
is the cheapest there is. Tasks are handed out one at a time from a shared
counter, so a slow process takes fewer. Results are in task order: the output
does not depend on the number of processes.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import traceback
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def shared_map(
    fn: Callable[[int], T],
    n: int,
    workers: int | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> list[T]:
    """``[fn(i) for i in range(n)]`` on this process and ``workers - 1`` forks of it
    (default: every core). ``fn`` must not change the state it shares.
    ``meanwhile`` runs here first, once the forks have started."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    helpers = min(workers, n) - 1
    if helpers < 1 or not can_fork():
        if meanwhile is not None:
            meanwhile()
        return [fn(i) for i in range(n)]
    ctx = multiprocessing.get_context("fork")
    counter = ctx.Value("l", 0)

    def take() -> int:
        with counter.get_lock():
            i = counter.value
            counter.value = i + 1
        return i

    def helper(conn) -> None:
        done: list[tuple[int, T]] = []
        try:
            while (i := take()) < n:
                done.append((i, fn(i)))
            conn.send(("ok", done))
        except BaseException:  # noqa: BLE001 - reported to the parent, which raises
            conn.send(("error", traceback.format_exc()))
        finally:
            conn.close()

    results: list = [None] * n
    gc.freeze()  # the forks share this process's objects: keep its collector off them
    procs, conns = [], []
    ok = False
    try:
        for _ in range(helpers):
            parent_end, child_end = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=helper, args=(child_end,), daemon=True)
            proc.start()
            child_end.close()
            procs.append(proc)
            conns.append(parent_end)
        if meanwhile is not None:
            meanwhile()
        while (i := take()) < n:
            results[i] = fn(i)
        for conn in conns:
            try:
                status, value = conn.recv()
            except EOFError:
                raise RuntimeError("a worker process died") from None
            if status != "ok":
                raise RuntimeError(f"a worker process failed:\n{value}")
            for i, result in value:
                results[i] = result
        ok = True
    finally:
        for proc in procs:
            if not ok:
                proc.kill()
            proc.join()
        for conn in conns:
            conn.close()
        gc.unfreeze()
    return results


class WarmWorker:
    """A fork that runs ``setup`` at once, then ``fn(job)`` for the jobs it is sent.

    For work whose setup is costly (a tokenizer to load) but which may turn
    out to be small: the setup runs on another core while this process does
    something else, and the jobs then cost only themselves. ``close`` kills
    the fork, whatever it is doing; a caller that ends with ``os._exit`` must
    close it first, or the fork outlives it.
    """

    def __init__(self, setup: Callable[[], None]) -> None:
        ctx = multiprocessing.get_context("fork")
        self._conn, child_end = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(setup, child_end, self._conn), daemon=True)
        self._proc.start()
        child_end.close()

    def map(self, fn: Callable[[object], T], jobs: list) -> list[T]:
        """``[fn(job) for job in jobs]`` on the fork (``fn``: a module-level function)."""
        self._conn.send((fn, jobs))
        try:
            status, value = self._conn.recv()
        except EOFError:
            raise RuntimeError("the warm worker process died") from None
        if status != "ok":
            raise RuntimeError(f"the warm worker process failed:\n{value}")
        return value

    def close(self) -> None:
        """End the fork now."""
        self._proc.kill()
        self._proc.join()
        self._conn.close()


def _serve(setup: Callable[[], None], conn, parent_end) -> None:
    parent_end.close()  # so that recv() ends when the parent's end is closed
    try:
        setup()
    except Exception:  # noqa: BLE001, S110 - the jobs then fail and report it themselves
        pass
    while True:
        try:
            fn, jobs = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", [fn(job) for job in jobs]))
        except BaseException:  # noqa: BLE001 - reported to the parent, which raises
            conn.send(("error", traceback.format_exc()))
