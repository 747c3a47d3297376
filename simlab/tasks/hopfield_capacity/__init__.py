"""Storage capacity of the Hopfield network and its retrieval region in the (T, alpha) plane.

Overlap vs load: for each alpha = P/N, ``pattern_sets`` independent sets of random patterns
are stored in N units; zero-temperature asynchronous dynamics starts from each of up to
``tested_patterns`` stored patterns (optionally corrupted) and runs to a fixed point; the
final overlap is recorded. Phase diagram: heat-bath dynamics at each temperature of the grid
for ``phase_sweeps`` sweeps from the pattern. Both beside the replica-symmetric theory
(Amit, Gutfreund & Sompolinsky 1985). Pattern set k is drawn from
``derive(seed, "pattern_set", k)``, its retrieval from ``derive(seed, "retrieval", k)``.
"""

from dataclasses import dataclass
from typing import List

import numpy as np
import xarray as xr

from simlab import results
from simlab.exact.hopfield_theory import critical_load, retrieval_overlap
from simlab.grids import TemperatureGrid
from simlab.models.hopfield import hebbian, random_patterns
from simlab.rng import sub_seed
from simlab.samplers.hopfield import retrieve
from simlab.samplers.progress import progress_bar
from simlab.schema import section, setting
from simlab.tasks import Figure, Task, register
from simlab.tasks.hopfield_capacity import figures


@dataclass
class HopfieldSettings:
    """Network size, loads and trials."""

    n_units: int = setting(1000, minimum=10, doc="units N")
    loads: List[float] = setting(factory=lambda: [round(0.01 * k, 2) for k in range(1, 23)],
                                 above=0.0, maximum=1.0, doc="loads alpha = P/N (T = 0 scan)")
    pattern_sets: int = setting(3, minimum=1, doc="independent pattern sets per load")
    tested_patterns: int = setting(20, minimum=1, doc="stored patterns used as starts")
    corruption: float = setting(0.0, minimum=0.0, maximum=0.5,
                                doc="fraction of units flipped in the start")
    phase_loads: List[float] = setting(factory=lambda: [round(0.02 * k, 2)
                                                        for k in range(1, 10)],
                                       above=0.0, maximum=1.0,
                                       doc="loads of the (T, alpha) diagram")
    phase_sweeps: int = setting(30, minimum=1, doc="heat-bath sweeps in the diagram")
    theory_points: int = setting(21, minimum=2, doc="points of the theory curve alpha_c(T)")


@dataclass
class HopfieldConfig:
    """Sections of the hopfield_capacity task."""

    hopfield: HopfieldSettings = section(HopfieldSettings)
    temperature: TemperatureGrid = section(lambda: TemperatureGrid(min=0.0, max=1.0, num=11))


META = {
    "load": ("load alpha = P / N", "1"), "pattern_set": ("independent set of patterns", "1"),
    "tested": ("stored pattern used as starting point", "1"),
    "overlap": ("final overlap |s . xi| / N (T = 0)", "1"),
    "overlap_theory": ("replica-symmetric retrieval overlap at T = 0", "1"),
    "temperature": ("temperature of the heat-bath dynamics", "1"),
    "phase_load": ("load alpha = P / N", "1"),
    "phase_overlap": ("mean overlap after the heat-bath sweeps", "1"),
    "critical_load_theory": ("replica-symmetric alpha_c(T): retrieval exists below", "1"),
    "theory_temperature": ("temperature of the theory curve", "1"),
    "n_units": ("units N", "1"),
    "alpha_c_theory": ("replica-symmetric alpha_c at T = 0", "1"),
}


def run(params, ctx):
    """Overlap vs load and the (T, alpha) diagram."""
    h = params.hopfield
    n = h.n_units
    loads = np.array(h.loads, dtype=np.float64)
    overlap = np.full((loads.size, h.pattern_sets, h.tested_patterns), np.nan)
    phase_t = params.temperature.values()
    phase_a = np.array(h.phase_loads, dtype=np.float64)
    phase = np.empty((phase_t.size, phase_a.size))
    theory_t = np.linspace(0.0, 1.0, h.theory_points)
    total = loads.size * h.pattern_sets + phase_a.size * phase_t.size + theory_t.size + 1
    with progress_bar(total, "retrieval, phase diagram, theory", ctx.progress,
                      unit="step") as bar:
        for a, alpha in enumerate(loads):
            p = max(1, int(round(alpha * n)))
            for k in range(h.pattern_sets):
                model = hebbian(random_patterns(p, n, seed=sub_seed(ctx.seed, "pattern_set", k)))
                tested = np.arange(min(p, h.tested_patterns))
                res = retrieve(model, 0.0, h.corruption, 200, tested,
                               seed=sub_seed(ctx.seed, "retrieval", k))
                overlap[a, k, :tested.size] = res.overlaps
                bar.update()
        for a, alpha in enumerate(phase_a):
            p = max(1, int(round(alpha * n)))
            model = hebbian(random_patterns(p, n, seed=sub_seed(ctx.seed, "phase_patterns")))
            tested = np.arange(min(p, 10))
            for j, t in enumerate(phase_t):
                res = retrieve(model, t, h.corruption, h.phase_sweeps, tested,
                               seed=sub_seed(ctx.seed, "phase_retrieval"))
                phase[j, a] = res.overlaps.mean()
                bar.update()
        critical = np.empty(theory_t.size)
        for k, t in enumerate(theory_t):
            critical[k] = critical_load(t)
            bar.update()
        alpha_c = float(critical_load(0.0))
        bar.update()
    ds = xr.Dataset(
        {"overlap": (("load", "pattern_set", "tested"), overlap),
         "overlap_theory": ("load", np.array([retrieval_overlap(a, 0.0) for a in loads])),
         "phase_overlap": (("temperature", "phase_load"), phase),
         "critical_load_theory": ("theory_temperature", critical),
         "n_units": ((), n), "alpha_c_theory": ((), alpha_c)},
        coords={"load": loads, "pattern_set": np.arange(h.pattern_sets),
                "tested": np.arange(h.tested_patterns), "temperature": phase_t,
                "phase_load": phase_a, "theory_temperature": theory_t})
    ds.attrs["title"] = f"Hopfield network, N = {n}: retrieval vs load and temperature"
    return results.annotate(ds, META)


def warm_up(params):
    """Compile the Hopfield kernel on a tiny network."""
    model = hebbian(random_patterns(2, 20))
    retrieve(model, 0.0, 0.1, 5)
    retrieve(model, 0.5, 0.1, 5)


TASK = register(Task(
    name="hopfield_capacity",
    description="Hopfield retrieval vs load (alpha_c = 0.138) and the (T, alpha) diagram",
    config=HopfieldConfig, run=run, warm_up=warm_up,
    figures=(Figure("hopfield_capacity.png", figures.hopfield_capacity),),
    report=figures.summary))
