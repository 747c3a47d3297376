"""Monte Carlo of lattice Ising and Potts models at fixed temperatures.

:func:`sample_lattice` runs ``chains`` independent Markov chains at every temperature (all in
one parallel kernel call per block of sweeps), thermalises them, then records the energy and
order parameter after every sweep. Single-site rules (Metropolis, heat bath) come from
:mod:`simlab.kernels.single_spin` (Ising) and :mod:`simlab.kernels.potts`; cluster rules
(Wolff, Swendsen-Wang) from :mod:`simlab.kernels.cluster`.
"""

import time
from dataclasses import dataclass, field
from functools import cached_property

import numba
import numpy as np
from tqdm.auto import tqdm

from simlab.errors import ConfigError
from simlab.kernels import cluster, potts, single_spin
from simlab.kernels import multispin as multispin_kernels
from simlab.models.lattice import IsingLattice, PottsLattice
from simlab.results import Result
from simlab.rng import stream_states, validate_seed
from simlab.rules import (
    CLUSTER_ALGORITHMS,
    INITIAL_STATES,
    LATTICE_KERNELS,
    LATTICE_ALGORITHMS,
    SCANS,
    cluster_bond_probability,
    flip_probability_table,
    potts_table,
)
from simlab.samplers import multispin
from simlab.validation import choice, integer
from simlab.validation import temperatures as validated_temperatures


