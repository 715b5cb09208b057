"""Run independent pieces of work in forked worker processes, results in completion order.

WeasyPrint takes most of a second to import. The parent imports it once, before forking,
so every worker starts warm; spawned workers would each pay the import again.

Everything alive when the work starts (content, templates, modules) is frozen out of the
garbage collector's sight: laying out a document makes millions of short-lived objects,
and each of the collector's full passes would otherwise walk all of that too (a layout
took about 25% longer beside the loaded content). Forked workers then also share those
pages with the parent instead of copying them as the collector touches them.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from functools import partial

_shared: tuple = ()
_function: Callable | None = None


def default_jobs() -> int:
    """Return the number of CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def run(function: Callable, items: list, shared: tuple, jobs: int | None,
        start: Callable | None = None, prepare: Callable | None = None,
        typesets: bool = True, install: Callable = lambda prepared: None) -> Iterator:
    """Yield function(shared, item) for every item, using up to jobs processes.

    ``start`` runs once in each process that does work, before its first item (to start
    helpers that cannot cross a fork, such as the citation worker). ``prepare`` makes what
    all the work shares, and ``install(what it made)`` keeps it in this process before any
    work: workers inherit it. ``typesets`` says whether the work lays documents out, so
    WeasyPrint is imported ahead; when the work stays in this process, ``prepare`` then
    runs in a forked process of its own (its value must pickle) while WeasyPrint imports.
    """
    jobs = min(jobs or default_jobs(), len(items))
    if in_this_process(jobs, len(items)):
        if start and items:
            start()  # first: what it begins (node building its engine) runs beside the rest
        if prepare and typesets and items:
            prepared = Beside(prepare)
            try:
                warm_up()
                install(prepared.result())
            finally:
                prepared.cancel()
        elif prepare:
            install(prepare())
        with _frozen():
            yield from (function(shared, item) for item in items)
        return
    if prepare:
        install(prepare())
    if typesets:
        warm_up()
    global _shared, _function
    _shared, _function = shared, function
    import multiprocessing  # here: the light commands that fork a Beside never need it

    context = multiprocessing.get_context("fork")
    begin = partial(_start_worker, os.getpid(), start)
    # Leaving the block (the work done, an error, or SIGTERM's exit in this process)
    # terminates the workers and waits for them: none publishes after the manifest.
    with _frozen(collect=True), context.Pool(jobs, initializer=begin) as pool:
        yield from pool.imap_unordered(_call, items)


def in_this_process(jobs: int | None, count: int) -> bool:
    """Return whether run() does count items of work in this process, forking no workers."""
    return (min(jobs or default_jobs(), count) <= 1
            or not _can_fork())


@contextlib.contextmanager
def _frozen(collect: bool = False):
    """Keep what is alive now out of the collector's passes while the work runs; with
    ``collect``, free the garbage first (before forking workers, which would each carry
    it: about 16 MB a worker on the default build). Work done here skips that collection,
    some 40 ms of a one-document build."""
    if collect:
        gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _can_fork() -> bool:
    return hasattr(os, "fork")


def _start_worker(parent: int, start: Callable | None) -> None:
    """In a new worker: die with the parent, leave stopping to it, then run start."""
    die_with_parent(parent)
    # The parent's handlers came with the fork: SIGTERM is the parent's way to stop a
    # worker (at once), and Ctrl-C is the parent's to handle (it stops the workers).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if start:
        start()


def die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent dies, however it dies (Linux's
    PR_SET_PDEATHSIG); leave at once if the parent is already gone."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):  # no prctl to be had: the parent's terminate stays
            pass
    if os.getppid() != parent:
        os._exit(1)


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _call(item):
    return _function(_shared, item)


def warm_up() -> None:
    """Import WeasyPrint (most of a second), ahead of the work or before forking workers:
    every worker then shares it."""
    import weasyprint  # noqa: F401



class Beside:
    """A function started in a forked process, so it runs beside what this process does
    next; ``result()`` waits for its value, ``cancel()`` stops it.

    Where forking is not safe (other threads running) or possible, or the child fails in
    any way, the function runs in this process when its result is asked for, so its
    errors surface as they would have without the child.
    """

    def __init__(self, function: Callable[[], object]):
        self.function, self.pid, self.read = function, None, None
        if threading.active_count() > 1 or not _can_fork():
            return
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no process to be had: run it here when asked
            os.close(read)
            os.close(write)
            return
        if pid == 0:
            _answer(function, read, write)
        os.close(write)
        self.pid, self.read = pid, read

    def result(self):
        if self.pid is None:
            return self.function()
        with os.fdopen(self.read, "rb") as stream:
            data = stream.read()
        os.waitpid(self.pid, 0)
        self.pid = None
        return pickle.loads(data) if data else self.function()

    def cancel(self) -> None:
        """Stop the child, if it still runs (after result(), nothing is left to stop)."""
        if self.pid is not None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            os.close(self.read)
            self.pid = None


def _answer(function: Callable[[], object], read: int, write: int) -> None:
    """In the forked child: send function's pickled value (nothing, if it failed) and
    leave at once, whatever happens: no exit handlers, never back into the caller."""
    try:
        os.close(read)
        try:
            data = pickle.dumps(function())
        except BaseException:  # noqa: BLE001 (the parent runs it again and sees the error)
            data = b""
        with os.fdopen(write, "wb") as stream:
            stream.write(data)
    finally:
        os._exit(0)
