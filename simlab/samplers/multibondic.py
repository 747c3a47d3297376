"""Multibondic Wang-Landau: the density of states in the number of occupied bonds.

:func:`multibondic_wang_landau` runs flat-histogram walks in b, the number of occupied
Fortuin-Kasteleyn bonds (:mod:`simlab.kernels.multibondic`): local bond updates move b, and
a Swendsen-Wang step after every sweep gives the spins new values cluster by cluster. The
walk in b therefore does not wait for single-spin moves to decorrelate the configuration
near T_c, which is what limits single-spin Wang-Landau at the specific-heat peak. ln G(b)
gives Z(T) = sum_b G(b) v(T)^b and from it U, C, S and F at any temperature
(:mod:`simlab.thermo.bonds`).

The modification factor follows the same rules as :func:`simlab.samplers.wang_landau.
wang_landau` (halving until ln f <= 1/t, then ln f = 1/t, t the bond trials per value of b
in the range); independent runs go to parallel threads and their spread gives the errors.
"""

import time
from dataclasses import dataclass, field

import numba
import numpy as np
from tqdm.auto import tqdm

from simlab.errors import ConfigError
from simlab.kernels import multibondic as kernel
from simlab.models.lattice import IsingLattice, PottsLattice
from simlab.results import Result, mark_missing
from simlab.rng import stream_states, validate_seed
from simlab.samplers.mcmc import describe
from simlab.samplers.wang_landau import PerRunThermodynamics, refine
from simlab.thermo.bonds import bond_thermodynamics
from simlab.validation import integer, number
from simlab.validation import temperatures as validated_temperatures


@dataclass
class BondDensityOfStates(PerRunThermodynamics, Result):
    """ln G(b), the density of states in the number b of occupied bonds, from independent
    multibondic Wang-Landau runs.

    Attributes
    ----------
    model : IsingLattice or PottsLattice
    occupied : ndarray, shape (B + 1,), int
        b = 0 .. B, B the number of bonds.
    log_g : ndarray, shape (runs, B + 1)
        ln G(b) per run, normalised so that G(0) = q^N (every spin state with no bond);
        with ``occupied_range``, 0 at the lowest b of the range. NaN outside the range.
    trials : ndarray, shape (runs,), int
        Bond trials of each walker.
    final_ln_f : ndarray, shape (runs,)
    seed : int
    wall_time : float
    """

    model: object
    occupied: np.ndarray
    log_g: np.ndarray
    trials: np.ndarray
    final_ln_f: np.ndarray
    seed: int
    wall_time: float = field(default=0.0)

    META = {"log_g": ("ln G(b), states with b occupied Fortuin-Kasteleyn bonds", "1"),
            "log_g_mean": ("ln G(b) averaged over runs", "1"),
            "log_g_mean_err": ("standard error of ln G(b) over runs", "1"),
            "trials": ("bond trials of the walker", "1"),
            "final_ln_f": ("final modification factor ln f", "1"),
            "occupied_bonds": ("occupied Fortuin-Kasteleyn bonds b", "1")}

    def _thermodynamics_of(self, log_g, temps):
        keep = self.reached
        return bond_thermodynamics(self.occupied[keep], log_g[keep], temps,
                                   n_bonds=self.model.n_bonds,
                                   ising=isinstance(self.model, IsingLattice),
                                   coupling=self.model.coupling)

    def to_dataset(self, temperatures=None):
        """ln G per run and averaged (dim ``occupied_bonds``), the walkers' statistics, and
        with ``temperatures`` U, C, S, F per site with errors (dim ``temperature``)."""
        runs = np.arange(self.log_g.shape[0])
        data = {"log_g": (("run", "occupied_bonds"), self.log_g),
                "log_g_mean": (("occupied_bonds",), self.log_g_mean),
                "log_g_mean_err": (("occupied_bonds",), self.log_g_err),
                "trials": (("run",), self.trials),
                "final_ln_f": (("run",), self.final_ln_f)}
        coords = {"run": runs, "occupied_bonds": self.occupied}
        if temperatures is not None:
            thermo = self.thermodynamics(temperatures)
            coords["temperature"] = validated_temperatures("temperatures", temperatures)
            data.update({k: (("temperature",), v) for k, v in thermo.items()})
        ds = self._dataset(data, coords, model=describe(self.model), seed=self.seed,
                           wall_time_s=self.wall_time)
        if not self.reached.all():
            mark_missing(ds, "log_g_mean", "outside the range of b the walk was given")
        if len(runs) < 2:
            for name in [v for v in ds.data_vars if v.endswith("_err")]:
                mark_missing(ds, name, "one run: errors come from the spread of several runs")
        return ds


def lattice_bonds(model):
    """The 2N bonds of the torus: bond i joins site i to its right neighbour, bond N + i to
    its lower one.

    Returns
    -------
    bond_i, bond_j : ndarray, shape (2N,), int32
        The two sites of each bond.
    """
    sites = np.arange(model.n_sites, dtype=np.int32)
    nb = model.neighbours
    return (np.concatenate([sites, sites]),
            np.concatenate([nb[:, 0], nb[:, 2]]).astype(np.int32))


