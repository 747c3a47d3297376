"""Storage capacity of the Hopfield network and its retrieval region in the (T, alpha) plane.

Overlap vs load: for each alpha = P/N, ``pattern_sets`` independent sets of random patterns
are stored in N units; zero-temperature asynchronous dynamics starts from each of up to
``tested_patterns`` stored patterns (optionally corrupted) and runs to a fixed point; the
final overlap is recorded. Phase diagram: heat-bath dynamics at temperature T for
``phase_sweeps`` sweeps from the pattern. Both beside the replica-symmetric theory
(Amit, Gutfreund & Sompolinsky 1985).
"""

import time

import numpy as np
import xarray as xr

from simlab import plots
from simlab.exact.hopfield_theory import critical_load, retrieval_overlap
from simlab.models.hopfield import hebbian, random_patterns
from simlab.samplers.hopfield import retrieve
from simlab.tasks._output import publish

META = {
    "load": ("load alpha = P / N", "1"), "pattern_set": ("independent set of patterns", "1"),
    "tested": ("stored pattern used as starting point", "1"),
    "overlap": ("final overlap |s . xi| / N (T = 0)", "1"),
    "overlap_theory": ("replica-symmetric retrieval overlap at T = 0", "1"),
    "phase_temperature": ("temperature of the heat-bath dynamics", "1"),
    "phase_load": ("load alpha = P / N", "1"),
    "phase_overlap": ("mean overlap after the heat-bath sweeps", "1"),
    "critical_load_theory": ("replica-symmetric alpha_c(T): retrieval exists below", "1"),
}


def warm_up(cfg):
    """Compile the Hopfield kernel on a tiny network."""
    model = hebbian(random_patterns(2, 20))
    retrieve(model, 0.0, 0.1, 5)
    retrieve(model, 0.5, 0.1, 5)


def run(cfg, output_dir):
    """Overlap vs load and the (T, alpha) diagram; save the Dataset and figure."""
    start = time.perf_counter()
    h = cfg.hopfield
    n = h.n_units
    loads = np.array(list(h.loads), dtype=np.float64)
    overlap = np.full((loads.size, h.pattern_sets, h.tested_patterns), np.nan)
    for a, alpha in enumerate(loads):
        p = max(1, int(round(alpha * n)))
        for k in range(h.pattern_sets):
            model = hebbian(random_patterns(p, n, seed=cfg.seed * 1000 + k))
            tested = np.arange(min(p, h.tested_patterns))
            m, _ = retrieve(model, 0.0, h.corruption, 200, tested, seed=cfg.seed + k)
            overlap[a, k, :tested.size] = m
    phase_t = np.array(list(h.temperatures), dtype=np.float64)
    phase_a = np.array(list(h.phase_loads), dtype=np.float64)
    phase = np.empty((phase_t.size, phase_a.size))
    for a, alpha in enumerate(phase_a):
        p = max(1, int(round(alpha * n)))
        model = hebbian(random_patterns(p, n, seed=cfg.seed * 1000 + 999))
        tested = np.arange(min(p, 10))
        for j, t in enumerate(phase_t):
            m, _ = retrieve(model, t, h.corruption, h.phase_sweeps, tested, seed=cfg.seed)
            phase[j, a] = m.mean()
    theory_t = np.linspace(0.0, 1.0, h.theory_points)
    ds = xr.Dataset(
        {"overlap": (("load", "pattern_set", "tested"), overlap),
         "overlap_theory": ("load", np.array([retrieval_overlap(a, 0.0) for a in loads])),
         "phase_overlap": (("phase_temperature", "phase_load"), phase),
         "critical_load_theory": ("theory_temperature",
                                  np.array([critical_load(t) for t in theory_t]))},
        coords={"load": loads, "pattern_set": np.arange(h.pattern_sets),
                "tested": np.arange(h.tested_patterns), "phase_temperature": phase_t,
                "phase_load": phase_a, "theory_temperature": theory_t})
    ds["theory_temperature"].attrs.update(long_name="temperature of the theory curve", units="1")
    return publish(ds, cfg, start, output_dir,
                   f"Hopfield network, N = {n}: retrieval vs load and temperature", META,
                   [(plots.hopfield_capacity, "hopfield_capacity.png")], summary,
                   n_units=n, corruption=h.corruption, alpha_c_theory=float(critical_load(0.0)))


def summary(ds):
    """Mean overlap by load, and where it falls below 0.9 and 0.5."""
    m = ds["overlap"].mean(dim=("pattern_set", "tested"), skipna=True).values
    a = ds["load"].values
    below = lambda level: a[np.argmax(m < level)] if np.any(m < level) else np.nan  # noqa: E731
    rows = ", ".join(f"{x:.2f}: {y:.3f}" for x, y in zip(a, m))
    return (f"N = {ds.attrs['n_units']}: mean overlap after T = 0 retrieval by load  {rows}\n"
            f"first load with mean overlap < 0.9: {below(0.9):.2f}; < 0.5: {below(0.5):.2f}; "
            f"replica-symmetric alpha_c = {ds.attrs['alpha_c_theory']:.4f}")
