"""Parallel tempering (replica exchange) over a temperature ladder, for any simlab model.

:func:`replica_exchange` runs ``systems`` independent copies of an R-rung ladder. Between
exchanges every replica is swept ``exchange_every`` times at its rung's temperature (by the
model's replica set, :mod:`simlab.samplers.replicas`); then neighbouring rungs try to
exchange (even pairs and odd pairs alternately, :mod:`simlab.kernels.tempering`).

With ``adaptive=True`` the ladder is tuned before recording (its ends stay fixed). After
each tuning round with acceptances A_i between rungs i and i+1, the ladder is redrawn in
inverse temperature so that every interval carries the same share of sum_i sqrt(-ln A_i)
(for Gaussian energy distributions -ln A grows as the square of the beta step), which
equalises the acceptances; rungs are added while the equalised acceptance would stay below
``target_acceptance``. The recorded run uses the final ladder unchanged, so detailed balance
holds for everything recorded.

Reported: the energy at each rung after every exchange round, acceptance per pair of rungs,
and round trips: a replica's round trip is the time between two arrivals at the coldest
rung with a visit to the hottest rung in between (Katzgraber et al., J. Stat. Mech. P03018,
2006).
"""

import time
from dataclasses import dataclass, field

import numba
import numpy as np
from tqdm.auto import tqdm

from simlab.errors import ConfigError
from simlab.kernels import tempering as kernel
from simlab.results import Result, mark_missing
from simlab.rng import grouped_stream_states, validate_seed
from simlab.samplers.replicas import replicas_for
from simlab.validation import integer, number
from simlab.validation import temperatures as validated_temperatures

MAX_RUNGS = 128


@dataclass
class ReplicaExchangeRun(Result):
    """What :func:`replica_exchange` recorded.

    Attributes
    ----------
    temperatures : ndarray, shape (R,)
        The ladder used for recording, increasing.
    energy : ndarray, shape (R, systems, sweeps)
        Total energy of the replica at each rung after every exchange round.
    magnetization : ndarray, shape (R, systems, sweeps) or None
        Order parameter sum (lattice models only).
    states : ndarray, shape (R, systems, N), int8
        Final configuration at each rung.
    acceptance : ndarray, shape (R - 1,)
        Accepted fraction of exchanges between rungs i and i + 1 while recording.
    round_trips : int
        Completed round trips (all systems) while recording.
    round_trip_time : float
        Mean round-trip time in exchange rounds (NaN if none was completed).
    ladder_history : list of ndarray
        The ladder of each tuning round, then the final one.
    exchange_every, thermalization, seed : int
    wall_time : float
    """

    temperatures: np.ndarray
    energy: np.ndarray
    magnetization: np.ndarray
    states: np.ndarray
    acceptance: np.ndarray
    round_trips: int
    round_trip_time: float
    ladder_history: list
    exchange_every: int
    thermalization: int
    seed: int
    wall_time: float = field(default=0.0)

    META = {"energy_series": ("total energy E at the rung after the exchange round", "J"),
            "magnetization_series": ("order parameter sum at the rung after the round", "1"),
            "final_states": ("configuration at the rung after the last round", "1"),
            "acceptance": ("accepted fraction of exchanges with the next rung", "1"),
            "rung_pair": ("pair of neighbouring rungs i, i+1", "1"),
            "system": ("independent replica-exchange system", "1")}

    def to_dataset(self):
        """Series (temperature, system, sweep), acceptance per rung pair, round trips."""
        data = {"energy_series": (("temperature", "system", "sweep"), self.energy),
                "final_states": (("temperature", "system", "site"), self.states),
                "acceptance": (("rung_pair",), self.acceptance)}
        if self.magnetization is not None:
            data["magnetization_series"] = (("temperature", "system", "sweep"),
                                            self.magnetization)
        ds = self._dataset(
            data,
            {"temperature": self.temperatures, "system": np.arange(self.energy.shape[1]),
             "sweep": self.exchange_every * (np.arange(self.energy.shape[2]) + 1),
             "site": np.arange(self.states.shape[-1]),
             "rung_pair": np.arange(self.acceptance.size)},
            round_trips=self.round_trips, round_trip_time=self.round_trip_time,
            exchange_every=self.exchange_every, seed=self.seed,
            tuning_rounds=len(self.ladder_history) - 1, wall_time_s=self.wall_time)
        if np.isnan(self.round_trip_time):
            ds.attrs["round_trip_time_reason"] = "no replica completed a round trip"
        if self.acceptance.size and np.isnan(self.acceptance).any():
            mark_missing(ds, "acceptance", "no exchange attempted")
        return ds


