"""Multibondic Wang-Landau against the exact bond density of states G(b).

G(b) comes from exact energy spectra (Beale's counts, enumeration) by
G(b) = sum_E g(E) C(n(E), b) (tests/thermo/test_bonds.py checks that conversion). The
shape of ln G (each run's deviation from exact less its mean over b, so that the error of
the anchor G(0) = q^N, a boundary value where the walk converges last, does not shift every
value alike) is compared value by value in units of its standard error over independent
runs, with the bound 5 used for Wang-Landau in the energy
(tests/samplers/test_wang_landau.py): t with 7 (15) degrees of freedom exceeds it with
probability 0.0016 (0.0002) per value.
"""

import numpy as np
import pytest

from helpers import potts_torus_energy
from simlab.errors import ConfigError
from simlab.exact.beale import ising_density_of_states
from simlab.exact.enumerate import enumerate_energies
from simlab.exact.kaufman import kaufman
from simlab.kernels import multibondic as kernel
from simlab.models import IsingLattice, PottsLattice
from simlab.rng import stream_states
from simlab.samplers.multibondic import lattice_bonds, multibondic_wang_landau
from simlab.stats import chi_square_test
from simlab.thermo.bonds import bond_log_counts


def ising_log_bonds(size):
    n = size * size
    bond_sum = 2 * n - 4 * np.arange(n + 1)
    return bond_log_counts(ising_density_of_states(size).log_counts, (2 * n + bond_sum) // 2,
                           2 * n)


def potts_q3_3x3_log_bonds():
    energies = enumerate_energies(potts_torus_energy(3, 3), 9, (0, 1, 2))
    levels, counts = np.unique(np.rint(energies).astype(int), return_counts=True)
    return bond_log_counts(np.log(counts), -levels, 18)


def shape_z(log_g, exact):
    """z per value of b of the runs' ln G (rows) against ``exact``, each run's deviation
    taken less its mean."""
    deviation = log_g - exact
    deviation -= deviation.mean(axis=1, keepdims=True)
    return deviation.mean(axis=0) / (deviation.std(axis=0, ddof=1) / np.sqrt(len(log_g)))


def test_ising_4x4_log_g_against_exact_bond_counts():
    dos = multibondic_wang_landau(IsingLattice(4), runs=16, final_ln_f=1e-6, seed=3)
    exact = ising_log_bonds(4)
    assert dos.reached.all()
    assert dos.log_g[:, 0] == pytest.approx(16 * np.log(2))     # the normalisation G(0)
    z = shape_z(dos.log_g, exact)
    assert np.all(np.abs(z) < 5), z
    assert np.abs(dos.log_g_mean - exact).max() < 0.02


def test_potts_q3_3x3_log_g_against_enumeration():
    # 16 runs, as for Ising 4 x 4: with 8 the z of each value is a Student t of 7 degrees
    # of freedom, beyond 5 with probability 0.16% per value and 3% for some of the 19.
    dos = multibondic_wang_landau(PottsLattice(3, q=3), runs=16, final_ln_f=1e-6, seed=4)
    exact = potts_q3_3x3_log_bonds()
    z = shape_z(dos.log_g, exact)
    assert np.all(np.abs(z) < 5), z
    assert np.abs(dos.log_g_mean - exact).max() < 0.02


def test_thermodynamics_against_kaufman():
    temps = np.array([1.5, 2.269, 3.0])
    dos = multibondic_wang_landau(IsingLattice(4), runs=8, final_ln_f=1e-6, seed=5)
    thermo = dos.thermodynamics(temps)
    exact = kaufman(4, 4, temps)
    for name in ("energy", "specific_heat", "entropy", "free_energy"):
        z = (thermo[name] - exact[name]) / thermo[name + "_err"]
        assert np.all(np.abs(z) < 5), (name, z)
    ds = dos.to_dataset(temps)
    assert set(ds.dims) >= {"run", "occupied_bonds", "temperature"}


def test_restricted_range_gives_the_shape_of_ln_g_and_the_peak():
    """On 8 x 8 the walk over b / B in [0.25, 0.75] misses 1e-5 of the weight at T_max:
    C_max and T_max against Kaufman."""
    dos = multibondic_wang_landau(IsingLattice(8), runs=8, final_ln_f=1e-6,
                                  occupied_range=(0.25, 0.75), seed=6)
    inside = np.flatnonzero(dos.reached)
    assert inside[0] == 32 and inside[-1] == 96
    z = shape_z(dos.log_g[:, inside], ising_log_bonds(8)[inside])
    assert np.all(np.abs(z) < 5), z
    t = np.linspace(2.2, 2.5, 301)
    exact_c = kaufman(8, 8, t)["specific_heat"]
    peak = dos.specific_heat_peak((2.2, 2.5))
    assert abs(peak["specific_heat"] - exact_c.max()) < 5 * peak["specific_heat_err"]
    assert abs(peak["temperature"] - t[exact_c.argmax()]) < 5 * peak["temperature_err"] + 1e-3


