"""SIGINT and SIGTERM stop a run politely: as an exception, so that what finished is kept.

The command's process (:func:`install`) and every job while it runs (:func:`job`) turn both
signals into :class:`~simlab.errors.Interrupted`, raised in the main thread; the job
records it (``status.json`` says ``interrupted``, or ``complete`` if its results were saved)
and the command prints one line. A scheduler's SIGTERM (SLURM's ``scancel``, preemption) is
handled like Ctrl-C. Numba kernels return to Python between blocks of sweeps, where the
exception is raised. The first signal raises; a second one (``timeout`` sends one to the
process and one to its group) is ignored while the run records what it kept; a third ends
the process at once.

Worker processes of the ``local`` launcher (:func:`worker_started`) ignore SIGINT between
jobs, so that Ctrl-C in a terminal, which reaches every process of the job, is handled by the
command alone: it stops the workers and marks their jobs.
"""

import contextlib
import os
import signal
import sys
import threading

from simlab.errors import Interrupted

_received = []
_deferring = []
SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _handler(signum, frame):
    _received.append(signum)
    if len(_received) == 1:
        if _deferring:
            return  # raised where the deferred section ends (see deferred)
        raise Interrupted(signum)
    if len(_received) >= 3:
        print("simlab: interrupted again; exiting without cleaning up", file=sys.stderr,
              flush=True)
        os._exit(128 + signum)


def _unraisable(info):
    """``sys.unraisablehook``: an interruption raised where Python cannot let it propagate
    (a weakref's callback or a ``__del__`` run by the garbage collector) is not printed as
    "Exception ignored"; the signal is sent again 10 ms later, from another thread, so that
    it reaches the main flow of the run."""
    if not isinstance(info.exc_value, Interrupted):
        _previous_unraisable(info)
        return
    if _received:
        _received.pop()  # this one did not get through: the next is the first again
    timer = threading.Timer(0.01, os.kill, (os.getpid(), info.exc_value.signum))
    timer.daemon = True
    timer.start()


_previous_unraisable = sys.__unraisablehook__


def _route_unraisable():
    global _previous_unraisable
    if sys.unraisablehook is not _unraisable:
        _previous_unraisable = sys.unraisablehook
        sys.unraisablehook = _unraisable


def _main_thread():
    return threading.current_thread() is threading.main_thread()


def install():
    """Route SIGINT and SIGTERM of the command's process to the handler (idempotent). A
    SIGINT that the process was started ignoring stays ignored: a shell starts background
    jobs that way, so that Ctrl-C spares them."""
    if not _main_thread():
        return
    _route_unraisable()
    for signum in SIGNALS:
        current = signal.getsignal(signum)
        if current is not _handler and not (signum == signal.SIGINT
                                             and current == signal.SIG_IGN):
            signal.signal(signum, _handler)


@contextlib.contextmanager
def job():
    """While a job runs, both signals raise :class:`Interrupted` in its process (a launcher's
    worker included); afterwards the process's own handlers are back."""
    if not _main_thread():  # only the main thread may set handlers
        yield
        return
    _route_unraisable()
    previous = {signum: signal.signal(signum, _handler) for signum in SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


@contextlib.contextmanager
def deferred():
    """Inside, a first signal is recorded and raised as :class:`Interrupted` only when the
    section ends: for code that an exception in its middle would leave half-built (Hydra's
    config store, whose OmegaConf nodes then fail with an unrelated error)."""
    before = len(_received)
    _deferring.append(True)
    try:
        yield
    finally:
        _deferring.pop()
    if len(_received) > before and not _deferring:
        raise Interrupted(_received[before])


def worker_started():
    """Initializer of the ``local`` launcher's worker processes: between jobs, SIGINT is
    the command's to handle (ignored here) and SIGTERM ends the idle worker quietly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def as_interrupted(exc):
    """``exc`` as an :class:`Interrupted` (a plain KeyboardInterrupt is Ctrl-C's SIGINT)."""
    return exc if isinstance(exc, Interrupted) else Interrupted(signal.SIGINT)
