"""Wang-Landau accuracy against time: ln g(E) of the L x L Ising torus vs Beale's exact counts.

Runs simlab's Wang-Landau (1/t refinement, replica exchange over energy windows, walkers in
parallel threads) and reports the wall time, the mean relative error of ln g over the
levels, and the relative error of the specific-heat maximum, against the exact density of
states (whose own computation time is printed beside). No Python package offers
Wang-Landau with the 1/t rule and windows to time against, so the comparison is with the
exact answer.

    python benchmarks/wang_landau.py --size 32 --final-ln-f 1e-6
    python benchmarks/wang_landau.py --size 64 --final-ln-f 1e-6 --runs 2 --windows 8

With ``--energy-range E1 E2`` (energies per site) the walk is restricted to the levels that
matter for the specific-heat peak; ln g is then known up to a constant, matched to the exact
counts by its mean over the range, and the exact probability of the energies left out at
the exact T_max is printed beside the result. ``--canonical`` then runs 16 random-scan
Metropolis chains at the exact T_max with as many trials as the walk took, and gives their
C(T_max) beside: what the same work buys without Wang-Landau, at one temperature only.
"""

import argparse
import time

import numpy as np
from machine import header  # benchmarks/machine.py
from scipy.special import logsumexp

from simlab.exact.beale import ising_density_of_states
from simlab.exact.kaufman import specific_heat_peak
from simlab.models import IsingLattice
from simlab.samplers.mcmc import sample_lattice
from simlab.samplers.wang_landau import wang_landau


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--final-ln-f", type=float, default=1e-6)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--windows", type=int, default=2)
    parser.add_argument("--energy-range", type=float, nargs=2, metavar=("E1", "E2"))
    parser.add_argument("--canonical", action="store_true",
                        help="with --energy-range: Metropolis at T_max with as many trials")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    header("python-flint")

    start = time.perf_counter()
    exact = ising_density_of_states(args.size).log_counts
    exact_time = time.perf_counter() - start
    wang_landau(IsingLattice(4), runs=1, windows=2, final_ln_f=0.1)   # compile
    dos = wang_landau(IsingLattice(args.size), runs=args.runs, windows=args.windows,
                      final_ln_f=args.final_ln_f, energy_range=args.energy_range,
                      seed=args.seed)
    t_exact, c_exact = specific_heat_peak(args.size, args.size)
    if args.energy_range:
        return restricted(args, dos, exact, t_exact, c_exact, exact_time)
    keep = np.isfinite(exact)
    relative = np.abs(dos.log_g_mean[keep] - exact[keep]) / np.abs(exact[keep])
    per_run = np.abs(dos.log_g[:, keep] - exact[keep]) / np.abs(exact[keep])
    peak = dos.specific_heat_peak((t_exact - 0.2, t_exact + 0.2))
    trials = dos.trials.sum()
    print(f"L = {args.size}: {args.runs} runs x {args.windows} windows, final ln f = "
          f"{args.final_ln_f:g}, {trials:.3g} trials in {dos.wall_time:.1f} s "
          f"({dos.wall_time / trials * 1e9 * 2:.1f} ns per trial per core on 2 cores)")
    print(f"  mean relative error of ln g: {relative.mean():.2e} (runs averaged); "
          f"single runs {', '.join(f'{r.mean():.2e}' for r in per_run)}")
    print(f"  C_max: {peak['specific_heat']:.6f} ± {peak['specific_heat_err']:.6f} vs exact "
          f"{c_exact:.6f} ({100 * (peak['specific_heat'] / c_exact - 1):+.3f}%); T_max "
          f"{peak['temperature']:.5f} vs {t_exact:.5f}")
    # Where the error sits: by eighths of the levels from the ground state, and with the
    # other common normalisation (ln g at the ground state set to ln 2 instead of
    # sum_E g = 2^N), under which the relative error near the ground state is small.
    levels = np.flatnonzero(keep)
    eighths = np.array_split(np.arange(levels.size), 8)
    print("  mean relative error by eighth of the levels (ground state first; g(-E) = g(E)): "
          + ", ".join(f"{relative[part].mean():.1e}" for part in eighths))
    pinned = dos.log_g_mean[keep] - dos.log_g_mean[levels[0]] + exact[levels[0]]
    print(f"  with ln g(ground) = ln 2: mean relative error "
          f"{(np.abs(pinned - exact[keep]) / np.abs(exact[keep])).mean():.2e}")
    print(f"  exact density of states (Beale, python-flint): {exact_time:.1f} s")


def restricted(args, dos, exact, t_exact, c_exact, exact_time):
    """Results of a run over ``--energy-range``: the exact probability left out, C_max and
    T_max (means over runs, with standard errors), and ln g against the exact counts after
    matching their means over the range."""
    keep = dos.reached & np.isfinite(exact)
    trials = dos.trials.sum()
    log_weight = exact - dos.energies / t_exact           # -inf at unreachable levels
    outside = np.isfinite(exact) & ~dos.reached
    p_out = np.exp(logsumexp(log_weight[outside]) - logsumexp(log_weight[np.isfinite(exact)]))
    print(f"L = {args.size}, energies per site {args.energy_range[0]:g} to "
          f"{args.energy_range[1]:g} ({keep.sum()} levels): {args.runs} runs x "
          f"{args.windows} windows, final ln f = {args.final_ln_f:g}, {trials:.3g} trials in "
          f"{dos.wall_time:.1f} s")
    print(f"  exact probability of the energies outside the range at T_max: {p_out:.1e}")
    peak = dos.specific_heat_peak((t_exact - 0.1, t_exact + 0.1))
    print(f"  C_max: {peak['specific_heat']:.6f} ± {peak['specific_heat_err']:.6f} vs exact "
          f"{c_exact:.6f} ({100 * (peak['specific_heat'] / c_exact - 1):+.3f}% ± "
          f"{100 * peak['specific_heat_err'] / c_exact:.3f}%); T_max "
          f"{peak['temperature']:.5f} ± {peak['temperature_err']:.5f} vs {t_exact:.5f}")
    matched = dos.log_g_mean[keep] - np.mean(dos.log_g_mean[keep] - exact[keep])
    print(f"  ln g matched to the exact counts by its mean over the range: mean relative "
          f"error {np.mean(np.abs(matched - exact[keep]) / exact[keep]):.2e}")
    print(f"  exact density of states (Beale, python-flint): {exact_time:.1f} s")
    if args.canonical:
        canonical(args, trials, t_exact, c_exact)


def canonical(args, trials, t_exact, c_exact, chains=16):
    """C at the exact T_max from ``chains`` random-scan Metropolis chains sharing ``trials``
    single-spin trials; the error is the spread of the chains' own estimates."""
    model = IsingLattice(args.size)
    sweeps = int(trials // (chains * model.n_sites))
    run = sample_lattice(model, [t_exact], chains=chains, sweeps=sweeps,
                         thermalization=max(sweeps // 50, 1), seed=args.seed)
    per_chain = run.energy[0].var(axis=1) / (model.n_sites * t_exact ** 2)
    c, err = per_chain.mean(), per_chain.std(ddof=1) / np.sqrt(chains)
    print(f"  Metropolis (random scan) at T_max, {chains} chains x {sweeps} sweeps "
          f"({chains * sweeps * model.n_sites:.3g} trials, {run.wall_time:.1f} s): C = "
          f"{c:.6f} ± {err:.6f} ({100 * (c / c_exact - 1):+.3f}% ± "
          f"{100 * err / c_exact:.3f}%)")


if __name__ == "__main__":
    main()