def test_fixed_exact_weights_give_a_flat_histogram_in_b():
    """With ln G exact and ln f = 0 the walk samples weight 1/G(b): every b equally often.
    Per b, the mean visit fraction of 16 independent walkers against 1/(B + 1), in units
    of its standard error over the walkers. The Swendsen-Wang step must keep occupied
    bonds between equal spins, and b the number of occupied bonds."""
    model, exact = PottsLattice(3, q=3), potts_q3_3x3_log_bonds()
    walkers, n_bonds = 16, model.n_bonds
    bond_i, bond_j = lattice_bonds(model)
    spins = np.zeros((walkers, model.n_sites), dtype=np.int8)
    occupied = np.zeros((walkers, n_bonds), dtype=np.bool_)
    b = np.zeros(walkers, dtype=np.int64)
    lo, hi = np.zeros(walkers, dtype=np.int64), np.full(walkers, n_bonds, dtype=np.int64)
    ln_g = np.tile(exact, (walkers, 1))
    histogram = np.zeros((walkers, n_bonds + 1), dtype=np.int64)
    states = stream_states(7, ("test multibondic",), walkers)
    args = (spins, bond_i, bond_j, occupied, False, 3, b, lo, hi, ln_g, histogram,
            np.zeros(walkers), np.zeros(walkers, dtype=bool), np.full(walkers, 19.0),
            np.zeros(walkers, dtype=np.int64))
    kernel.run_walkers(*args, np.full(walkers, 1000, dtype=np.int64), states)
    histogram[:] = 0
    kernel.run_walkers(*args, np.full(walkers, 50_000, dtype=np.int64), states)
    assert np.array_equal(ln_g, np.tile(exact, (walkers, 1)))       # ln f = 0: untouched
    fraction = histogram / histogram.sum(axis=1, keepdims=True)
    z = (fraction.mean(axis=0) - 1 / 19) / (fraction.std(axis=0, ddof=1) / np.sqrt(walkers))
    assert np.all(np.abs(z) < 5), z
    assert np.array_equal(b, occupied.sum(axis=1))
    assert np.all(spins[:, bond_i][occupied] == spins[:, bond_j][occupied])


@pytest.mark.parametrize("ising", [True, False])
def test_swendsen_wang_values_follow_the_connected_components(ising):
    """One value per connected component of the occupied bonds (scipy's labelling), drawn
    uniformly and independently: over 4,000 steps on a fixed random bond set of a 6 x 6
    torus, every site equal to its component's value every time; every two components
    equal in a fraction 1/q of the steps (within 5 binomial standard errors: none merged);
    and the joint values of the three largest uniform (chi-square, p > 1e-4)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    model = IsingLattice(6) if ising else PottsLattice(6, q=3)
    q = 2 if ising else 3
    bond_i, bond_j = lattice_bonds(model)
    rng = np.random.default_rng(11)
    occupied = rng.random(bond_i.size) < 0.45
    graph = coo_matrix((np.ones(occupied.sum()), (bond_i[occupied], bond_j[occupied])),
                       shape=(model.n_sites,) * 2)
    n_components, component = connected_components(graph, directed=False)
    largest = np.argsort(np.bincount(component))[::-1][:3]
    first_site = [int(np.flatnonzero(component == c)[0]) for c in largest]
    representative = np.array([np.flatnonzero(component == c)[0] for c in range(n_components)])
    equal = np.zeros((n_components, n_components))
    spins = np.zeros(model.n_sites, dtype=np.int8)
    parent = np.empty(model.n_sites, dtype=np.int64)
    bonds = np.empty(bond_i.size, dtype=np.int64)
    state = tuple(stream_states(12, ("test swendsen-wang values",), 1)[0])
    counts = np.zeros(q ** 3, dtype=np.int64)
    for _ in range(4000):
        state = [np.uint64(v) for v in kernel.swendsen_wang_values(
            spins, bond_i, bond_j, occupied, ising, q, parent, bonds, *state)]
        assert np.array_equal(spins, spins[representative][component])
        values_now = spins[representative]
        equal += values_now[:, None] == values_now[None, :]
        values = spins[first_site] if not ising else (spins[first_site] + 1) // 2
        counts[int(values[0]) * q * q + int(values[1]) * q + int(values[2])] += 1
    assert n_components > 3
    pairs = ~np.eye(n_components, dtype=bool)
    sigma = np.sqrt((1 / q) * (1 - 1 / q) / 4000)
    assert np.all(np.abs(equal[pairs] / 4000 - 1 / q) < 5 * sigma)
    _, _, p_value = chi_square_test(counts, np.full(q ** 3, 1 / q ** 3))
    assert p_value > 1e-4


def test_runs_are_reproducible_and_thread_independent():
    a = multibondic_wang_landau(IsingLattice(4), runs=2, final_ln_f=1e-3, seed=8, threads=1)
    b = multibondic_wang_landau(IsingLattice(4), runs=2, final_ln_f=1e-3, seed=8, threads=2)
    assert np.array_equal(a.log_g, b.log_g, equal_nan=True)
    c = multibondic_wang_landau(IsingLattice(4), runs=2, final_ln_f=1e-3, seed=9)
    assert not np.array_equal(a.log_g, c.log_g, equal_nan=True)


def test_bad_settings_are_refused_by_name():
    with pytest.raises(ConfigError, match="coupling"):
        multibondic_wang_landau(IsingLattice(4, coupling=-1.0))
    with pytest.raises(ConfigError, match="field"):
        multibondic_wang_landau(IsingLattice(4, field=0.5))
    with pytest.raises(ConfigError, match="occupied_range"):
        multibondic_wang_landau(IsingLattice(4), occupied_range=(0.5, 0.51))
    with pytest.raises(ConfigError, match="final_ln_f"):
        multibondic_wang_landau(IsingLattice(4), final_ln_f=2.0)
