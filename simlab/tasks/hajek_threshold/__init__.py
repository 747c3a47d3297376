"""Hajek's threshold: logarithmic cooling reaches the global minimum iff c >= d*.

On the landscape A - B - C (A a local minimum of depth d*, C the global minimum) walkers
start in A and are cooled with T_k = c / ln(k + k0) for several c / d*. The probability of
being in C after k steps is computed exactly (time-inhomogeneous chain) up to
``hajek.exact_steps`` and by Monte Carlo (``hajek.reads`` walkers) up to ``hajek.mc_steps``.
"""

from dataclasses import dataclass
from typing import List

import numpy as np
import xarray as xr

from simlab import results, schedules
from simlab.errors import ConfigError
from simlab.exact.markov import landscape_annealing
from simlab.metrics import wilson_interval
from simlab.models.landscape import hajek_landscape
from simlab.rules import ALGORITHMS
from simlab.samplers.landscape import anneal_landscape
from simlab.samplers.progress import progress_bar
from simlab.schema import section, setting
from simlab.tasks import Figure, Task, register
from simlab.tasks.hajek_threshold import figures


@dataclass
class HajekSettings:
    """The landscape, the schedules and the walkers."""

    depth: float = setting(1.0, above=0.0, doc="depth d* of the local minimum A")
    base: float = setting(1.0, above=0.0, doc="energy of C below A")
    c_ratios: List[float] = setting(factory=lambda: [0.5, 0.8, 1.0, 1.5, 2.0], above=0.0,
                                    doc="c / d* of each logarithmic schedule")
    k0: float = setting(2.0, above=1.0, doc="offset of ln(k + k0)")
    exact_steps: int = setting(10_000_000, minimum=1, doc="steps of the exact chain")
    mc_steps: int = setting(100_000, minimum=1, doc="steps of the Monte Carlo walkers")
    reads: int = setting(4000, minimum=1, doc="Monte Carlo walkers")
    algorithm: str = setting("metropolis", choices=ALGORITHMS, doc="acceptance rule")

    def check(self, key):
        if self.exact_steps < self.mc_steps:
            raise ConfigError(f"{key}.exact_steps", self.exact_steps,
                              f"an integer >= {key}.mc_steps ({self.mc_steps})")


@dataclass
class HajekConfig:
    """Sections of the hajek_threshold task."""

    hajek: HajekSettings = section(HajekSettings)


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


def run(params, ctx):
    """Exact and Monte Carlo P(global minimum) vs step for each c / d*."""
    h = params.hajek
    land = hajek_landscape(h.depth, h.base)
    a, c_state = 0, 2  # start in A; C is the global minimum
    exact_steps = log_steps(h.exact_steps)
    mc_steps = exact_steps[exact_steps <= h.mc_steps]
    ratios = np.array(list(h.c_ratios), dtype=np.float64)
    p_exact, p_mc, lo, hi, z = [], [], [], [], []
    with progress_bar(ratios.size, "exact chain and walkers per c", ctx.progress,
                      unit="c") as bar:
        for ratio in ratios:
            c = ratio * h.depth
            exact = landscape_annealing(land, schedules.logarithmic(c, h.exact_steps, h.k0),
                                        exact_steps, h.algorithm, start=a)[:, c_state]
            walk = anneal_landscape(land, schedules.logarithmic(c, h.mc_steps, h.k0), h.reads,
                                    mc_steps, seed=ctx.seed, algorithm=h.algorithm, start=a)
            k = (walk.states == c_state).sum(axis=0)
            interval = wilson_interval(k, h.reads)
            exact_at_mc = exact[np.isin(exact_steps, mc_steps)]
            sigma = np.sqrt(np.maximum(exact_at_mc * (1 - exact_at_mc), 1e-300) / h.reads)
            p_exact.append(exact)
            p_mc.append(k / h.reads)
            lo.append(interval[0])
            hi.append(interval[1])
            z.append(np.where(exact_at_mc * (1 - exact_at_mc) > 0,
                              (k / h.reads - exact_at_mc) / sigma, 0.0))
            bar.update()
    ds = xr.Dataset(
        {"p_global_exact": (("c_ratio", "step"), np.array(p_exact)),
         "p_global_mc": (("c_ratio", "mc_step"), np.array(p_mc)),
         "p_global_mc_lo": (("c_ratio", "mc_step"), np.array(lo)),
         "p_global_mc_hi": (("c_ratio", "mc_step"), np.array(hi)),
         "p_global_mc_z": (("c_ratio", "mc_step"), np.array(z))},
        coords={"c_ratio": ratios, "step": exact_steps, "mc_step": mc_steps})
    ds.attrs.update(title=f"Hajek's threshold on A-B-C (d* = {h.depth:g}), "
                          f"T_k = c / ln(k + {h.k0:g})", algorithm=h.algorithm)
    return results.annotate(ds, META)


def warm_up(params):
    """Compile the landscape kernels on a few steps."""
    land = hajek_landscape(1.0)
    anneal_landscape(land, schedules.logarithmic(1.0, 2), 1, [0, 2])
    landscape_annealing(land, schedules.logarithmic(1.0, 2), [0, 2])


TASK = register(Task(
    name="hajek_threshold",
    description="logarithmic cooling reaches the global minimum iff c >= d* (exact and MC)",
    config=HajekConfig, run=run, warm_up=warm_up,
    figures=(Figure("hajek_threshold.png", figures.hajek_threshold),),
    report=figures.summary))
