"""Sampling and learning for general Boltzmann machines.

- :func:`gibbs_states`: independent heat-bath chains, optionally with units clamped;
- :func:`encoder_task` and :func:`learn_encoder`: the encoder problems of Ackley, Hinton &
  Sejnowski (1985) learned with their procedure, many independent runs in parallel.
"""

from dataclasses import dataclass

import numpy as np

from simlab.errors import ConfigError
from simlab.kernels import boltzmann as kernels
from simlab.models.boltzmann import BoltzmannMachine, layered_mask
from simlab.results import Result
from simlab.rng import generator, stream_states, validate_seed
from simlab.samplers.progress import kernel_progress, progress_bar
from simlab.validation import integer, number

#: Ackley, Hinton & Sejnowski's annealing schedule: (temperature, sweeps) pairs.
AHS_SCHEDULE = ((20.0, 2), (15.0, 2), (12.0, 2), (10.0, 4))


@dataclass
class GibbsSamples(Result):
    """Final states of independent heat-bath chains of a Boltzmann machine.

    Attributes
    ----------
    states : int8[n_samples, N]
        {0, 1} states.
    temperature : float
    clamp : int64[N]
        -1 for free units, else the clamped value.
    seed : int
    """

    states: np.ndarray
    temperature: float
    clamp: np.ndarray
    seed: int

    META = {"state": ("unit state after the burn-in", "1"),
            "clamp": ("clamped value of the unit (-1: free)", "1")}

    def to_dataset(self):
        """``state`` (sample, site) and ``clamp`` (site)."""
        return self._dataset({"state": (("sample", "site"), self.states),
                              "clamp": ("site", self.clamp)},
                             {"sample": np.arange(self.states.shape[0]),
                              "site": np.arange(self.states.shape[1])},
                             temperature=self.temperature, seed=self.seed)


def gibbs_states(machine, temperature, n_samples, burn_in, seed=0, clamp=None):
    """Final states of ``n_samples`` independent heat-bath chains.

    Parameters
    ----------
    machine : BoltzmannMachine
    temperature : float
    n_samples : int
    burn_in : int
        Sweeps per chain (random start).
    clamp : array_like of int, shape (N,), optional
        0 or 1 to clamp a unit, -1 to leave it free.

    Returns
    -------
    GibbsSamples
    """
    if not isinstance(machine, BoltzmannMachine):
        raise ConfigError("machine", type(machine).__name__, "a BoltzmannMachine")
    t = number("temperature", temperature, positive=True)
    n_samples = integer("n_samples", n_samples, 1)
    burn_in = integer("burn_in", burn_in, 1)
    seed = validate_seed(seed)
    n = machine.n_units
    c = np.full(n, -1) if clamp is None else np.asarray(clamp).astype(np.int64)
    if c.shape != (n,) or not np.all(np.isin(c, (-1, 0, 1))):
        raise ConfigError("clamp", c.tolist(), f"{n} values, each -1 (free), 0 or 1")
    states = stream_states(seed, ("bm_gibbs", n, t), n_samples)
    rng = generator(seed, "bm_gibbs_initial", n, t)
    initial = rng.integers(0, 2, size=(n_samples, n)).astype(np.int8)
    clamped = c >= 0
    initial[:, clamped] = c[clamped]
    out = np.empty_like(initial)
    kernels.sample_states(machine.weights, machine.biases, clamped, initial, t, burn_in,
                          states, out)
    return GibbsSamples(out, t, c, seed)


ENCODER_STATISTICS = ("sampled", "exact-free", "exact")
ENCODER_RULES = ("sign", "gradient")


def encoder_task(n_in, n_hidden, connect_hidden=True, connect_visible=True):
    """Patterns and connectivity of an n_in - n_hidden - n_in encoder.

    Units: input group V1 (n_in), output group V2 (n_in), hidden group H. Pattern p has unit
    p of V1 and unit p of V2 on. V1 and V2 are never connected to each other; both are fully
    connected to H; ``connect_hidden`` connects the hidden units with each other and
    ``connect_visible`` the units within V1 and within V2.

    Returns
    -------
    (int8[n_in, 2 n_in], bool[N, N])
    """
    n_in = integer("n_in", n_in, 2)
    n_hidden = integer("n_hidden", n_hidden, 1, 12)
    pairs = [("V1", "H"), ("V2", "H")]
    if connect_hidden:
        pairs.append(("H", "H"))
    if connect_visible:
        pairs += [("V1", "V1"), ("V2", "V2")]
    mask, _ = layered_mask({"V1": n_in, "V2": n_in, "H": n_hidden}, pairs)
    eye = np.eye(n_in, dtype=np.int8)
    return np.concatenate([eye, eye], axis=1), mask


