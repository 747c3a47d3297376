"""Simulated annealing of spin glasses: residual energy vs sweeps per schedule family.

Problems: the 2D +-J Edwards-Anderson model on an L x L torus and the Sherrington-Kirkpatrick
model with N spins, ``spin_glass.instances`` disorder realisations each. Instance k of a
family is drawn from ``derive(seed, "instance", family, k)``, so runs with different seeds
share no instance, and a family's instances do not change when the other family's size
does. The reference energy of an instance is the lowest energy found by any run, including
``reference_reads`` long geometric anneals of ``reference_sweeps`` sweeps (an upper bound
on the ground state), whose reads have streams of their own (``derive(seed, "reference")``).
"""

from dataclasses import dataclass
from typing import List

import numpy as np
import xarray as xr

from simlab import results, schedules
from simlab.models import graph
from simlab.rng import sub_seed
from simlab.samplers.annealing import (
    anneal,
    anneal_scan,
    default_temperature_range,
    warm_up,
)
from simlab.schema import section, setting
from simlab.tasks import Figure, Task, register
from simlab.tasks.spin_glass_annealing import figures

SCHEDULE_FAMILIES = ("geometric", "linear", "logarithmic", "exponential")


@dataclass
class SpinGlassSettings:
    """Families, instances, schedules and reads."""

    ea_size: int = setting(32, minimum=3, doc="L of the 2D +-J Edwards-Anderson torus")
    sk_size: int = setting(256, minimum=2, doc="N of the Sherrington-Kirkpatrick model")
    instances: int = setting(8, minimum=1, doc="disorder realisations per family")
    schedules: List[str] = setting(factory=lambda: ["geometric", "linear", "logarithmic"],
                                   choices=SCHEDULE_FAMILIES, doc="schedule families")
    sweeps: List[int] = setting(factory=lambda: [10, 30, 100, 300, 1000, 3000], minimum=1,
                                doc="sweeps per read")
    reads: int = setting(32, minimum=1, doc="reads per instance and setting")
    reference_sweeps: int = setting(100_000, minimum=1,
                                    doc="sweeps of the long reference anneals")
    reference_reads: int = setting(32, minimum=1, doc="reads of the reference anneals")


@dataclass
class SpinGlassConfig:
    """Sections of the spin_glass_annealing task."""

    spin_glass: SpinGlassSettings = section(SpinGlassSettings)


META = {
    "problem": ("spin-glass family", "1"), "instance": ("disorder realisation", "1"),
    "schedule": ("schedule family", "1"), "sweeps": ("sweeps per read", "1"),
    "best_energy_per_spin": ("best energy per spin of the read", "J"),
    "reference_energy_per_spin": ("lowest energy per spin found for the instance", "J"),
    "residual_energy_per_spin": ("mean over instances and reads of (E - E_ref) / N", "J"),
    "residual_energy_per_spin_err": ("standard error over instances and reads", "J"),
    "run_seconds": ("wall time of all reads of one instance and setting", "s"),
}


def families(g, seed):
    """{label: [instances]} of the configured spin-glass families."""
    ea = f"EA2D_L{g.ea_size}_pm"
    sk = f"SK_N{g.sk_size}"
    return {
        ea: [graph.edwards_anderson(g.ea_size, 2, "pm", sub_seed(seed, "instance", ea, k))
             for k in range(g.instances)],
        sk: [graph.sherrington_kirkpatrick(g.sk_size, sub_seed(seed, "instance", sk, k))
             for k in range(g.instances)],
    }


def run(params, ctx):
    """Anneal every instance with every schedule family and sweep count."""
    g = params.spin_glass
    fams = families(g, ctx.seed)
    labels = list(fams)
    sweeps = np.array(sorted(g.sweeps), dtype=np.int64)
    best = np.empty((len(labels), g.instances, len(g.schedules), sweeps.size, g.reads))
    seconds = np.empty(best.shape[:-1])
    reference = np.empty((len(labels), g.instances))
    reference_seed = sub_seed(ctx.seed, "reference")
    for p, label in enumerate(labels):
        for i, model in enumerate(fams[label]):
            n = model.n_sites
            auto = default_temperature_range(model)
            # The scalar kernel: these results are best-so-far energies, which the
            # multi-spin kernel does not track.
            scan = anneal_scan(model, g.schedules, sweeps, g.reads, seed=ctx.seed,
                               auto_range=auto, kernel="scalar", progress=ctx.progress)
            best[p, i] = scan.best_energies / n
            seconds[p, i] = scan.seconds
            long = anneal(model, schedules.geometric_range(*auto, g.reference_sweeps),
                          reads=g.reference_reads, seed=reference_seed, kernel="scalar",
                          progress=ctx.progress)
            reference[p, i] = min(long.best_energies.min() / n, best[p, i].min())
    residual = best - reference[:, :, None, None, None]
    flat = residual.transpose(0, 2, 3, 1, 4).reshape(len(labels), len(g.schedules),
                                                     sweeps.size, -1)
    ds = xr.Dataset(
        {"best_energy_per_spin": (("problem", "instance", "schedule", "sweeps", "read"), best),
         "reference_energy_per_spin": (("problem", "instance"), reference),
         "residual_energy_per_spin": (("problem", "schedule", "sweeps"), flat.mean(-1)),
         "residual_energy_per_spin_err": (("problem", "schedule", "sweeps"),
                                          flat.std(-1, ddof=1) / np.sqrt(flat.shape[-1])),
         "run_seconds": (("problem", "instance", "schedule", "sweeps"), seconds)},
        coords={"problem": labels, "instance": np.arange(g.instances),
                "schedule": list(g.schedules), "sweeps": sweeps, "read": np.arange(g.reads)})
    ds = ds.assign_coords(instance_name=(("problem", "instance"), np.array(
        [[m.name for m in fams[label]] for label in labels], dtype=object)))
    ds["instance_name"].attrs.update(long_name="name of the disorder instance", units="1")
    ds.attrs["title"] = "Simulated annealing of spin glasses: residual energy per spin"
    return results.annotate(ds, META)


TASK = register(Task(
    name="spin_glass_annealing",
    description="2D +-J and SK spin glasses: residual energy vs sweeps per schedule family",
    config=SpinGlassConfig, run=run, warm_up=lambda params: warm_up(),
    figures=(Figure("spin_glass_annealing.png", figures.spin_glass_annealing),),
    report=figures.summary))
