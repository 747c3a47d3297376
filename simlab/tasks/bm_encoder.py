"""Encoder problems learned by a Boltzmann machine (Ackley, Hinton & Sejnowski 1985).

For each configured encoder (n_in, n_hidden, runs, max_cycles), ``runs`` independent machines
learn with the 1985 procedure (noisy clamping 0.15/0.05; anneal 2 sweeps at T = 20, 2 at 15,
2 at 12, 4 at 10; co-occurrences over 10 sweeps at T = 10; weight step +-2) until they solve
the task, checked exactly after every learning cycle.
"""

import time

import numpy as np
import xarray as xr

from simlab import plots
from simlab.metrics import wilson_interval
from simlab.samplers.boltzmann import learn_encoder
from simlab.tasks._output import publish

#: Ackley, Hinton & Sejnowski (1985): runs solved / runs, median and max learning cycles.
REFERENCE = {"4-2-4": (250, 250, 110, 1810), "4-3-4": (None, None, 270, None),
             "8-3-8": (16, 20, None, None)}

META = {
    "encoder": ("encoder n_in-n_hidden-n_in", "1"), "run": ("independent learning run", "1"),
    "cycles": ("learning cycles until solved (-1: not within max_cycles)", "cycles"),
    "distinct_codes": ("patterns with a unique, unshared hidden code (final machine)", "1"),
    "solved_fraction": ("fraction of runs that solved the task", "1"),
    "solved_fraction_lo": ("lower end of the 95% Wilson interval", "1"),
    "solved_fraction_hi": ("upper end of the 95% Wilson interval", "1"),
    "all_codes_fraction": ("fraction of runs whose final machine has all codes distinct", "1"),
    "median_cycles": ("median learning cycles of the solved runs", "cycles"),
    "max_cycles_solved": ("largest learning cycles of a solved run", "cycles"),
    "max_cycles": ("cycle budget per run", "cycles"),
}


def warm_up(cfg):
    """Compile the Boltzmann kernels on one short run."""
    learn_encoder(4, 2, 1, max_cycles=1)


def run(cfg, output_dir):
    """Learn every configured encoder; save the Dataset and figure."""
    start = time.perf_counter()
    names, rows = [], []
    max_runs = max(int(e[2]) for e in cfg.encoder.encoders)
    cycles = np.full((len(cfg.encoder.encoders), max_runs), -2, dtype=np.int64)
    codes = np.full_like(cycles, -1)
    for k, (n_in, n_hidden, runs, max_cycles) in enumerate(cfg.encoder.encoders):
        res = learn_encoder(int(n_in), int(n_hidden), int(runs), seed=cfg.seed,
                            max_cycles=int(max_cycles), step=cfg.encoder.step,
                            stat_sweeps=cfg.encoder.stat_sweeps)
        names.append(f"{n_in}-{n_hidden}-{n_in}")
        cycles[k, :runs] = res.cycles
        codes[k, :runs] = res.distinct_codes()
        solved = res.cycles[res.solved]
        lo, hi = wilson_interval(solved.size, runs)
        rows.append((solved.size / runs, lo, hi, np.mean(codes[k, :runs] == n_in),
                     np.median(solved) if solved.size else np.nan,
                     solved.max() if solved.size else np.nan, max_cycles))
    rows = np.array(rows, dtype=np.float64)
    ds = xr.Dataset(
        {"cycles": (("encoder", "run"), cycles), "distinct_codes": (("encoder", "run"), codes),
         **{name: ("encoder", rows[:, j]) for j, name in enumerate(
             ("solved_fraction", "solved_fraction_lo", "solved_fraction_hi",
              "all_codes_fraction", "median_cycles", "max_cycles_solved", "max_cycles"))}},
        coords={"encoder": names, "run": np.arange(max_runs)})
    return publish(ds, cfg, start, output_dir,
                   "Boltzmann-machine encoders, Ackley, Hinton & Sejnowski procedure", META,
                   [(plots.encoder_learning, "bm_encoder.png")], summary,
                   note="cycles = -2 pads encoders with fewer runs than the largest")


def summary(ds):
    """Measured against Ackley, Hinton & Sejnowski (1985)."""
    lines = [f"{'encoder':>8} {'solved':>16} {'all codes':>10} {'median':>7} {'max':>6}   1985"]
    for name in ds["encoder"].values:
        d = ds.sel(encoder=name)
        runs = int((d["cycles"] >= -1).sum())
        ref = REFERENCE.get(str(name))
        ref_text = "" if ref is None else ", ".join(
            t for t in (f"{ref[0]}/{ref[1]} solved" if ref[0] is not None else "",
                        f"median {ref[2]}" if ref[2] is not None else "",
                        f"max {ref[3]}" if ref[3] is not None else "") if t)
        lines.append(
            f"{name:>8} {int(round(float(d.solved_fraction) * runs)):>4}/{runs:<4}"
            f"[{float(d.solved_fraction_lo):.2f},{float(d.solved_fraction_hi):.2f}] "
            f"{float(d.all_codes_fraction):>9.2f} {float(d.median_cycles):>7.0f} "
            f"{float(d.max_cycles_solved):>6.0f}   {ref_text}")
    return "\n".join(lines)
