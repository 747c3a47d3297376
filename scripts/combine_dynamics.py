"""Combine the Metropolis autocorrelation times of several cluster_dynamics runs and refit z.

Per size, the runs that measured it are averaged with weights 1/err^2; where they scatter
more than their errors (chi^2/dof > 1) the mean's error is scaled by sqrt(chi^2/dof). z is
then fitted over the sizes >= ``--fit-min`` as tau = a L^z and as tau = a L^z / C_L (the
energy's logarithmic factor; see :mod:`simlab.tasks.cluster_dynamics`)::

    python scripts/combine_dynamics.py outputs/RUN_1 outputs/RUN_2 outputs/RUN_3 --fit-min 64
"""

import argparse
from pathlib import Path

import numpy as np

from simlab import results
from simlab.stats import successive_slopes, weighted_mean
from simlab.tasks.cluster_dynamics import exact_specific_heat, power_law_exponent

OBSERVABLES = ("tau_energy", "tau_energy_wide", "tau_abs_magnetization")


def combine(datasets, name):
    """Sizes, mean tau, error and chi^2/dof of ``name`` over the Metropolis rows of runs."""
    per_size = {}
    for ds in datasets:
        d = ds.sel(algorithm="metropolis")
        for size, tau, err in zip(ds["size"].values, d[name].values, d[f"{name}_err"].values):
            if np.isfinite(tau):
                per_size.setdefault(int(size), []).append((tau, err))
    sizes = np.array(sorted(per_size))
    rows = [weighted_mean(*map(np.array, zip(*per_size[s]))) for s in sizes]
    return sizes, *map(np.array, zip(*rows))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="run folders with results.nc")
    parser.add_argument("--fit-min", type=int, default=16, help="smallest size in the fits")
    args = parser.parse_args(argv)
    datasets = [results.load(run / "results.nc") for run in args.runs]
    combined = {name: combine(datasets, name) for name in OBSERVABLES}
    for name in OBSERVABLES:
        sizes, tau, err, chi2 = combined[name]
        heat = exact_specific_heat(sizes)
        print(f"{name}:")
        for s, t, e, c in zip(sizes, tau, err, chi2):
            print(f"  L = {s:>4}: {t:10.2f} ± {e:7.2f}" + (f"  (chi2/dof {c:.1f})"
                                                            if np.isfinite(c) else ""))
        fit = sizes >= args.fit_min
        forms = [("a L^z", None)] + ([("a L^z / C_L", heat)] if name != OBSERVABLES[2] else [])
        for label, scale in forms:
            z, z_err, z_chi2 = power_law_exponent(sizes[fit], tau[fit], err[fit],
                                                  None if scale is None else scale[fit])
            slopes = successive_slopes(np.log(sizes), np.log(tau * (1.0 if scale is None
                                                                   else scale)), err / tau)
            local = ", ".join(f"{v:.3f} ± {e:.3f}" for v, e in zip(*slopes) if np.isfinite(v))
            print(f"  {label:<12} z = {z:.3f} ± {z_err:.3f} over L >= {args.fit_min} "
                  f"(chi2/dof {z_chi2:.1f}); between successive sizes: {local}")
    # Both taus grow as L^z; if tau_E carries 1 / C_L, their ratio grows as C_L ~ ln L.
    sizes, tau_e, err_e, _ = combined["tau_energy"]
    _, tau_m, err_m, _ = combined["tau_abs_magnetization"]
    ratio = tau_m / tau_e
    ratio_err = ratio * np.hypot(err_m / tau_m, err_e / tau_e)
    print("tau_abs_magnetization / tau_energy, and C_L:")
    for s, r, e, c in zip(sizes, ratio, ratio_err, exact_specific_heat(sizes)):
        print(f"  L = {s:>4}: {r:.3f} ± {e:.3f}   C_L = {c:.4f}")


if __name__ == "__main__":
    main()
