"""Annealed walkers on small explicit landscapes (the chains of Hajek's theorem).

One step is one proposal to one of the state's ``max_degree`` slots (a missing neighbour
means "stay"), accepted by Metropolis or heat bath at the schedule's temperature; walkers are
independent, each with its stream ``derive(seed, "anneal_landscape", n_states, read)``.
:func:`simlab.exact.markov.landscape_annealing` gives the exact law of the same chain.
"""

from dataclasses import dataclass

import numpy as np

from simlab.errors import ConfigError
from simlab.kernels import annealing as kernels
from simlab.models.landscape import Landscape
from simlab.results import Result
from simlab.rng import stream_states, validate_seed
from simlab.rules import ALGORITHMS
from simlab.schedules import Schedule
from simlab.validation import choice, integer


@dataclass
class LandscapeWalk(Result):
    """States of annealed walkers on a landscape (:func:`anneal_landscape`).

    Attributes
    ----------
    states : int32[R, S]
        The state of each walker after each recorded number of steps.
    record_steps : int64[S]
    schedule : Schedule
    algorithm : str
    seed : int
    """

    states: np.ndarray
    record_steps: np.ndarray
    schedule: Schedule
    algorithm: str
    seed: int

    META = {"walker_state": ("state of the walker", "1"),
            "record_step": ("steps done (one proposal each)", "1")}

    def fraction_in(self, state):
        """float64[S]: fraction of walkers in ``state`` after each recorded step count."""
        return (self.states == state).mean(axis=0)

    def to_dataset(self):
        """``walker_state`` with dims (read, record_step)."""
        return self._dataset({"walker_state": (("read", "record_step"), self.states)},
                             {"read": np.arange(self.states.shape[0]),
                              "record_step": self.record_steps},
                             algorithm=self.algorithm, seed=self.seed,
                             schedule=self.schedule.describe())


def anneal_landscape(landscape, schedule, reads, record_steps, seed=0, algorithm="metropolis",
                     start=0):
    """States of ``reads`` walkers on a landscape after each of ``record_steps`` steps.

    One step is one proposal (``schedule.sweeps_per_step`` proposals per temperature).

    Returns
    -------
    LandscapeWalk
    """
    if not isinstance(landscape, Landscape):
        raise ConfigError("landscape", type(landscape).__name__, "a Landscape")
    if not isinstance(schedule, Schedule):
        raise ConfigError("schedule", type(schedule).__name__, "a simlab.schedules.Schedule")
    reads = integer("reads", reads, 1)
    seed = validate_seed(seed)
    choice("algorithm", algorithm, ALGORITHMS)
    steps = _record_steps(record_steps, schedule)
    start = integer("start", start, 0, landscape.n_states - 1)
    states = stream_states(seed, ("anneal_landscape", landscape.n_states), reads)
    out = np.empty((reads, steps.size), dtype=np.int32)
    kernels.anneal_landscape(landscape.energies, landscape.indptr, landscape.indices,
                             landscape.max_degree, np.ascontiguousarray(schedule.temperatures),
                             schedule.sweeps_per_step, algorithm == "heatbath", states,
                             np.full(reads, start, dtype=np.int64), steps, out)
    return LandscapeWalk(out, steps, schedule, algorithm, seed)


def _record_steps(record_steps, schedule):
    steps = np.asarray(record_steps, dtype=np.int64).ravel()
    if steps.size == 0 or np.any(np.diff(steps) <= 0) or steps[0] < 0 \
            or steps[-1] > schedule.n_sweeps:
        raise ConfigError("record_steps", list(steps[:5]),
                          f"increasing step counts in 0..{schedule.n_sweeps}")
    return steps