@dataclass
class LatticeRun(Result):
    """Recorded time series of a :func:`sample_lattice` run.

    Attributes
    ----------
    model : IsingLattice or PottsLattice
    temperatures : ndarray, shape (T,)
    bond_sum : ndarray, shape (T, chains, sweeps), int32
        After each recorded sweep: sum_<ij> s_i s_j (Ising) or the number of satisfied
        bonds sum_<ij> delta(s_i, s_j) (Potts).
    magnetization : ndarray, shape (T, chains, sweeps), int32
        After each recorded sweep: sum_i s_i (Ising) or q max_k N_k - N (Potts).
    spins : ndarray, shape (T, chains, N), int8
        Final configurations.
    algorithm, scan, init : str
    seed, thermalization : int
    kernel : str
        "scalar" (one chain per spin array) or "multispin" (64 chains per 64-bit word, each
        replica with its own random bits, so the chains are independent).
    clusters_per_sweep : ndarray, shape (T, chains), int64
        Wolff clusters per recorded sweep (0 for the other rules).
    mean_cluster_size : ndarray, shape (T, chains)
        Sites per cluster over the recorded sweeps (Wolff, Swendsen-Wang; NaN otherwise).
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
    kernel: str = "scalar"
    clusters_per_sweep: np.ndarray = None
    mean_cluster_size: np.ndarray = None
    wall_time: float = field(default=0.0)

    META = {"energy_series": ("total energy E after the sweep", "J"),
            "magnetization_series": ("total magnetisation M after the sweep (Potts: "
                                     "q max_k N_k - N)", "1"),
            "final_spins": ("spin configuration after the last sweep", "1")}

    @cached_property
    def energy(self):
        """Total energy E = -J bond_sum - h M, shape (T, chains, sweeps), float64 (computed
        once)."""
        return self.model.energy_from_sums(self.bond_sum, self.magnetization)

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
            model=describe(self.model),
            algorithm=self.algorithm, scan=self.scan, init=self.init, seed=self.seed,
            kernel=self.kernel, wall_time_s=self.wall_time)


def describe(model):
    """One line naming the lattice model and its parameters."""
    if isinstance(model, PottsLattice):
        return f"{model.q}-state Potts lattice {model.rows}x{model.cols}, J={model.coupling:g}"
    return (f"Ising lattice {model.rows}x{model.cols}, J={model.coupling:g}, "
            f"h={model.field:g}")


def chain_key(model, temperature):
    """The seed key of the chains of ``model`` at ``temperature`` (see :mod:`simlab.rng`)."""
    return (*model.seed_key, float(temperature))


def sample_lattice(model, temperatures, *, chains=8, sweeps=10_000, thermalization=1_000,
                   algorithm="metropolis", scan="random", init="ordered", seed=0, record=True,
                   progress=False, threads=None, clusters_per_sweep=None, kernel="auto"):
    """Run independent Markov chains of a lattice Ising or Potts model at each temperature.

    Parameters
    ----------
    model : IsingLattice or PottsLattice
    temperatures : array_like, shape (T,)
        Temperatures > 0 (units of J/k_B).
    chains : int
        Independent chains per temperature, each with its own random stream.
    sweeps : int
        Recorded sweeps per chain (one sweep = one update attempt per site, one
        Swendsen-Wang update, or ``clusters_per_sweep`` Wolff clusters).
    thermalization : int
        Unrecorded sweeps before recording.
    algorithm : {"metropolis", "heatbath", "wolff", "swendsen-wang"}
        The cluster rules need J > 0 and no field.
    scan : {"random", "sequential"}
        Site order of the single-site rules within a sweep of N attempts. Random scan is
        irreducible for both rules; sequential Metropolis is not on some small Ising tori
        (zero-cost flips cycle deterministically), sequential heat bath always is.
    init : {"ordered", "random"}
        All sites in the first state (+1, or Potts state 0), or each uniformly at random
        from the chain's stream.
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
    clusters_per_sweep : int, optional
        Wolff only: clusters per sweep. If omitted, the first half of the thermalisation
        moves clusters until N sites have moved per sweep and measures the mean cluster size
        <|C|> of each chain; that chain then uses round(N / <|C|>) clusters per sweep (1 if
        ``thermalization`` < 2), the usual unit in which Wolff autocorrelation times are
        quoted.
    kernel : {"auto", "scalar", "multispin"}
        "multispin" runs 64 chains per 64-bit word (:mod:`simlab.kernels.multispin`,
        independent mode: every chain its own random bits, so the chains are independent and
        each follows the scalar sequential-scan chain's law). It takes Ising lattices with
        field 0 or +-J, Metropolis or heat bath, sequential scan; "auto" picks it for those
        when ``chains >= 64`` and the scalar kernels otherwise. The result's ``kernel``
        says which ran.

    Returns
    -------
    LatticeRun
    """
    start = time.perf_counter()
    if not isinstance(model, (IsingLattice, PottsLattice)):
        raise ConfigError("model", type(model).__name__, "an IsingLattice or PottsLattice")
    temps = validated_temperatures("temperatures", temperatures)
    chains = integer("chains", chains, 1)
    sweeps = integer("sweeps", sweeps, 1)
    thermalization = integer("thermalization", thermalization, 0)
    algorithm = choice("algorithm", algorithm, LATTICE_ALGORITHMS)
    scan = choice("scan", scan, SCANS)
    init = choice("init", init, INITIAL_STATES)
    seed = validate_seed(seed)
    kernel = choice("kernel", kernel, LATTICE_KERNELS)
    why_not = multispin.lattice_unsupported(model, algorithm, scan)
    if kernel == "multispin" and why_not:
        raise ConfigError("kernel", kernel, f"'scalar' or 'auto' here: {why_not}")
    use_multispin = kernel == "multispin" or (kernel == "auto" and not why_not
                                              and chains >= 64)
    if clusters_per_sweep is not None:
        if algorithm != "wolff":
            raise ConfigError("clusters_per_sweep", clusters_per_sweep,
                              "unset unless algorithm is 'wolff'")
        clusters_per_sweep = integer("clusters_per_sweep", clusters_per_sweep, 1)
    if algorithm in CLUSTER_ALGORITHMS:
        if model.coupling <= 0:
            raise ConfigError("coupling", model.coupling,
                              f"J > 0 for the {algorithm} cluster update")
        if model.field != 0:
            raise ConfigError("field", model.field, f"0 for the {algorithm} cluster update")
    if threads is not None:
        numba.set_num_threads(min(integer("threads", threads, 1), numba.config.NUMBA_NUM_THREADS))

    n_temps, n_sites = temps.size, model.n_sites
    if use_multispin:
        return _sample_words(model, temps, chains, sweeps, thermalization, algorithm, init,
                             seed, record, progress, start)
    n_total = n_temps * chains
    ising = isinstance(model, IsingLattice)
    states = np.concatenate([stream_states(seed, chain_key(model, t), chains) for t in temps])
    if ising:
        spins = np.ones((n_total, n_sites), dtype=np.int8)
        if init == "random":
            single_spin.randomize(spins, states)
        bond = model.bond_sum(spins).astype(np.int64)
        mag = spins.sum(axis=1, dtype=np.int64)
    else:
        spins = np.zeros((n_total, n_sites), dtype=np.int8)
        if init == "random":
            potts.randomize(spins, model.q, states)
        bond = model.bond_sum(spins)
        mag = model.order_parameter_sum(spins)
    n_recorded = sweeps if record else 0
    bond_series = np.zeros((n_total, n_recorded), dtype=np.int32)
    mag_series = np.zeros((n_total, n_recorded), dtype=np.int32)
    no_series = np.zeros((n_total, 0), dtype=np.int32)
    random_scan = scan == "random"
    per_sweep = np.zeros(n_total, dtype=np.int64)
    work = np.zeros((n_total, 2), dtype=np.int64)

    if algorithm in CLUSTER_ALGORITHMS:
        p_add = np.repeat([cluster_bond_probability(t, model.coupling, ising) for t in temps],
                          chains)
        kind = cluster.WOLFF if algorithm == "wolff" else cluster.SWENDSEN_WANG

        def advance(n, series, offset):
            cluster.run_chains(spins, model.neighbours, p_add, ising, getattr(model, "q", 2),
                               kind, per_sweep, states, bond, mag, n, *series, offset, work)
    elif ising:
        degree = model.neighbours.shape[1]
        tables = np.stack([flip_probability_table(algorithm, t, model.coupling, model.field,
                                                  degree) for t in temps])
        tables = np.ascontiguousarray(np.repeat(tables, chains, axis=0))

        def advance(n, series, offset):
            single_spin.run_chains(spins, model.neighbours, tables, states, bond, mag, n,
                                   random_scan, *series, offset)
    else:
        degree = model.neighbours.shape[1]
        tables = np.stack([potts_table(algorithm, t, model.coupling, degree) for t in temps])
        tables = np.ascontiguousarray(np.repeat(tables, chains, axis=0))
        rule = potts.HEAT_BATH if algorithm == "heatbath" else 0

        def advance(n, series, offset):
            potts.run_chains(spins, model.neighbours, model.q, tables, rule, states, bond, mag,
                             n, random_scan, *series, offset)

    bar, run = _blocks(advance, thermalization + sweeps, progress,
                       f"{algorithm} L={model.rows}x{model.cols}", no_series)

    if algorithm == "wolff":
        if clusters_per_sweep is not None:
            per_sweep[:] = clusters_per_sweep
            run(thermalization, (no_series, no_series))
        else:
            pilot = thermalization // 2
            run(pilot, (no_series, no_series))     # per_sweep = 0: until N sites moved
            per_sweep[:] = 1
            if pilot:
                per_sweep[:] = np.maximum(1, np.rint(n_sites * work[:, 0] / work[:, 1]))
            run(thermalization - pilot, (no_series, no_series))
    else:
        run(thermalization, (no_series, no_series))
    work[:] = 0
    run(sweeps, (bond_series, mag_series))
    bar.close()

    shape = (n_temps, chains)
    cluster_size = np.full(n_total, np.nan)
    if algorithm in CLUSTER_ALGORITHMS:
        cluster_size = work[:, 1] / work[:, 0]
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
        clusters_per_sweep=per_sweep.reshape(shape),
        mean_cluster_size=cluster_size.reshape(shape),
        wall_time=time.perf_counter() - start,
    )


def _blocks(advance, total, progress, description, no_series):
    """A progress bar and ``run(n_sweeps, series)``, which calls ``advance(n, series,
    offset)`` in blocks of about total / 50 sweeps (no_series while nothing is recorded)."""
    block = max(1, total // 50)
    bar = tqdm(total=total, disable=not progress, unit="sweep", desc=description, leave=False)

    def run(n_sweeps, series):
        done = 0
        while done < n_sweeps:
            n = min(block, n_sweeps - done)
            advance(n, series if series[0].shape[1] else (no_series, no_series), done)
            done += n
            bar.update(n)

    return bar, run


def _sample_words(model, temps, chains, sweeps, thermalization, algorithm, init, seed, record,
                  progress, start):
    """:func:`sample_lattice` on the multi-spin kernel: the chains at temperature T are the
    replicas of ceil(chains / 64) words, word w with streams keyed (model, T, "multispin",
    w); unused bits of the last word run but are discarded."""
    g = multispin.lattice_bit_graph(model)
    n_sites = model.n_sites
    per_temp = -(-chains // 64)
    n_words = temps.size * per_temp
    spins = np.zeros((n_sites + 1, n_words), dtype=np.uint64)
    words = np.empty((4, n_words), dtype=np.uint64)
    for t, temp in enumerate(temps):
        key = chain_key(model, temp) + ("multispin",)
        cols = slice(t * per_temp, (t + 1) * per_temp)
        words[:, cols] = stream_states(seed, key + ("word",), per_temp).T
        if init == "random":
            spins[:n_sites, cols] = 0
            multispin_kernels.random_words(stream_states(seed, key + ("start",), per_temp),
                                           spins[:n_sites, cols])
    betas = g["scale"] / temps
    word_table = np.repeat(np.arange(temps.size, dtype=np.int64), per_temp)
    n_recorded = sweeps if record else 0
    bond_series = np.zeros((64 * n_words, n_recorded), dtype=np.int32)
    mag_series = np.zeros((64 * n_words, n_recorded), dtype=np.int32)
    no_series = np.zeros((64 * n_words, 0), dtype=np.int32)
    heat_bath = algorithm == "heatbath"

    def advance(n, series, offset):
        multispin_kernels.sample_words(g["neighbours"], g["signs"], g["degree"], g["slots"],
                                       betas, word_table, heat_bath, words, spins,
                                       g["bond_slots"], n, *series, offset,
                                       max(1, min(numba.get_num_threads(), n_words)))

    bar, run = _blocks(advance, thermalization + sweeps, progress,
                       f"{algorithm} L={model.rows}x{model.cols} (multi-spin)", no_series)
    run(thermalization, (no_series, no_series))
    run(sweeps, (bond_series, mag_series))
    bar.close()

    def by_temperature(a):
        return np.ascontiguousarray(a.reshape(temps.size, 64 * per_temp, *a.shape[1:])[:, :chains])

    final = np.empty((64 * n_words, n_sites), dtype=np.int8)
    multispin_kernels.unpack(spins[:n_sites], 64 * n_words, final)
    shape = (temps.size, chains)
    return LatticeRun(
        model=model, temperatures=temps, bond_sum=by_temperature(bond_series),
        magnetization=by_temperature(mag_series), spins=by_temperature(final),
        algorithm=algorithm, scan="sequential", init=init, seed=seed,
        thermalization=thermalization, kernel="multispin",
        clusters_per_sweep=np.zeros(shape, dtype=np.int64),
        mean_cluster_size=np.full(shape, np.nan), wall_time=time.perf_counter() - start)
