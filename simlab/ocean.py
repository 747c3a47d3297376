"""simlab inside D-Wave's Ocean: dimod samplers backed by simlab's annealing kernels.

:class:`SimulatedAnnealingSampler` is a one-line swap for dwave-samplers' sampler of the
same name::

    from simlab.ocean import SimulatedAnnealingSampler   # was: from dwave.samplers import ...
    sampleset = SimulatedAnnealingSampler().sample(bqm, num_reads=100, num_sweeps=1000)

Parameters that mean the same as in dwave-samplers keep their names and defaults
(``num_reads``, ``num_sweeps``, ``num_sweeps_per_beta``, ``beta_range``,
``beta_schedule_type`` linear/geometric/custom with ``beta_schedule``, ``seed``,
``initial_states`` with ``initial_states_generator``, ``interrupt_function``,
``randomize_order``, ``proposal_acceptance_criteria``); simlab adds the logarithmic schedule
(``beta_schedule_type="logarithmic"``), any :class:`simlab.schedules.Schedule`
(``schedule=``), the kernel choice, the returned states (final or best) and the thread
count. SPIN and BINARY models are accepted (QUBO and Ising dicts through dimod's
``sample_qubo`` / ``sample_ising``); the energies of the returned SampleSet are computed by
dimod itself from the samples. Bad values raise ``ValueError`` (for integers and choices
simlab's ``ConfigError``, a ValueError naming the key, the value and what is allowed),
values of the wrong type and unknown parameters ``TypeError``, as dimod and dwave-samplers
do.

Differences a user should know: the reads run in parallel blocks of ``BLOCK`` reads, and
``interrupt_function`` is called between blocks (dwave-samplers calls it between reads);
each block's random streams are keyed by ``derive(seed, "ocean", block)``, so one seed gives
the same SampleSet whatever the thread count and whether or not an interrupt function is
given. Models whose couplings are +-c and fields 0 or +-c (for one c) run on the multi-spin
kernel in its independent mode (each block one 64-bit word of reads, all blocks in one call
when no interrupt function is given); ``info["kernel"]`` says which kernel ran.
"""

import time
import warnings
from numbers import Integral

import dimod
import numba
import numpy as np

from simlab import schedules
from simlab.models.graph import from_edges
from simlab.rng import fresh_seed, sub_seed
from simlab.rules import KERNELS
from simlab.samplers.annealing import multispin_choice, anneal, anneal_multispin
from simlab.samplers.multispin import word_streams
from simlab.validation import choice, integer

BLOCK = 64
SCHEDULE_TYPES = ("linear", "geometric", "custom", "logarithmic")
GENERATORS = ("none", "tile", "random")
CRITERIA = {"Metropolis": "metropolis", "Gibbs": "heatbath"}
RETURNED = ("final", "best")
#: the stream key of a block's word on the multi-spin kernel
_MULTISPIN_KEY = ("anneal-multispin", "dimod_bqm", "independent")


