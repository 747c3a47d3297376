"""Encoder problems learned by a Boltzmann machine (Ackley, Hinton & Sejnowski 1985).

For each configured encoder (n_in, n_hidden, runs, max_cycles), ``runs`` independent machines
learn with the 1985 procedure (noisy clamping 0.15/0.05; anneal 2 sweeps at T = 20, 2 at 15,
2 at 12, 4 at 10; co-occurrences over 10 sweeps at T = 10; weight step +-2) until they solve
the task, checked exactly after every learning cycle.
"""

from dataclasses import dataclass
from typing import List

import numpy as np
import xarray as xr

from simlab import results
from simlab.errors import ConfigError
from simlab.metrics import wilson_interval
from simlab.samplers.boltzmann import ENCODER_RULES, ENCODER_STATISTICS, learn_encoder
from simlab.schema import section, setting
from simlab.tasks import Figure, Task, register
from simlab.tasks.bm_encoder import figures


@dataclass
class EncoderSettings:
    """The encoders and the learning procedure."""

    encoders: List[List[int]] = setting(
        factory=lambda: [[4, 2, 250, 5000], [4, 3, 100, 5000], [8, 3, 20, 5000]],
        doc="[n_in, n_hidden, runs, max_cycles] per encoder")
    step: float = setting(2.0, above=0.0, doc="weight change per learning cycle")
    stat_sweeps: int = setting(10, minimum=1, doc="sweeps counted for the co-occurrences")
    statistics: str = setting("sampled", choices=ENCODER_STATISTICS,
                              doc="co-occurrences sampled (1985) or exact by enumeration")
    rule: str = setting("sign", choices=ENCODER_RULES,
                        doc="+-step by sign (1985) or step x difference (gradient)")
    initial_spread: float = setting(0.0, minimum=0.0,
                                    doc="weights start uniform in [-spread, spread]")

    def check(self, key):
        if self.statistics == "exact" and self.initial_spread == 0:
            raise ConfigError(f"{key}.initial_spread", self.initial_spread,
                              "a number > 0 with statistics=exact (equal hidden units stay "
                              "equal)")
        if not self.encoders:
            raise ConfigError(f"{key}.encoders", self.encoders, "at least one encoder")
        bounds = (("n_in", 2, 16), ("n_hidden", 1, 8), ("runs", 1, None),
                  ("max_cycles", 1, None))
        for k, item in enumerate(self.encoders):
            if len(item) != 4:
                raise ConfigError(f"{key}.encoders[{k}]", list(item),
                                  "[n_in, n_hidden, runs, max_cycles]")
            for value, (name, lo, hi) in zip(item, bounds):
                if value < lo or (hi is not None and value > hi):
                    raise ConfigError(f"{key}.encoders[{k}] {name}", value,
                                      f"an integer from {lo}" + (f" to {hi}" if hi else " up"))
            if self.statistics != "sampled" and item[0] > 10:
                raise ConfigError(f"{key}.encoders[{k}] n_in", item[0],
                                  f"at most 10 with statistics={self.statistics}")


@dataclass
class EncoderConfig:
    """Sections of the bm_encoder task."""

    encoder: EncoderSettings = section(EncoderSettings)


META = {
    "encoder": ("encoder n_in-n_hidden-n_in", "1"),
    "cycles": ("learning cycles until solved (-1: not within max_cycles; -2: no such run)",
               "cycles"),
    "distinct_codes": ("patterns with a unique, unshared hidden code (final machine)", "1"),
    "solved_fraction": ("fraction of runs that solved the task", "1"),
    "solved_fraction_lo": ("lower end of the 95% Wilson interval", "1"),
    "solved_fraction_hi": ("upper end of the 95% Wilson interval", "1"),
    "all_codes_fraction": ("fraction of runs whose final machine has all codes distinct", "1"),
    "median_cycles": ("median learning cycles of the solved runs", "cycles"),
    "max_cycles_solved": ("largest learning cycles of a solved run", "cycles"),
    "max_cycles": ("cycle budget per run", "cycles"),
    "runs": ("runs of the encoder", "1"),
}


def run(params, ctx):
    """Learn every configured encoder."""
    e = params.encoder
    names, rows = [], []
    max_runs = max(int(item[2]) for item in e.encoders)
    cycles = np.full((len(e.encoders), max_runs), -2, dtype=np.int64)
    codes = np.full_like(cycles, -1)
    for k, (n_in, n_hidden, runs, max_cycles) in enumerate(e.encoders):
        res = learn_encoder(n_in, n_hidden, runs, seed=ctx.seed, max_cycles=max_cycles,
                            step=e.step, stat_sweeps=e.stat_sweeps, statistics=e.statistics,
                            rule=e.rule, initial_spread=e.initial_spread,
                            progress=ctx.progress)
        names.append(f"{n_in}-{n_hidden}-{n_in}")
        cycles[k, :runs] = res.cycles
        codes[k, :runs] = res.distinct_codes()
        solved = res.cycles[res.solved]
        lo, hi = wilson_interval(solved.size, runs)
        rows.append((solved.size / runs, lo, hi, np.mean(codes[k, :runs] == n_in),
                     np.median(solved) if solved.size else np.nan,
                     solved.max() if solved.size else np.nan, max_cycles, runs))
    rows = np.array(rows, dtype=np.float64)
    ds = xr.Dataset(
        {"cycles": (("encoder", "run"), cycles), "distinct_codes": (("encoder", "run"), codes),
         **{name: ("encoder", rows[:, j]) for j, name in enumerate(
             ("solved_fraction", "solved_fraction_lo", "solved_fraction_hi",
              "all_codes_fraction", "median_cycles", "max_cycles_solved", "max_cycles",
              "runs"))}},
        coords={"encoder": names, "run": np.arange(max_runs)})
    ds.attrs["title"] = "Boltzmann-machine encoders, Ackley, Hinton & Sejnowski procedure"
    ds.attrs.update(statistics=e.statistics, rule=e.rule, step=e.step,
                    initial_spread=e.initial_spread)
    return results.annotate(ds, META)


TASK = register(Task(
    name="bm_encoder",
    description="Ackley, Hinton & Sejnowski's encoders learned with their 1985 procedure",
    config=EncoderConfig, run=run,
    warm_up=lambda params: learn_encoder(4, 2, 1, max_cycles=1),
    figures=(Figure("bm_encoder.png", figures.encoder_learning),), report=figures.summary))