@dataclass
class EncoderResult(Result):
    """Outcome of :func:`learn_encoder`.

    Attributes
    ----------
    cycles : int64[R]
        Learning cycles until the machine first solved the task, -1 if it did not within
        ``max_cycles``.
    weights : float64[R, N, N]; biases : float64[R, N]
        Final parameters of each run.
    """

    cycles: np.ndarray
    weights: np.ndarray
    biases: np.ndarray
    max_cycles: int
    n_in: int
    n_hidden: int

    META = {"cycles": ("learning cycles until solved (-1: not within max_cycles)", "cycles"),
            "distinct_codes": ("patterns with a unique, unshared hidden code (final machine)",
                               "1"),
            "weight": ("final weight W_ij of the run", "1"),
            "bias": ("final bias b_i of the run", "1"),
            "site2": ("second unit of a weight", "1")}

    def to_dataset(self):
        """``cycles`` and ``distinct_codes`` (run), final ``weight`` (run, site, site2) and
        ``bias`` (run, site)."""
        return self._dataset(
            {"cycles": ("run", self.cycles), "distinct_codes": ("run", self.distinct_codes()),
             "weight": (("run", "site", "site2"), self.weights),
             "bias": (("run", "site"), self.biases)},
            {"run": np.arange(self.cycles.size), "site": np.arange(self.biases.shape[1]),
             "site2": np.arange(self.biases.shape[1])},
            encoder=f"{self.n_in}-{self.n_hidden}-{self.n_in}", max_cycles=self.max_cycles)

    @property
    def solved(self):
        """bool[R]: runs that solved the task (distinct codes and correct completion)."""
        return self.cycles > 0

    def distinct_codes(self):
        """int64[R]: number of patterns whose unique lowest-energy hidden code (both visible
        groups clamped) is shared with no other pattern, for the final machines."""
        patterns, _ = encoder_task(self.n_in, self.n_hidden)
        n = self.weights.shape[1]
        out = np.empty(self.cycles.size, dtype=np.int64)
        for r in range(self.cycles.size):
            codes = []
            for p in patterns:
                s = np.zeros(n, dtype=np.int8)
                s[: p.size] = p
                _, count, arg = kernels.min_energy_count(
                    self.weights[r], self.biases[r], s, np.arange(p.size, n), self.n_hidden)
                codes.append(arg if count == 1 else -1 - len(codes))
            values, counts = np.unique(codes, return_counts=True)
            out[r] = int(sum(c for v, c in zip(values, counts) if v >= 0 and c == 1))
        return out


def learn_encoder(n_in, n_hidden, runs, seed=0, max_cycles=2000, schedule=AHS_SCHEDULE,
                  stat_temperature=10.0, stat_sweeps=10, noise=(0.15, 0.05), step=2.0,
                  connect_hidden=True, connect_visible=True, statistics="sampled",
                  rule="sign", initial_spread=0.0, progress=False):
    """Learn the encoder problem ``runs`` times with the 1985 procedure.

    Parameters
    ----------
    schedule : sequence of (temperature, sweeps)
        Annealing before statistics are counted (default: 2 sweeps at 20, 2 at 15, 2 at 12,
        4 at 10).
    stat_temperature, stat_sweeps : statistics counted after each of these sweeps.
    noise : (on -> off, off -> on) flip probabilities of noisy clamping.
    step : fixed weight change per cycle.
    statistics : {"sampled", "exact-free", "exact"}
        How the co-occurrences are estimated. "sampled" is the 1985 procedure (annealing,
        then ``stat_sweeps`` Gibbs sweeps per phase). "exact-free" replaces the free phase by
        its equilibrium expectation at ``stat_temperature``, summed exactly over all states
        (the limit of perfect free-phase sampling); "exact" does the same for the clamped
        phase, given each noisy presentation. Exact statistics need n_in <= 10.
    progress : bool
        Show a bar over the runs (a run counts as finished when solved or at
        ``max_cycles``).

    Returns
    -------
    EncoderResult
    """
    patterns, mask = encoder_task(n_in, n_hidden, connect_hidden, connect_visible)
    runs = integer("runs", runs, 1)
    max_cycles = integer("max_cycles", max_cycles, 1)
    temps = np.array([number("schedule temperature", t, positive=True) for t, _ in schedule])
    sweeps = np.array([integer("schedule sweeps", k, 1) for _, k in schedule], dtype=np.int64)
    for key, p in zip(("noise on->off", "noise off->on"), noise):
        if not 0 <= number(key, p) < 1:
            raise ConfigError(key, p, "a probability in [0, 1)")
    if statistics not in ENCODER_STATISTICS:
        raise ConfigError("statistics", statistics, f"one of {ENCODER_STATISTICS}")
    if rule not in ENCODER_RULES:
        raise ConfigError("rule", rule, f"one of {ENCODER_RULES}")
    initial_spread = number("initial_spread", initial_spread)
    if initial_spread < 0 or (statistics == "exact" and initial_spread == 0):
        raise ConfigError("initial_spread", initial_spread,
                          "a number > 0 with statistics='exact' (>= 0 otherwise)")
    if statistics != "sampled" and n_in > 10:
        raise ConfigError("n_in", n_in, f"at most 10 with statistics={statistics!r}")
    n = mask.shape[0]
    states = stream_states(seed, ("encoder", n_in, n_hidden), runs)
    cycles = np.empty(runs, dtype=np.int64)
    weights = np.empty((runs, n, n))
    biases = np.empty((runs, n))
    stat_temperature = number("stat_temperature", stat_temperature, positive=True)
    stat_sweeps = integer("stat_sweeps", stat_sweeps, 1)
    step = number("step", step, positive=True)
    name = f"learning {n_in}-{n_hidden}-{n_in}"
    with (progress_bar(runs, name, progress, unit="run") as bar,
          kernel_progress(bar, runs, max_cycles) as done):
        kernels.learn_encoder(mask, patterns, n_in, n_hidden, temps, sweeps, stat_temperature,
                              stat_sweeps, float(noise[0]), float(noise[1]), step, max_cycles,
                              ENCODER_STATISTICS.index(statistics), rule == "gradient",
                              initial_spread, states, cycles, weights, biases, done)
    return EncoderResult(cycles, weights, biases, max_cycles, n_in, n_hidden)