def redistribute(temperatures, acceptance, target):
    """A ladder with equal predicted acceptance between neighbours (see module docstring).

    Parameters
    ----------
    temperatures : ndarray, shape (R,), increasing
    acceptance : ndarray, shape (R - 1,), measured (zeros are floored at 1e-3)
    target : float
        Minimum acceptance wanted; rungs are added until the equalised prediction reaches it.

    Returns
    -------
    ndarray, shape (R',), increasing, same ends
    """
    beta = 1.0 / temperatures[::-1]              # increasing beta: hot end first
    cost = np.sqrt(-np.log(np.clip(acceptance[::-1], 1e-3, 1.0)))
    cost = np.maximum(cost, 1e-3)
    cumulative = np.concatenate([[0.0], np.cumsum(cost)])
    rungs = temperatures.size
    needed = int(np.ceil(cumulative[-1] / np.sqrt(-np.log(target)))) + 1
    rungs = int(min(max(rungs, needed), MAX_RUNGS))
    new_beta = np.interp(np.linspace(0, cumulative[-1], rungs), cumulative, beta)
    return np.sort(1.0 / new_beta)


def replica_exchange(model, temperatures, *, systems=4, sweeps=10_000, thermalization=1_000,
                     exchange_every=1, adaptive=False, target_acceptance=0.3, tune_rounds=6,
                     tune_sweeps=1_000, algorithm="metropolis", scan="random", seed=0,
                     record=True, progress=False, threads=None):
    """Parallel tempering of ``model`` over a temperature ladder.

    Parameters
    ----------
    model : IsingLattice, PottsLattice, IsingGraph or RBMParameters
    temperatures : array_like, shape (R,)
        The ladder (sorted on input), R >= 2; with ``adaptive`` its ends and starting size.
    systems : int
        Independent copies of the whole ladder (their spread gives error bars).
    sweeps : int
        Recorded exchange rounds; each round is ``exchange_every`` sweeps of every replica
        and one exchange step.
    thermalization : int
        Unrecorded rounds on the final ladder before recording.
    adaptive : bool
        Tune the ladder first (``tune_rounds`` rounds of ``tune_sweeps`` exchange rounds).
    target_acceptance : float
        Acceptance between neighbours the tuning aims for (rungs are added to reach it).
    algorithm, scan : str
        Update rule of the replicas (see :mod:`simlab.samplers.replicas`).
    seed : int
        System c draws its R replica streams and its exchange stream from
        ``derive(seed, "tempering", model, R, c)`` (:func:`simlab.rng.grouped_stream_states`),
        so a system's result depends on the seed, the model, the ladder size and c only.
    record : bool
        If False, only the final states (and acceptances) are kept.
    progress : bool
    threads : int, optional

    Returns
    -------
    ReplicaExchangeRun
    """
    start = time.perf_counter()
    ladder = np.sort(validated_temperatures("temperatures", temperatures))
    if ladder.size < 2 or np.any(np.diff(ladder) <= 0):
        raise ConfigError("temperatures", temperatures, "at least 2 distinct temperatures")
    if not np.all(np.isfinite(ladder)):
        raise ConfigError("temperatures", temperatures, "finite temperatures")
    systems = integer("systems", systems, 1)
    sweeps = integer("sweeps", sweeps, 1)
    thermalization = integer("thermalization", thermalization, 0)
    exchange_every = integer("exchange_every", exchange_every, 1)
    target_acceptance = number("target_acceptance", target_acceptance)
    if not 0 < target_acceptance < 1:
        raise ConfigError("target_acceptance", target_acceptance, "a fraction in (0, 1)")
    tune_rounds = integer("tune_rounds", tune_rounds, 1)
    tune_sweeps = integer("tune_sweeps", tune_sweeps, 1)
    seed = validate_seed(seed)
    if threads is not None:
        numba.set_num_threads(min(integer("threads", threads, 1), numba.config.NUMBA_NUM_THREADS))

    history = []
    bar = tqdm(disable=not progress, unit="round", leave=False,
               total=(tune_rounds * tune_sweeps if adaptive else 0) + thermalization + sweeps,
               desc="replica exchange")
    if adaptive:
        for _ in range(tune_rounds):
            history.append(ladder)
            chain = _Chain(model, ladder, systems, seed, algorithm, scan)
            chain.run(tune_sweeps, exchange_every, bar)
            ladder = redistribute(ladder, chain.acceptance(), target_acceptance)
    history.append(ladder)
    chain = _Chain(model, ladder, systems, seed, algorithm, scan)
    chain.run(thermalization, exchange_every, bar)
    chain.reset_counts()
    n_rec = sweeps if record else 0
    energy = np.zeros((ladder.size, systems, n_rec))
    has_mag = chain.replicas.magnetization is not None
    magnetization = np.zeros((ladder.size, systems, n_rec)) if has_mag else None
    chain.run(sweeps, exchange_every, bar, energy, magnetization)
    bar.close()
    times = np.asarray(chain.trip_times, dtype=np.float64)
    return ReplicaExchangeRun(
        temperatures=ladder, energy=energy, magnetization=magnetization,
        states=chain.states_at_rungs(), acceptance=chain.acceptance(),
        round_trips=int(times.size),
        round_trip_time=float(times.mean()) if times.size else float("nan"),
        ladder_history=history, exchange_every=exchange_every,
        thermalization=thermalization, seed=seed, wall_time=time.perf_counter() - start)


