"""Single-spin-flip Monte Carlo of lattice Ising models at fixed temperatures.

:func:`sample_lattice` runs ``chains`` independent Markov chains at every temperature (all in
one parallel kernel call per block of sweeps), thermalises them, then records the energy and
magnetisation after every sweep.
"""

import time
from dataclasses import dataclass, field

import numba
import numpy as np
from tqdm.auto import tqdm

from simlab.errors import ConfigError
from simlab.kernels import single_spin
from simlab.models.lattice import IsingLattice
from simlab.results import Result
from simlab.rng import stream_states, validate_seed
from simlab.rules import ALGORITHMS, INITIAL_STATES, SCANS, flip_probability_table
from simlab.validation import choice, integer
from simlab.validation import temperatures as validated_temperatures


@dataclass
class LatticeRun(Result):
    """Recorded time series of a :func:`sample_lattice` run.

    Attributes
    ----------
    model : IsingLattice
    temperatures : ndarray, shape (T,)
    bond_sum : ndarray, shape (T, chains, sweeps), int32
        sum_<ij> s_i s_j after each recorded sweep.
    magnetization : ndarray, shape (T, chains, sweeps), int32
        Total magnetisation sum_i s_i after each recorded sweep.
    spins : ndarray, shape (T, chains, N), int8
        Final configurations.
    algorithm, scan, init : str
    seed, thermalization : int
    wall_time : float
        Seconds spent, compilation included.
    """

    model: IsingLattice
    temperatures: np.ndarray
    bond_sum: np.ndarray
    magnetization: np.ndarray
    spins: np.ndarray
    algorithm: str
    scan: str
    init: str
    seed: int
    thermalization: int
    wall_time: float = field(default=0.0)

    META = {"energy_series": ("total energy E after the sweep", "J"),
            "magnetization_series": ("total magnetisation M after the sweep", "1"),
            "final_spins": ("spin configuration after the last sweep", "1")}

    @property
    def energy(self):
        """Total energy E = -J bond_sum - h M, shape (T, chains, sweeps), float64."""
        return (-self.model.coupling * self.bond_sum.astype(np.float64)
                - self.model.field * self.magnetization)

    def to_dataset(self):
        """Energy and magnetisation series (temperature, chain, sweep) and the final spins
        (temperature, chain, site); the settings in attributes."""
        return self._dataset(
            {"energy_series": (("temperature", "chain", "sweep"), self.energy),
             "magnetization_series": (("temperature", "chain", "sweep"), self.magnetization),
             "final_spins": (("temperature", "chain", "site"), self.spins)},
            {"temperature": self.temperatures, "chain": np.arange(self.spins.shape[1]),
             "sweep": self.thermalization + 1 + np.arange(self.bond_sum.shape[-1]),
             "site": np.arange(self.model.n_sites)},
            model=f"Ising lattice {self.model.rows}x{self.model.cols}, "
                  f"J={self.model.coupling:g}, h={self.model.field:g}",
            algorithm=self.algorithm, scan=self.scan, init=self.init, seed=self.seed,
            wall_time_s=self.wall_time)


def chain_key(model, temperature):
    """The seed key of the chains of ``model`` at ``temperature`` (see :mod:`simlab.rng`)."""
    return ("IsingLattice", model.rows, model.cols, model.coupling, model.field,
            float(temperature))