def _positive_int(name, value, minimum=1):
    """An integer >= ``minimum``: TypeError for a non-integer (as dwave-samplers), else
    simlab's check (ConfigError, a ValueError naming the key, value and what is allowed)."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name!r} should be an integer: value = {value!r}")
    return integer(name, value, minimum)


def _start(bqm, seed, criteria):
    """The checks both samplers share: a BQM, the seed (drawn when None), the acceptance
    criterion. Returns (start time in ns, seed, simlab's algorithm name)."""
    start = time.perf_counter_ns()
    if not isinstance(bqm, dimod.BinaryQuadraticModel):
        raise TypeError(f"expected a dimod.BinaryQuadraticModel, got {type(bqm).__name__}")
    seed = _positive_int("seed", fresh_seed() if seed is None else seed, 0)
    return start, seed, CRITERIA[choice("proposal_acceptance_criteria", criteria, CRITERIA)]


#: dwave-samplers' target rate of single-spin excitations at the cold end of the default range.
EXCITATION_RATE = 0.01


def default_beta_range(bqm):
    """dwave-samplers' default ``beta_range`` of ``bqm``, computed by its rule.

    On the SPIN form of the model, with b_i = |h_i| + sum_j |J_ij| the largest change of the
    effective field at spin i and m_i its smallest non-zero |bias| (h_i or a J_ij):

    - hot: beta = ln 2 / (2 max_i b_i), where even the largest flip is accepted with
      probability 1/2 (1 if every b_i is 0);
    - cold: beta = ln(n_min / 0.01) / (2 min_i m_i), with n_min the number of spins whose m_i
      is the smallest, so that a minimum is left with probability about 0.01 per sweep (the
      hot beta if no bias is non-zero);
    - a model whose biases are all zero gets (0.1, 1.0) and dwave's warning.

    The biases are summed in dimod's order, as dwave-samplers sums them, so the range is the
    same to the last bit (tested against dwave-samplers on random models).

    Returns
    -------
    (float, float)
        (hot beta, cold beta).
    """
    spin = bqm.spin if bqm.vartype is dimod.BINARY else bqm
    linear = np.abs(np.asarray(list(spin.linear.values()), dtype=np.float64))
    index = {v: k for k, v in enumerate(spin.linear)}
    pairs = [(index[a], index[b], abs(float(value)))
             for (a, b), value in spin.quadratic.items()]
    total = linear.copy()
    smallest = np.where(linear != 0, linear, np.inf)
    if pairs:
        ends = np.array([[a, b] for a, b, _ in pairs], dtype=np.int64).ravel()
        values = np.repeat(np.array([v for _, _, v in pairs]), 2)
        np.add.at(total, ends, values)  # in dimod's order, each pair's two ends in turn
        nonzero = values != 0
        np.minimum.at(smallest, ends[nonzero], values[nonzero])
    biased = np.isfinite(smallest)
    if not biased.any():
        warnings.warn("All bqm biases are zero (all energies are zero), this is likely a value "
                      "error. Temperature range is set arbitrarily to [0.1,1]. "
                      "Metropolis-Hastings update is non-ergodic.", stacklevel=2)
        return 0.1, 1.0
    largest = total.max(initial=0.0)
    hot = 1.0 if largest == 0 else float(np.log(2) / (2 * largest))
    gaps = smallest[biased]
    least = gaps.min()
    cold = float(np.log(np.sum(least == gaps) / EXCITATION_RATE) / (2 * least))
    return hot, cold


def _sampleset(bqm, spins, labels, info, start, sampling, post):
    """The SampleSet of SPIN samples (reads, N) in ``bqm``'s vartype, energies computed by
    dimod, with ``info`` and the timing."""
    samples = (spins + 1) // 2 if bqm.vartype is dimod.BINARY else spins
    sampleset = dimod.SampleSet.from_samples_bqm((samples, labels), bqm, info=info)
    sampleset.info["timing"] = {"preprocessing_ns": sampling - start,
                                "sampling_ns": post - sampling,
                                "postprocessing_ns": time.perf_counter_ns() - post}
    return sampleset


def _empty(bqm, reads, seed, start):
    """``reads`` empty samples of a model without variables (energy: its offset)."""
    now = time.perf_counter_ns()
    return _sampleset(bqm, np.empty((reads, 0), np.int8), [], {"seed": seed, "kernel": "none"},
                      start, now, now)


def _spin_model(bqm):
    """(IsingGraph, variable labels, offset) of ``bqm`` as a SPIN model (dimod's signs:
    E = sum h s + sum J s s + offset; simlab's fields and couplings are -h and -J)."""
    spin = bqm.spin if bqm.vartype is dimod.BINARY else bqm
    labels = list(spin.variables)
    linear, (row, col, quad), offset = spin.to_numpy_vectors(variable_order=labels)
    model = from_edges(len(labels), row, col, -np.asarray(quad, dtype=np.float64),
                       -np.asarray(linear, dtype=np.float64), name="dimod_bqm")
    return model, labels, float(offset)


class SimulatedAnnealingSampler(dimod.Sampler, dimod.Initialized):
    """Simulated annealing of binary quadratic models on simlab's kernels (a dimod Sampler).

    See the module docstring for the parameters shared with dwave-samplers; simlab's own:

    schedule : simlab.schedules.Schedule, optional
        Any simlab schedule (its temperatures and sweeps per step); replaces ``beta_range``,
        ``beta_schedule_type``, ``num_sweeps`` and ``num_sweeps_per_beta``.
    beta_schedule_type="logarithmic"
        T_k = c / ln(k + 2) with c = ln 2 / beta_range[0], so it starts at 1 / beta_range[0]
        (Geman & Geman; Hajek's theorem); ``beta_range[1]`` is not used.
    kernel : {"auto", "scalar", "multispin", "simd"}
        As :func:`simlab.samplers.annealing.anneal`; ``info["kernel"]`` says which ran.
    states : {"final", "best"}
        Return each read's final state (as dwave-samplers does) or the lowest-energy state
        it visited at the end of a sweep (on every kernel; the multi-spin kernel then
        counts every read's energy after every sweep, which costs about one more sweep).
    threads : int, optional
        Numba threads (the SampleSet does not depend on it).
    """

    parameters = None
    properties = None

    def __init__(self):
        self.parameters = {
            "num_reads": [], "num_sweeps": [], "num_sweeps_per_beta": [], "beta_range": [],
            "beta_schedule_type": ["beta_schedule_options"], "beta_schedule": [], "seed": [],
            "interrupt_function": [], "initial_states": [],
            "initial_states_generator": ["initial_states_generator_options"],
            "randomize_order": [], "proposal_acceptance_criteria": ["criteria_options"],
            "schedule": [], "kernel": ["kernel_options"], "states": ["states_options"],
            "threads": []}
        self.properties = {
            "beta_schedule_options": SCHEDULE_TYPES,
            "initial_states_generator_options": GENERATORS,
            "criteria_options": tuple(CRITERIA), "kernel_options": tuple(KERNELS),
            "states_options": RETURNED, "block_reads": BLOCK}

    def _schedule(self, bqm, num_sweeps, num_sweeps_per_beta, beta_range,
                  beta_schedule_type, beta_schedule, schedule):
        if schedule is not None:
            if not isinstance(schedule, schedules.Schedule):
                raise TypeError(f"'schedule' should be a simlab Schedule: value = {schedule!r}")
            return schedule
        per = _positive_int("num_sweeps_per_beta", num_sweeps_per_beta)
        if beta_schedule_type not in SCHEDULE_TYPES:
            raise ValueError(f"Beta schedule type {beta_schedule_type!r} not implemented: "
                             f"one of {', '.join(SCHEDULE_TYPES)}")
        if beta_schedule_type == "custom":
            if beta_schedule is None:
                raise ValueError("'beta_schedule' must be provided for "
                                 "beta_schedule_type = 'custom'")
            betas = np.asarray(beta_schedule, dtype=float).ravel()
            if num_sweeps is not None and num_sweeps != betas.size * per:
                raise ValueError("'num_sweeps' should be None or len(beta_schedule) * "
                                 f"num_sweeps_per_beta = {betas.size * per}")
            if betas.size == 0 or not np.all(np.isfinite(betas) & (betas > 0)):
                raise ValueError("'beta_schedule' must hold finite betas > 0")
            return schedules.custom(betas, per, in_beta=True, cooling=False)
        if beta_schedule is not None:
            raise ValueError("'beta_schedule' must be None unless beta_schedule_type = 'custom'")
        num_sweeps = 1000 if num_sweeps is None else _positive_int("num_sweeps", num_sweeps, 0)
        steps, rest = divmod(num_sweeps, per)
        if rest:
            raise ValueError("'num_sweeps' must be a non-negative value divisible by "
                             "'num_sweeps_per_beta'")
        if steps == 0:
            return None
        beta_range = tuple(float(b) for b in (beta_range or default_beta_range(bqm)))
        if len(beta_range) != 2 or not all(np.isfinite(beta_range)) or min(beta_range) <= 0:
            raise ValueError("'beta_range' should be a 2-tuple of positive numbers: "
                             f"value = {beta_range!r}")
        if steps == 1:
            return schedules.custom([beta_range[1]], per, in_beta=True)
        if beta_schedule_type == "linear":
            return schedules.custom(np.linspace(*beta_range, steps), per, in_beta=True,
                                    cooling=False)
        if beta_schedule_type == "geometric":
            return schedules.custom(np.geomspace(*beta_range, steps), per, in_beta=True,
                                    cooling=False)
        return schedules.logarithmic(np.log(2.0) / beta_range[0], steps, k0=2.0,
                                     sweeps_per_step=per)

    def sample(self, bqm, num_reads=None, num_sweeps=None, num_sweeps_per_beta=1,
               beta_range=None, beta_schedule_type="geometric", beta_schedule=None,
               seed=None, interrupt_function=None, initial_states=None,
               initial_states_generator="random", randomize_order=False,
               proposal_acceptance_criteria="Metropolis", schedule=None, kernel="auto",
               states="final", threads=None):
        """Anneal ``bqm`` and return a :class:`dimod.SampleSet` of ``num_reads`` samples.

        ``info`` holds ``beta_range``, ``beta_schedule_type``, the temperatures and sweeps per
        step of the schedule, ``seed`` (drawn when None), ``kernel``, ``algorithm``,
        ``states``, ``interrupted`` and ``timing`` (preprocessing_ns, sampling_ns,
        postprocessing_ns).
        """
        start, seed, algorithm = _start(bqm, seed, proposal_acceptance_criteria)
        if interrupt_function is not None and not callable(interrupt_function):
            raise TypeError("'interrupt_function' should be a callable")
        choice("kernel", kernel, KERNELS)
        choice("states", states, RETURNED)
        choice("initial_states_generator", initial_states_generator, GENERATORS)
        if num_reads is not None:
            _positive_int("num_reads", num_reads)
        if not bqm.num_variables:
            return _empty(bqm, 1 if num_reads is None else num_reads, seed, start)
        model, labels, _ = _spin_model(bqm)
        plan = self._schedule(bqm, num_sweeps, num_sweeps_per_beta, beta_range,
                              beta_schedule_type, beta_schedule, schedule)
        # dimod's parser: initial states in the model's variable order, expanded to num_reads
        # (its random expansion uses numpy's RandomState, which takes a 32-bit seed)
        parsed = self.parse_initial_states(
            bqm, initial_states=initial_states,
            initial_states_generator=initial_states_generator, num_reads=num_reads,
            seed=sub_seed(seed, "ocean", "initial") % 2**32)
        reads = len(parsed.initial_states)
        given = parsed.initial_states.change_vartype(dimod.SPIN, inplace=False)
        initial = np.asarray(given.record.sample, dtype=np.int8)
        if given.variables and list(given.variables) != labels:
            order = [given.variables.index(v) for v in labels]
            initial = initial[:, order]
        explicit = initial_states is not None and len(initial_states) != 0
        scan = "random" if randomize_order else "sequential"
        sampled = np.empty((reads, len(labels)), dtype=np.int8)
        done, interrupted, used = 0, False, set()
        # Each block of BLOCK reads is its own run keyed by the block (its seed drawn from
        # derive(seed, "ocean", block)); on the multi-spin kernel the blocks are words, run
        # together in one call unless an interrupt function is checked between them.
        multi = plan is not None and labels and multispin_choice(model, kernel, BLOCK,
                                                                  scan)[0]
        together = (reads + BLOCK - 1) // BLOCK if multi and interrupt_function is None else 1
        if threads is not None:
            numba.set_num_threads(min(integer("threads", threads, 1),
                                      numba.config.NUMBA_NUM_THREADS))
        sampling = time.perf_counter_ns()
        for first in range(0, reads, together * BLOCK):
            if done and interrupt_function is not None and interrupt_function():
                interrupted = True
                break
            size = min(together * BLOCK, reads - first)
            part = slice(first, first + size)
            if plan is None or not labels:
                sampled[part] = initial[part]
            elif multi:
                blocks = range(first // BLOCK, -(-(first + size) // BLOCK))
                streams = [word_streams(sub_seed(seed, "ocean", b), _MULTISPIN_KEY, 1)
                           for b in blocks]
                run = anneal_multispin(
                    model, plan, size, None, algorithm, "independent",
                    initial=initial[part] if explicit else None,
                    streams=(np.concatenate([x[0] for x in streams]),
                             np.concatenate([x[1] for x in streams]), streams[0][2]),
                    best_every=1 if states == "best" else plan.n_sweeps)
                used.add("multispin")
                sampled[part] = run.best_states if states == "best" else run.states
            else:
                run = anneal(model, plan, size, sub_seed(seed, "ocean", first // BLOCK),
                             algorithm, scan, threads=threads,
                             initial=initial[part] if explicit else None, kernel=kernel)
                used.add(run.extra.get("kernel", "scalar"))
                sampled[part] = run.best_states if states == "best" else run.states
            done = first + size
        post = time.perf_counter_ns()
        info = {"beta_range": None if plan is None else
                (float(plan.betas[0]), float(plan.betas[-1])),
                "beta_schedule_type": "simlab schedule" if schedule is not None
                else beta_schedule_type,
                "temperatures": None if plan is None else plan.temperatures.tolist(),
                "sweeps_per_step": None if plan is None else int(plan.sweeps_per_step),
                "seed": seed, "algorithm": algorithm, "states": states,
                "kernel": ",".join(sorted(used)) or "none", "interrupted": interrupted}
        return _sampleset(bqm, sampled[:done], labels, info, start, sampling, post)


class ReplicaExchangeSampler(dimod.Sampler):
    """Parallel tempering of binary quadratic models on simlab's kernels (a dimod Sampler).

    Each read is an independent system: a ladder of ``num_replicas`` replicas at
    temperatures spaced geometrically between 1 / beta_range[0] and 1 / beta_range[1],
    ``num_sweeps`` exchange rounds of ``num_sweeps_per_exchange`` sweeps of every replica
    followed by exchanges between neighbouring rungs
    (:func:`simlab.samplers.tempering.replica_exchange`). A read returns the state of the
    coldest rung at the end. With ``adaptive=True`` the ladder is first tuned (rungs added)
    until neighbours exchange at ``target_acceptance``.

    Parameters of :meth:`sample`: ``num_reads`` (systems, default 1), ``num_sweeps`` (default
    1000), ``num_sweeps_per_exchange`` (1), ``num_replicas`` (16), ``beta_range`` (default:
    the range of the annealing sampler), ``adaptive`` (False), ``target_acceptance`` (0.3),
    ``seed``, ``randomize_order``, ``proposal_acceptance_criteria``, ``threads``.
    ``info`` holds the ladder, the acceptance of each rung pair, the completed round trips
    and their mean time (in exchange rounds), the seed and the timing.
    """

    parameters = None
    properties = None

    def __init__(self):
        self.parameters = {
            "num_reads": [], "num_sweeps": [], "num_sweeps_per_exchange": [],
            "num_replicas": [], "beta_range": [], "adaptive": [], "target_acceptance": [],
            "seed": [], "randomize_order": [],
            "proposal_acceptance_criteria": ["criteria_options"], "threads": []}
        self.properties = {"criteria_options": tuple(CRITERIA)}

    def sample(self, bqm, num_reads=None, num_sweeps=1000, num_sweeps_per_exchange=1,
               num_replicas=16, beta_range=None, adaptive=False, target_acceptance=0.3,
               seed=None, randomize_order=False, proposal_acceptance_criteria="Metropolis",
               threads=None):
        """Run ``num_reads`` replica-exchange systems on ``bqm``; a :class:`dimod.SampleSet`
        of their coldest replicas."""
        from simlab.samplers.tempering import replica_exchange

        start, seed, algorithm = _start(bqm, seed, proposal_acceptance_criteria)
        reads = 1 if num_reads is None else _positive_int("num_reads", num_reads)
        sweeps = _positive_int("num_sweeps", num_sweeps)
        every = _positive_int("num_sweeps_per_exchange", num_sweeps_per_exchange)
        rungs = _positive_int("num_replicas", num_replicas, 2)
        if not 0 < float(target_acceptance) < 1:
            raise ValueError(f"'target_acceptance' should be in (0, 1): "
                             f"value = {target_acceptance!r}")
        if not bqm.num_variables:
            return _empty(bqm, reads, seed, start)
        model, labels, _ = _spin_model(bqm)
        beta_range = tuple(float(b) for b in (beta_range or default_beta_range(bqm)))
        if len(beta_range) != 2 or not all(np.isfinite(beta_range)) or min(beta_range) <= 0 \
                or beta_range[0] == beta_range[1]:
            raise ValueError("'beta_range' should be two different positive numbers: "
                             f"value = {beta_range!r}")
        ladder = np.geomspace(1.0 / beta_range[1], 1.0 / beta_range[0], rungs)
        sampling = time.perf_counter_ns()
        run = replica_exchange(model, ladder, systems=reads, sweeps=sweeps, thermalization=0,
                               exchange_every=every, adaptive=bool(adaptive),
                               target_acceptance=float(target_acceptance),
                               tune_sweeps=max(1, sweeps // 10),
                               algorithm=algorithm,
                               scan="random" if randomize_order else "sequential",
                               seed=seed, record=False, threads=threads)
        post = time.perf_counter_ns()
        acceptance = [None if not np.isfinite(a) else float(a) for a in run.acceptance]
        info = {"temperatures": run.temperatures.tolist(), "acceptance": acceptance,
                "round_trips": run.round_trips,
                "round_trip_time": None if not np.isfinite(run.round_trip_time)
                else run.round_trip_time,
                "num_sweeps_per_exchange": every, "tuning_rounds": len(run.ladder_history) - 1,
                "seed": seed, "algorithm": algorithm}
        # each system's coldest rung
        return _sampleset(bqm, run.states[0], labels, info, start, sampling, post)
