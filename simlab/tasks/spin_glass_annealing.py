"""Simulated annealing of spin glasses: residual energy vs sweeps per schedule family.

Problems: the 2D +-J Edwards-Anderson model on an L x L torus and the Sherrington-Kirkpatrick
model with N spins, ``spin_glass.instances`` disorder realisations each. The reference energy
of an instance is the lowest energy found by any run, including ``reference_reads`` long
geometric anneals of ``reference_sweeps`` sweeps (an upper bound on the ground state).
"""

import time

import numpy as np
import xarray as xr

from simlab import plots, schedules
from simlab.models import graph
from simlab.samplers.annealing import anneal, default_temperature_range
from simlab.tasks._output import publish

META = {
    "problem": ("spin-glass family", "1"), "instance": ("disorder realisation", "1"),
    "schedule": ("schedule family", "1"), "sweeps": ("sweeps per read", "1"),
    "read": ("independent read", "1"),
    "best_energy_per_spin": ("best energy per spin of the read", "J"),
    "reference_energy_per_spin": ("lowest energy per spin found for the instance", "J"),
    "residual_energy_per_spin": ("mean over instances and reads of (E - E_ref) / N", "J"),
    "residual_energy_per_spin_err": ("standard error over instances and reads", "J"),
    "run_seconds": ("wall time of all reads of one instance and setting", "s"),
}


def problems(g, seed):
    """{label: [instances]} of the configured spin-glass families."""
    return {
        f"EA2D_L{g.ea_size}_pm": [graph.edwards_anderson(g.ea_size, 2, "pm", seed + k)
                                  for k in range(g.instances)],
        f"SK_N{g.sk_size}": [graph.sherrington_kirkpatrick(g.sk_size, seed + k)
                             for k in range(g.instances)],
    }


def warm_up(cfg):
    """Compile the Ising annealing kernels on a tiny instance."""
    from simlab.tasks.anneal import warm_up as warm

    warm(cfg)


def run(cfg, output_dir):
    """Anneal every instance with every schedule family and sweep count."""
    start = time.perf_counter()
    g = cfg.spin_glass
    kinds = list(g.schedules)
    sweeps = np.array(sorted(g.sweeps), dtype=np.int64)
    families = problems(g, cfg.seed)
    labels = list(families)
    best = np.empty((len(labels), g.instances, len(kinds), sweeps.size, g.reads))
    seconds = np.empty((len(labels), g.instances, len(kinds), sweeps.size))
    reference = np.empty((len(labels), g.instances))
    for p, label in enumerate(labels):
        for i, model in enumerate(families[label]):
            n = model.n_sites
            auto = default_temperature_range(model)
            for b, kind in enumerate(kinds):
                for c, s in enumerate(sweeps):
                    sched = schedules.from_config({"kind": kind}, n_steps=int(s), auto_range=auto)
                    res = anneal(model, sched, reads=g.reads, seed=cfg.seed,
                                 threads=cfg.sampler.threads)
                    best[p, i, b, c] = res.best_energies / n
                    seconds[p, i, b, c] = res.wall_time
            long = anneal(model, schedules.geometric_range(*auto, g.reference_sweeps),
                          reads=g.reference_reads, seed=cfg.seed + 1,
                          threads=cfg.sampler.threads)
            reference[p, i] = min(long.best_energies.min() / n, best[p, i].min())
    residual = best - reference[:, :, None, None, None]
    flat = residual.transpose(0, 2, 3, 1, 4).reshape(len(labels), len(kinds), sweeps.size, -1)
    ds = xr.Dataset(
        {"best_energy_per_spin": (("problem", "instance", "schedule", "sweeps", "read"), best),
         "reference_energy_per_spin": (("problem", "instance"), reference),
         "residual_energy_per_spin": (("problem", "schedule", "sweeps"), flat.mean(-1)),
         "residual_energy_per_spin_err": (("problem", "schedule", "sweeps"),
                                          flat.std(-1, ddof=1) / np.sqrt(flat.shape[-1])),
         "run_seconds": (("problem", "instance", "schedule", "sweeps"), seconds)},
        coords={"problem": labels, "instance": np.arange(g.instances), "schedule": kinds,
                "sweeps": sweeps, "read": np.arange(g.reads)})
    return publish(ds, cfg, start, output_dir,
                   "Simulated annealing of spin glasses: residual energy per spin", META,
                   [(plots.spin_glass_annealing, "spin_glass_annealing.png")], summary,
                   reference_sweeps=g.reference_sweeps, reference_reads=g.reference_reads)


def summary(ds):
    """Reference energies per family and the residual energy at the longest run."""
    lines = []
    for label in ds["problem"].values:
        d = ds.sel(problem=label)
        ref = d["reference_energy_per_spin"].values
        lines.append(f"{label}: lowest energy per spin found, mean over {ref.size} instances: "
                     f"{ref.mean():.5f} ± {ref.std(ddof=1) / np.sqrt(ref.size):.5f} "
                     f"(instances: {', '.join(f'{v:.4f}' for v in ref)})")
        for kind in d["schedule"].values:
            r = d.sel(schedule=kind)
            parts = ", ".join(f"{int(s)}: {float(v):.4f}" for s, v in
                              zip(r["sweeps"].values, r["residual_energy_per_spin"].values))
            lines.append(f"   {kind:>11} residual energy per spin by sweeps  {parts}")
    return "\n".join(lines)
