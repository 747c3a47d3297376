"""Throughput of simlab's exact logit thermodynamics vs NumPy and torch, in one run.

Counts (vocabulary entry x temperature) evaluations per second for ln Z, U, S and C at every
temperature, on logits shaped like a real language model's (V = 49152). Peers compute the
same quantities with vectorised float64 NumPy and torch (all threads). Then the roofs the
kernel stands against, per core (one thread): exponentials per second of a plain vectorised
exp loop over the same number of entries (simlab's branch-free exp, and numpy.exp), and
logits read per second by a plain ``numpy.sum`` over the same float32 array; simlab's
evaluations per second per core are given as a fraction of each. Run:

    python benchmarks/logit_thermo.py [--positions 128] [--temperatures 64] [--threads 2]
"""

import argparse
import os
import time

import numpy as np
from machine import header  # benchmarks/machine.py


def numpy_peer(logits, t):
    z = logits.astype(np.float64)
    out = []
    for tk in t:
        a = z / tk
        m = a.max(axis=1, keepdims=True)
        w = np.exp(a - m)
        zs = w.sum(axis=1, keepdims=True)
        p = w / zs
        mean = (p * z).sum(1, keepdims=True)
        var = (p * (z - mean) ** 2).sum(1)
        log_z = m[:, 0] + np.log(zs[:, 0])
        out.append((log_z, -mean[:, 0], log_z - mean[:, 0] / tk, var / tk**2))
    return out


def torch_peer(logits, t):
    import torch

    z = torch.from_numpy(logits).to(torch.float64)
    out = []
    for tk in t:
        lp = torch.log_softmax(z / tk, dim=1)
        p = lp.exp()
        mean = (p * z).sum(1, keepdim=True)
        var = (p * (z - mean) ** 2).sum(1)
        out.append((torch.logsumexp(z / tk, 1), -mean[:, 0], -(p * lp).sum(1), var / tk**2))
    return out


def best_time(func, repeats=3):
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--positions", type=int, default=128)
    parser.add_argument("--vocabulary", type=int, default=49152)
    parser.add_argument("--temperatures", type=int, default=64)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    header("torch")
    os.environ.setdefault("NUMBA_NUM_THREADS", str(args.threads))
    import numba

    from simlab.thermo import logit_thermodynamics

    numba.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    logits = (rng.normal(size=(args.positions, args.vocabulary)) * 5).astype(np.float32)
    t = np.geomspace(0.05, 20, args.temperatures)
    n_evals = args.positions * args.vocabulary * args.temperatures
    logit_thermodynamics(logits[:2], t[:2])  # compile
    rows = [("simlab (numba)", best_time(lambda: logit_thermodynamics(logits, t)))]
    rows.append(("numpy float64", best_time(lambda: numpy_peer(logits, t), repeats=1)))
    try:
        import torch

        torch.set_num_threads(args.threads)
        rows.append(("torch float64", best_time(lambda: torch_peer(logits, t), repeats=1)))
    except ImportError:
        pass
    print(f"{args.positions} positions x V = {args.vocabulary} x {args.temperatures} "
          f"temperatures, {args.threads} threads")
    base = rows[0][1]
    for name, seconds in rows:
        print(f"{name:>16}: {seconds:8.3f} s  {n_evals / seconds:10.3e} evaluations/s  "
              f"({seconds / base:5.1f}x simlab's time)")
    roofs(logits, t, n_evals)


def roofs(logits, t, n_evals):
    """Print simlab's per-core rate against a plain exp loop and a plain sum (one thread)."""
    import numba

    from simlab.kernels.vexp import exp_scaled
    from simlab.thermo import logit_thermodynamics

    numba.set_num_threads(1)
    one = best_time(lambda: logit_thermodynamics(logits, t))
    flat = -np.abs(logits.astype(np.float64).ravel())
    out, bits = np.empty_like(flat), np.empty(flat.size, dtype=np.int64)
    exp_scaled(flat[:8], 1.0, out[:8], bits[:8])
    vexp = best_time(lambda: exp_scaled(flat, 1.0, out, bits))
    npexp = best_time(lambda: np.exp(flat, out=out))
    read = best_time(lambda: logits.sum(dtype=np.float32))
    rate = n_evals / one
    print("roofs, one thread (per core):")
    print(f"  simlab:            {rate:10.3e} evaluations/s")
    for name, seconds in (("vectorised exp loop", vexp), ("numpy.exp", npexp),
                          ("numpy.sum (reads)", read)):
        roof = flat.size / seconds
        print(f"  {name:>19}: {roof:10.3e} /s; simlab at {rate / roof:6.1%} of it")


if __name__ == "__main__":
    main()
