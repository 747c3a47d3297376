"""Progress bars for kernels that do all their work in one call.

An annealing kernel runs every read through its whole schedule without returning (and the
encoder kernel every learning run until it is solved), so the bar cannot be advanced between
calls as the Monte Carlo samplers do (:mod:`simlab.samplers.mcmc`). Instead the kernel writes,
for each unit it runs in parallel (a read, a block of reads, a run), how far that unit has got
into a small integer array; it releases the GIL, and a thread of the caller reads that array a
few times a second and moves the bar. The kernel only writes the array, so the results do not
depend on whether a bar is shown.
"""

import threading
from contextlib import contextmanager

import numpy as np
from tqdm.auto import tqdm

#: seconds between two readings of the kernel's counters
POLL_SECONDS = 0.25


@contextmanager
def progress_bar(total, description, progress, unit="sweep"):
    """Yield a tqdm bar over ``total`` steps, closed on exit (disabled, drawing nothing and
    starting no thread, when ``progress`` is false).

    Annealing's bars count the schedule's sweeps that the reads have finished on average, so
    they read "1.2k/5k sweep" whatever the number of reads.
    """
    bar = tqdm(total=int(total), desc=description, unit=unit, unit_scale=total >= 10_000,
               leave=False, dynamic_ncols=True, disable=not progress)
    try:
        yield bar
    finally:
        bar.close()


@contextmanager
def kernel_progress(bar, n_units, per_step):
    """Yield the int64[n_units] counters a kernel fills; while it runs, move ``bar``.

    Parameters
    ----------
    bar : tqdm or None
        The bar to advance (None or a disabled bar: no thread, the counters are only
        written).
    n_units : int
        Entries of the counter array (one per parallel unit of the kernel).
    per_step : int
        What the counters sum to per step of the bar: when every read has finished one sweep,
        the number of reads (or of multi-spin words); per finished learning run, its cycles.
    """
    done = np.zeros(max(1, int(n_units)), dtype=np.int64)
    if bar is None or getattr(bar, "disable", False):
        yield done
        return
    start = bar.n
    stop = threading.Event()

    def show():
        finished = start + int(done.sum()) // per_step
        if finished > bar.n:
            bar.update(finished - bar.n)

    def poll():
        while not stop.wait(POLL_SECONDS):
            show()

    thread = threading.Thread(target=poll, name="simlab-progress", daemon=True)
    thread.start()
    try:
        yield done
    finally:
        stop.set()
        thread.join()
        show()


__all__ = ["kernel_progress", "progress_bar"]
