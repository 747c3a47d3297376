"""Hajek's threshold: logarithmic cooling reaches the global minimum iff c >= d*.

On the landscape A - B - C (A a local minimum of depth d*, C the global minimum) walkers
start in A and are cooled with T_k = c / ln(k + k0) for several c / d*. The probability of
being in C after k steps is computed exactly (time-inhomogeneous chain) up to
``hajek.exact_steps`` and by Monte Carlo (``hajek.reads`` walkers) up to ``hajek.mc_steps``.
"""

import time

import numpy as np
import xarray as xr

from simlab import plots, schedules
from simlab.exact.markov import landscape_annealing
from simlab.metrics import wilson_interval
from simlab.models.landscape import hajek_landscape
from simlab.samplers.annealing import anneal_landscape
from simlab.tasks._output import publish

META = {
    "c_ratio": ("c / d*, the logarithmic schedule's constant over the depth", "1"),
    "step": ("number of Metropolis steps", "1"),
    "mc_step": ("number of Metropolis steps (Monte Carlo records)", "1"),
    "p_global_exact": ("exact probability of being in the global minimum", "1"),
    "p_global_mc": ("Monte Carlo fraction of walkers in the global minimum", "1"),
    "p_global_mc_lo": ("lower end of the 95% Wilson interval", "1"),
    "p_global_mc_hi": ("upper end of the 95% Wilson interval", "1"),
    "p_global_mc_z": ("(Monte Carlo - exact) / binomial standard error", "1"),
}


def log_steps(last, per_decade=12):
    """0, ``per_decade`` integer steps per decade (the powers of ten among them), and ``last``."""
    exponents = np.arange(int(np.floor(per_decade * np.log10(last))) + 1) / per_decade
    grid = np.round(10.0**exponents).astype(np.int64)
    return np.unique(np.concatenate([[0], grid, [last]]))


def warm_up(cfg):
    """Compile the landscape kernels on a few steps."""
    land = hajek_landscape(1.0)
    anneal_landscape(land, schedules.logarithmic(1.0, 2), 1, [0, 2])
    landscape_annealing(land, schedules.logarithmic(1.0, 2), [0, 2])


def run(cfg, output_dir):
    """Exact and Monte Carlo P(global minimum) vs step for each c / d*."""
    start = time.perf_counter()
    h = cfg.hajek
    land = hajek_landscape(h.depth, h.base)
    a, c_state = 0, 2  # start in A; C is the global minimum
    exact_steps = log_steps(h.exact_steps)
    mc_steps = exact_steps[exact_steps <= h.mc_steps]
    ratios = np.array(list(h.c_ratios), dtype=np.float64)
    p_exact, p_mc, lo, hi, z = [], [], [], [], []
    for ratio in ratios:
        c = ratio * h.depth
        exact = landscape_annealing(land, schedules.logarithmic(c, h.exact_steps, h.k0),
                                    exact_steps, h.algorithm, start=a)[:, c_state]
        walkers = anneal_landscape(land, schedules.logarithmic(c, h.mc_steps, h.k0), h.reads,
                                   mc_steps, seed=cfg.seed, algorithm=h.algorithm, start=a)
        k = (walkers == c_state).sum(axis=0)
        interval = wilson_interval(k, h.reads)
        exact_at_mc = exact[np.isin(exact_steps, mc_steps)]
        sigma = np.sqrt(np.maximum(exact_at_mc * (1 - exact_at_mc), 1e-300) / h.reads)
        p_exact.append(exact)
        p_mc.append(k / h.reads)
        lo.append(interval[0])
        hi.append(interval[1])
        z.append(np.where(exact_at_mc * (1 - exact_at_mc) > 0, (k / h.reads - exact_at_mc) / sigma, 0.0))
    ds = xr.Dataset(
        {"p_global_exact": (("c_ratio", "step"), np.array(p_exact)),
         "p_global_mc": (("c_ratio", "mc_step"), np.array(p_mc)),
         "p_global_mc_lo": (("c_ratio", "mc_step"), np.array(lo)),
         "p_global_mc_hi": (("c_ratio", "mc_step"), np.array(hi)),
         "p_global_mc_z": (("c_ratio", "mc_step"), np.array(z))},
        coords={"c_ratio": ratios, "step": exact_steps, "mc_step": mc_steps})
    return publish(ds, cfg, start, output_dir,
                   f"Hajek's threshold on A-B-C (d* = {h.depth:g}), T_k = c / ln(k + {h.k0:g})",
                   META, [(plots.hajek_threshold, "hajek_threshold.png")], summary,
                   depth=h.depth, reads=h.reads, algorithm=h.algorithm)


def summary(ds):
    """Failure probability 1 - P(C) per decade, and the Monte Carlo agreement."""
    decades = [s for s in (10**3, 10**4, 10**5, 10**6, 10**7) if s <= ds["step"].max()]
    head = f"{'c/d*':>6}" + "".join(f"{'1-P(C), k=1e' + str(int(np.log10(s))):>16}" for s in decades)
    lines = [head + f"{'max|z| MC':>11}"]
    for r in ds["c_ratio"].values:
        d = ds.sel(c_ratio=r)
        fail = [1 - float(d["p_global_exact"].sel(step=s)) for s in decades]
        lines.append(f"{r:>6.2f}" + "".join(f"{f:>16.4e}" for f in fail)
                     + f"{float(np.abs(d['p_global_mc_z']).max()):>10.2f}σ")
    return "\n".join(lines)