def _model_key(model):
    """What a model's replicas are keyed by: its seed key, or its name and size."""
    key = getattr(model, "seed_key", None)
    if key is not None:
        return key
    if hasattr(model, "name"):
        return (type(model).__name__, model.name, model.n_sites)
    return (type(model).__name__, *np.shape(getattr(model, "weights", ())))


class _Chain:
    """The replicas of all systems on one ladder, with exchange and round-trip bookkeeping."""

    def __init__(self, model, ladder, systems, seed, algorithm, scan):
        self.ladder = ladder
        self.betas = 1.0 / ladder
        self.systems = systems
        rungs = ladder.size
        # System c: one sequence derive(seed, "tempering", model, R, c) gives its R replica
        # streams and, last, the stream of its exchanges.
        states = grouped_stream_states(seed, ("tempering", *_model_key(model), rungs),
                                       systems, rungs + 1).reshape(systems, rungs + 1, 4)
        self.replicas = replicas_for(model, np.ascontiguousarray(
            states[:, :rungs].reshape(-1, 4)), algorithm, scan)
        self.states = np.ascontiguousarray(states[:, rungs])
        self.replica_at = np.tile(np.arange(rungs, dtype=np.int64), (systems, 1))
        self.rung_of = self.replica_at.copy()
        self.parity = 0
        self.rounds = 0
        self.reset_counts()

    def reset_counts(self):
        rungs = self.ladder.size
        self.accepted = np.zeros((self.systems, rungs - 1), dtype=np.int64)
        self.attempted = np.zeros((self.systems, rungs - 1), dtype=np.int64)
        # direction: +1 last end visited was the cold end (rung 0), -1 the hot end, 0 none.
        self.direction = np.zeros((self.systems, rungs), dtype=np.int64)
        self.left_cold = np.full((self.systems, rungs), -1, dtype=np.int64)
        self.trip_times = []

    def acceptance(self):
        with np.errstate(invalid="ignore"):
            return self.accepted.sum(0) / np.where(self.attempted.sum(0) > 0,
                                                   self.attempted.sum(0), np.nan)

    def run(self, rounds, exchange_every, bar, energy=None, magnetization=None):
        rungs = self.ladder.size
        block = max(1, rounds // 50)
        for t in range(rounds):
            temps = self.ladder[self.rung_of].ravel()
            self.replicas.sweep(exchange_every, temps)
            kernel.exchange(self.betas, self.replicas.energy, self.replica_at, self.rung_of,
                            self.parity, self.states, self.accepted, self.attempted)
            self.parity ^= 1
            self.rounds += 1
            self._track_trips(rungs)
            if energy is not None and energy.shape[2]:
                index = (np.arange(self.systems)[:, None] * rungs + self.replica_at)
                energy[:, :, t] = self.replicas.energy[index].T
                if magnetization is not None:
                    magnetization[:, :, t] = self.replicas.magnetization[index].T
            if (t + 1) % block == 0 or t + 1 == rounds:
                bar.update(block if (t + 1) % block == 0 else (t + 1) % block)

    def _track_trips(self, rungs):
        # The coldest rung is rung 0 (lowest temperature), the hottest rung R - 1.
        cold = self.rung_of == 0
        hot = self.rung_of == rungs - 1
        arrived = cold & (self.direction == -1) & (self.left_cold >= 0)
        if arrived.any():
            self.trip_times.extend((self.rounds - self.left_cold[arrived]).tolist())
        self.left_cold[cold & (self.direction != 1)] = self.rounds
        self.direction[cold] = 1
        self.direction[hot] = -1

    def states_at_rungs(self):
        rungs = self.ladder.size
        index = np.arange(self.systems)[:, None] * rungs + self.replica_at
        config = self.replicas.configurations
        return np.transpose(config[index], (1, 0, 2))
