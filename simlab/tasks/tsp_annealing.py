"""Simulated annealing of TSPLIB instances under geometric, linear and logarithmic schedules.

For each instance, schedule family and total number of sweeps (one sweep = n move attempts,
one temperature step per sweep), ``tsp.reads`` independent reads are annealed from random
tours between the instance's T_hot and T_cold. Reported: tour length relative to the proven
optimum (median and spread), success probability (reaching the optimum) with Wilson
intervals, TTS99 in sweeps minimised over the scan, and wall time.
"""

import time

import numpy as np
import xarray as xr

from simlab import plots, schedules
from simlab.metrics import optimal_tts, wilson_interval
from simlab.models.tsp import load_tsplib
from simlab.samplers.annealing import anneal, default_temperature_range
from simlab.tasks._output import publish

META = {
    "instance": ("TSPLIB instance", "1"), "schedule": ("schedule family", "1"),
    "sweeps": ("sweeps per read (n move attempts each)", "1"),
    "read": ("independent read", "1"), "city": ("position in the tour", "1"),
    "best_length": ("best tour length of the read", "distance units"),
    "optimum": ("proven optimal tour length (TSPLIB)", "distance units"),
    "excess": ("best length / optimum - 1", "1"),
    "median_excess": ("median over reads of best length / optimum - 1", "1"),
    "success": ("fraction of reads that reached the optimum", "1"),
    "success_lo": ("lower end of the 95% Wilson interval", "1"),
    "success_hi": ("upper end of the 95% Wilson interval", "1"),
    "tts99": ("sweeps to reach the optimum with probability 0.99", "sweeps"),
    "tts99_lo": ("TTS99 at the upper success bound", "sweeps"),
    "tts99_hi": ("TTS99 at the lower success bound", "sweeps"),
    "run_seconds": ("wall time of all reads of the setting", "s"),
    "temperature_hot": ("starting temperature of the schedules", "distance units"),
    "temperature_cold": ("final temperature of geometric and linear schedules", "distance units"),
    "best_tour": ("best tour found for the instance (-1 pads)", "1"),
    "city_x": ("x coordinate of the city at that tour position", "1"),
    "city_y": ("y coordinate of the city at that tour position", "1"),
}


def warm_up(cfg):
    """Compile the TSP kernels on a tiny instance."""
    from simlab.tasks.anneal import warm_up as warm

    warm(cfg)