def sample_lattice(model, temperatures, *, chains=8, sweeps=10_000, thermalization=1_000,
                   algorithm="metropolis", scan="random", init="ordered", seed=0, record=True,
                   progress=False, threads=None):
    """Run independent single-spin-flip chains of a lattice Ising model at each temperature.

    Parameters
    ----------
    model : IsingLattice
    temperatures : array_like, shape (T,)
        Temperatures > 0 (units of J/k_B).
    chains : int
        Independent chains per temperature, each with its own random stream.
    sweeps : int
        Recorded sweeps per chain (one sweep = one update attempt per spin).
    thermalization : int
        Unrecorded sweeps before recording.
    algorithm : {"metropolis", "heatbath"}
    scan : {"random", "sequential"}
        Site order within a sweep of N attempts. Random scan is irreducible for both rules;
        sequential Metropolis is not on some small tori (zero-cost flips cycle
        deterministically), sequential heat bath always is.
    init : {"ordered", "random"}
        All spins +1, or each +-1 with probability 1/2 from the chain's stream.
    seed : int
        Chain c at temperature T uses the stream ``derive(seed, model, T, c)``,
        so results are bit-identical whatever the thread count and whatever other
        temperatures or sizes run beside it.
    record : bool
        If False, nothing is recorded (only the final spins are returned).
    progress : bool
        Show a progress bar.
    threads : int, optional
        Numba threads to use (all available if omitted); does not change the results.

    Returns
    -------
    LatticeRun
    """
    start = time.perf_counter()
    if not isinstance(model, IsingLattice):
        raise ConfigError("model", type(model).__name__, "an IsingLattice")
    temps = validated_temperatures("temperatures", temperatures)
    chains = integer("chains", chains, 1)
    sweeps = integer("sweeps", sweeps, 1)
    thermalization = integer("thermalization", thermalization, 0)
    algorithm = choice("algorithm", algorithm, ALGORITHMS)
    scan = choice("scan", scan, SCANS)
    init = choice("init", init, INITIAL_STATES)
    seed = validate_seed(seed)
    if threads is not None:
        numba.set_num_threads(min(integer("threads", threads, 1), numba.config.NUMBA_NUM_THREADS))

    n_temps, n_sites = temps.size, model.n_sites
    n_total = n_temps * chains
    degree = model.neighbours.shape[1]
    tables = np.stack([flip_probability_table(algorithm, t, model.coupling, model.field, degree)
                       for t in temps])
    tables = np.ascontiguousarray(np.repeat(tables, chains, axis=0))
    states = np.concatenate([stream_states(seed, chain_key(model, t), chains) for t in temps])
    spins = np.ones((n_total, n_sites), dtype=np.int8)
    if init == "random":
        single_spin.randomize(spins, states)
    bond = model.bond_sum(spins).astype(np.int64)
    mag = spins.sum(axis=1, dtype=np.int64)
    n_recorded = sweeps if record else 0
    bond_series = np.zeros((n_total, n_recorded), dtype=np.int32)
    mag_series = np.zeros((n_total, n_recorded), dtype=np.int32)
    no_series = np.zeros((n_total, 0), dtype=np.int32)

    random_scan = scan == "random"
    block = max(1, (thermalization + sweeps) // 50)
    bar = tqdm(total=thermalization + sweeps, disable=not progress, unit="sweep",
               desc=f"{algorithm} L={model.rows}x{model.cols}", leave=False)
    done = 0
    while done < thermalization:
        n = min(block, thermalization - done)
        single_spin.run_chains(spins, model.neighbours, tables, states, bond, mag, n,
                               random_scan, no_series, no_series, 0)
        done += n
        bar.update(n)
    done = 0
    while done < sweeps:
        n = min(block, sweeps - done)
        series = (bond_series, mag_series) if record else (no_series, no_series)
        single_spin.run_chains(spins, model.neighbours, tables, states, bond, mag, n,
                               random_scan, *series, done)
        done += n
        bar.update(n)
    bar.close()

    shape = (n_temps, chains)
    return LatticeRun(
        model=model,
        temperatures=temps,
        bond_sum=bond_series.reshape(*shape, n_recorded),
        magnetization=mag_series.reshape(*shape, n_recorded),
        spins=spins.reshape(*shape, n_sites),
        algorithm=algorithm,
        scan=scan,
        init=init,
        seed=seed,
        thermalization=thermalization,
        wall_time=time.perf_counter() - start,
    )