def multibondic_wang_landau(model, *, runs=4, final_ln_f=1e-6, occupied_range=None,
                            check_every=100, seed=0, progress=False, threads=None):
    """Density of states in the number of occupied bonds, by multibondic Wang-Landau.

    Parameters
    ----------
    model : IsingLattice (J > 0, no field) or PottsLattice (J > 0)
    runs : int
        Independent runs (one walker each, own random streams); their spread gives the
        errors. Runs share the available threads.
    final_ln_f : float
        Stop when ln f is at or below this, in the 1/t stage (after levels / final_ln_f
        bond trials, levels the values of b in the range).
    occupied_range : (float, float), optional
        Fractions b / B of occupied bonds the walk is restricted to (all b if omitted). At
        temperature T the mean fraction is about p n / B, p = 1 - exp(-c J / T) (c = 2 for
        Ising, 1 for Potts) and n the equal-spin bonds. ln G is then known up to a
        constant, which leaves U and C alone.
    check_every : int
        Sweeps between checks of the histogram (at least 2^17 bond trials).
    seed : int
        Run r uses the stream ``derive(seed, "MultibondicWangLandau", model, r)``.
    progress : bool
    threads : int, optional

    Returns
    -------
    BondDensityOfStates
    """
    start = time.perf_counter()
    if not isinstance(model, (IsingLattice, PottsLattice)):
        raise ConfigError("model", type(model).__name__, "an IsingLattice or PottsLattice")
    if model.field != 0:
        raise ConfigError("field", model.field, "0 (clusters take any value)")
    if not model.coupling > 0:
        raise ConfigError("coupling", model.coupling, "J > 0 (Fortuin-Kasteleyn bonds join "
                                                      "equal spins)")
    runs = integer("runs", runs, 1)
    final_ln_f = number("final_ln_f", final_ln_f)
    if not 0 < final_ln_f < 1:
        raise ConfigError("final_ln_f", final_ln_f, "a number in (0, 1)")
    check_every = integer("check_every", check_every, 1)
    seed = validate_seed(seed)
    if threads is not None:
        numba.set_num_threads(min(integer("threads", threads, 1), numba.config.NUMBA_NUM_THREADS))
    n_bonds = model.n_bonds
    first, last = 0, n_bonds
    if occupied_range is not None:
        lo_f, hi_f = (number("occupied_range", x) for x in occupied_range)
        first, last = int(np.ceil(lo_f * n_bonds)), int(np.floor(hi_f * n_bonds))
        if not (0 <= lo_f and hi_f <= 1 and last - first >= 2):
            raise ConfigError("occupied_range", list(occupied_range),
                              "fractions 0 <= f1 < f2 <= 1 holding 3 values of b at least")

    ising = isinstance(model, IsingLattice)
    q = 2 if ising else model.q
    bond_i, bond_j = lattice_bonds(model)
    states = stream_states(seed, ("MultibondicWangLandau", *model.seed_key), runs)
    spins = np.full((runs, model.n_sites), 1 if ising else 0, dtype=np.int8)
    occupied = np.zeros((runs, n_bonds), dtype=np.bool_)
    occupied[:, :first] = True                 # all spins equal: any bonds may be occupied
    b = np.full(runs, first, dtype=np.int64)
    lo = np.full(runs, first, dtype=np.int64)
    hi = np.full(runs, last, dtype=np.int64)
    levels = np.full(runs, last - first + 1, dtype=np.float64)
    ln_g = np.zeros((runs, n_bonds + 1))
    histogram = np.zeros((runs, n_bonds + 1), dtype=np.int64)
    seen = np.zeros((runs, n_bonds + 1), dtype=bool)
    in_window = np.zeros((runs, n_bonds + 1), dtype=bool)
    in_window[:, first:last + 1] = True
    known_at_reset = np.zeros(runs, dtype=np.int64)
    ln_f = np.ones(runs)
    one_over_t = np.zeros(runs, dtype=bool)
    trials = np.zeros(runs, dtype=np.int64)
    chunk = max(check_every, -(-(1 << 17) // n_bonds))    # sweeps between checks

    bar = tqdm(disable=not progress, total=int(np.ceil(np.log10(1 / final_ln_f) * 100)),
               desc=f"multibondic Wang-Landau {describe(model)}", leave=False)
    shown = 0
    while True:
        active = ~((ln_f <= final_ln_f) & one_over_t)
        if not active.any():
            break
        n_sweeps = np.where(active, chunk, 0).astype(np.int64)
        kernel.run_walkers(spins, bond_i, bond_j, occupied, ising,
                           q, b, lo, hi, ln_g, histogram, ln_f, one_over_t, levels, trials,
                           n_sweeps, states)
        refine(active, histogram, seen, in_window, known_at_reset, ln_f, one_over_t, levels,
               trials, "1/t", 0.0)
        progress_now = int(100 * np.log10(1 / max(ln_f.max(), final_ln_f)))
        bar.update(max(0, progress_now - shown))
        shown = max(shown, progress_now)
    bar.close()

    log_g = np.where(seen & in_window, ln_g, np.nan)
    for row in log_g:
        valid = np.isfinite(row)
        if occupied_range is None:
            row += model.n_sites * np.log(q) - row[0]
        else:
            row -= row[np.flatnonzero(valid)[0]]
    return BondDensityOfStates(model=model, occupied=np.arange(n_bonds + 1), log_g=log_g,
                               trials=trials, final_ln_f=ln_f, seed=seed,
                               wall_time=time.perf_counter() - start)