def run(cfg, output_dir):
    """Scan instances x schedules x sweeps; save the Dataset and figures."""
    start = time.perf_counter()
    t = cfg.tsp
    names, kinds = list(t.instances), list(t.schedules)
    sweeps = np.array(sorted(t.sweeps), dtype=np.int64)
    n_max = 0
    best_length = np.empty((len(names), len(kinds), sweeps.size, t.reads))
    seconds = np.empty((len(names), len(kinds), sweeps.size))
    optimum, hot, cold, tours, coords = [], [], [], [], []
    for a, name in enumerate(names):
        inst = load_tsplib(name)
        t_hot, t_cold = default_temperature_range(inst, cfg.seed)
        optimum.append(inst.optimum)
        hot.append(t_hot)
        cold.append(t_cold)
        best_so_far = (np.inf, None)
        for b, kind in enumerate(kinds):
            for c, n in enumerate(sweeps):
                sched = schedules.from_config({"kind": kind}, n_steps=int(n),
                                              auto_range=(t_hot, t_cold))
                res = anneal(inst, sched, reads=t.reads, seed=cfg.seed, algorithm=t.algorithm,
                             p_two_opt=t.p_two_opt, threads=cfg.sampler.threads)
                best_length[a, b, c] = res.best_energies
                seconds[a, b, c] = res.wall_time
                k = int(np.argmin(res.best_energies))
                if res.best_energies[k] < best_so_far[0]:
                    best_so_far = (res.best_energies[k], res.best_states[k].copy())
        tours.append(best_so_far[1])
        coords.append(inst.coords[best_so_far[1]])
        n_max = max(n_max, inst.n_cities)
    opt = np.array(optimum)
    excess = best_length / opt[:, None, None, None] - 1
    reached = (best_length <= opt[:, None, None, None] + 1e-9).sum(axis=-1)
    lo, hi = wilson_interval(reached, t.reads)
    tts = np.empty(reached.shape)
    tts_lo, tts_hi = np.empty(reached.shape), np.empty(reached.shape)
    for a in range(len(names)):
        for b in range(len(kinds)):
            r = optimal_tts(sweeps, reached[a, b], np.full(sweeps.size, t.reads))
            tts[a, b], tts_lo[a, b], tts_hi[a, b] = r["tts"], r["tts_lo"], r["tts_hi"]
    pad = lambda rows, fill: np.array([np.pad(np.asarray(x, dtype=float), (0, n_max - len(x)),  # noqa: E731
                                              constant_values=fill) for x in rows])
    ds = xr.Dataset(
        {"best_length": (("instance", "schedule", "sweeps", "read"), best_length),
         "excess": (("instance", "schedule", "sweeps", "read"), excess),
         "median_excess": (("instance", "schedule", "sweeps"), np.median(excess, axis=-1)),
         "success": (("instance", "schedule", "sweeps"), reached / t.reads),
         "success_lo": (("instance", "schedule", "sweeps"), lo),
         "success_hi": (("instance", "schedule", "sweeps"), hi),
         "tts99": (("instance", "schedule", "sweeps"), tts),
         "tts99_lo": (("instance", "schedule", "sweeps"), tts_lo),
         "tts99_hi": (("instance", "schedule", "sweeps"), tts_hi),
         "run_seconds": (("instance", "schedule", "sweeps"), seconds),
         "optimum": ("instance", opt), "temperature_hot": ("instance", np.array(hot)),
         "temperature_cold": ("instance", np.array(cold)),
         "best_tour": (("instance", "city"), pad(tours, -1).astype(np.int64)),
         "city_x": (("instance", "city"), pad([xy[:, 0] for xy in coords], np.nan)),
         "city_y": (("instance", "city"), pad([xy[:, 1] for xy in coords], np.nan))},
        coords={"instance": names, "schedule": kinds, "sweeps": sweeps,
                "read": np.arange(t.reads), "city": np.arange(n_max)})
    return publish(ds, cfg, start, output_dir,
                   "Simulated annealing of TSPLIB tours (2-opt + or-opt)", META,
                   [(plots.tsp_annealing, "tsp_annealing.png"), (plots.tsp_tours, "tsp_tours.png")],
                   summary, algorithm=t.algorithm, reads=t.reads)


def summary(ds):
    """Per instance: the best setting (lowest median excess, then fewest sweeps)."""
    lines = [f"{'instance':>10} {'optimum':>8} {'best setting':>24} {'median':>9} {'excess':>8} "
             f"{'P(opt)':>14} {'time':>8}  TTS99 (schedule of the best setting)"]
    for name in ds["instance"].values:
        d = ds.sel(instance=name)
        med = d["median_excess"].values
        b, c = np.unravel_index(np.argmin(med + 1e-12 * np.arange(med.size).reshape(med.shape)),
                                med.shape)
        setting = d.isel(schedule=b, sweeps=c)
        kind, n = str(setting["schedule"].values), int(setting["sweeps"].values)
        tts_row = d["tts99"].isel(schedule=b).values
        k = int(np.argmin(tts_row)) if np.any(np.isfinite(tts_row)) else -1
        tts_text = "none reached the optimum" if k < 0 else (
            f"{tts_row[k]:.3g} sweeps at {int(d['sweeps'].values[k])}/read"
            + (" (at the edge of the scan)" if k in (0, tts_row.size - 1) else ""))
        lines.append(
            f"{name:>10} {float(d.optimum):>8.0f} {kind + ', ' + str(n) + ' sweeps':>24} "
            f"{float(np.median(setting.best_length)):>9.0f} {100 * float(setting.median_excess):>7.2f}% "
            f"{float(setting.success):>5.2f} [{float(setting.success_lo):.2f},{float(setting.success_hi):.2f}] "
            f"{float(setting.run_seconds):>7.2f}s  {tts_text}")
    return "\n".join(lines)
