"""Multibondic Wang-Landau at the specific-heat peak of the L x L Ising torus, against exact.

Runs :func:`simlab.samplers.multibondic.multibondic_wang_landau` (flat histogram in the
number b of occupied Fortuin-Kasteleyn bonds, a Swendsen-Wang step per sweep, runs in
parallel threads) over a range of b, and reports the wall time, C_max and T_max against
Kaufman's exact values, and ln G(b) against the exact bond density of states (from Beale's
ln g(E) by G(b) = sum_E g(E) C(n(E), b)). The exact probability of the values of b left
out at the exact T_max is printed beside, so the range can be judged.

    python benchmarks/multibondic.py --size 32 --runs 8 --final-ln-f 1e-7 --range 0.39 0.60

``benchmarks/wang_landau.py --energy-range`` gives the same numbers for single-spin
Wang-Landau in the energy, for comparison.
"""

import argparse

import numpy as np
from machine import header  # benchmarks/machine.py
from scipy.special import logsumexp

from simlab.exact.beale import ising_density_of_states
from simlab.exact.kaufman import specific_heat_peak
from simlab.models import IsingLattice
from simlab.samplers.multibondic import multibondic_wang_landau
from simlab.thermo.bonds import bond_log_counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--final-ln-f", type=float, default=1e-7)
    parser.add_argument("--range", type=float, nargs=2, default=(0.39, 0.60),
                        metavar=("F1", "F2"), help="fractions b / B of occupied bonds")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    header("python-flint")

    model = IsingLattice(args.size)
    n, n_bonds = model.n_sites, model.n_bonds
    bond_sum = 2 * n - 4 * np.arange(n + 1)
    exact = bond_log_counts(ising_density_of_states(args.size).log_counts,
                            (n_bonds + bond_sum) // 2, n_bonds)
    t_exact, c_exact = specific_heat_peak(args.size, args.size)
    multibondic_wang_landau(IsingLattice(4), runs=1, final_ln_f=1e-3)     # compile
    dos = multibondic_wang_landau(model, runs=args.runs, final_ln_f=args.final_ln_f,
                                  occupied_range=args.range, seed=args.seed)

    b = np.arange(n_bonds + 1)
    log_weight = exact + b * np.log(np.expm1(2 / t_exact))
    inside = dos.reached
    p_out = np.exp(logsumexp(log_weight[~inside]) - logsumexp(log_weight))
    trials = dos.trials.sum()
    print(f"L = {args.size}, b / B in [{args.range[0]:g}, {args.range[1]:g}] ({inside.sum()} "
          f"values of b): {args.runs} runs, final ln f = {args.final_ln_f:g}, {trials:.3g} bond "
          f"trials in {dos.wall_time:.1f} s ({dos.wall_time / trials * 1e9 * 2:.1f} ns per "
          f"trial per core on 2 cores)")
    print(f"  exact probability of the values of b outside the range at T_max: {p_out:.1e}")
    peak = dos.specific_heat_peak((t_exact - 0.1, t_exact + 0.1))
    print(f"  C_max: {peak['specific_heat']:.6f} ± {peak['specific_heat_err']:.6f} vs exact "
          f"{c_exact:.6f} ({100 * (peak['specific_heat'] / c_exact - 1):+.3f}% ± "
          f"{100 * peak['specific_heat_err'] / c_exact:.3f}%); T_max "
          f"{peak['temperature']:.5f} ± {peak['temperature_err']:.5f} vs {t_exact:.5f}")
    shifted = exact[inside] - exact[inside][0]
    z = (dos.log_g_mean[inside] - shifted)[1:] / dos.log_g_err[inside][1:]
    print(f"  ln G (0 at the range's first b) against exact: mean absolute error "
          f"{np.mean(np.abs(dos.log_g_mean[inside] - shifted)):.2e}, rms z "
          f"{np.sqrt(np.mean(z ** 2)):.2f}, largest |z| {np.abs(z).max():.2f}")


if __name__ == "__main__":
    main()
