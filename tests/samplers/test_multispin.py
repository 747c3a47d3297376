"""The multi-spin coded annealer: the same moves as the scalar kernel, the exact law (in the
sampler contract), the shared mode's distribution, reproducibility and the kernel choice."""

import numba
import numpy as np
import pytest
from scipy.stats import chi2_contingency

from simlab import schedules
from simlab.errors import ConfigError
from simlab.kernels import multispin as kernels
from simlab.models import graph
from simlab.models.lattice import IsingLattice
from simlab.rng import stream_states
from simlab.samplers import sample_lattice
from simlab.samplers.annealing import anneal, lattice_as_graph
from simlab.samplers.multispin import anneal_words, bit_graph, coupling_scale, replica_spins


def mixed_graph():
    """Sites of degree 0 to 5+, couplings +-2, fields 0 and +-2: every padding case."""
    rng = np.random.default_rng(3)
    n = 24
    i, j = np.triu_indices(n, 1)
    keep = rng.random(i.size) < 0.12
    couplings = 2.0 * rng.choice([-1, 1], keep.sum())
    fields = 2.0 * rng.choice([-1, 0, 0, 1], n)
    return graph.from_edges(n, i[keep], j[keep], couplings, fields, name="mixed")


def test_zero_temperature_sweeps_equal_the_scalar_kernel_state_by_state():
    # Metropolis at T -> 0 is deterministic (flip iff dE <= 0), so from the same starts the
    # multi-spin and scalar sequential kernels must give identical states.
    model = mixed_graph()
    assert np.diff(model.indptr).min() == 0 and np.diff(model.indptr).max() >= 4
    rng = np.random.default_rng(0)
    start = rng.choice(np.array([-1, 1], dtype=np.int8), (130, model.n_sites))
    sched = schedules.constant(1e-9, 3)
    scalar = anneal(model, sched, reads=130, algorithm="metropolis", scan="sequential",
                    initial=start, kernel="scalar")
    packed = np.zeros((model.n_sites, 3), dtype=np.uint64)
    kernels.pack(start, packed)
    for mode in ("shared", "independent"):
        out = anneal_words(model, sched.temperatures, sched.sweeps_per_step, 3, 0, ("t",),
                           False, mode, initial=packed).final
        states = replica_spins(out, 130)
        assert np.array_equal(states, scalar.states)
        assert np.array_equal(model.energy(states), scalar.energies)
    assert not np.array_equal(scalar.states, start)  # the sweeps did something


def test_pack_and_unpack_are_inverse():
    rng = np.random.default_rng(1)
    spins = rng.choice(np.array([-1, 1], dtype=np.int8), (150, 7))
    words = np.zeros((7, 3), dtype=np.uint64)
    kernels.pack(spins, words)
    assert np.array_equal(replica_spins(words, 150), spins)
    assert np.all(words[:, 2] >> np.uint64(150 - 128) == 0)  # unused bits stay 0


def test_trajectory_and_best_states_equal_the_scalar_kernel_at_zero_temperature():
    # Deterministic dynamics (Metropolis as T -> 0, from the same starts): the bit-parallel
    # energy counts must give the scalar kernel's trajectory, best energies and best states.
    model = mixed_graph()
    rng = np.random.default_rng(4)
    start = rng.choice(np.array([-1, 1], dtype=np.int8), (100, model.n_sites))
    sched = schedules.constant(1e-9, 6)
    scalar = anneal(model, sched, reads=100, initial=start, kernel="scalar", record_every=1)
    for mode in ("shared", "independent"):
        fast = anneal(model, sched, reads=100, initial=start, kernel="multispin",
                      multispin_mode=mode, record_every=1)
        assert np.array_equal(fast.trajectory, scalar.trajectory)
        assert np.array_equal(fast.best_energies, scalar.best_energies)
        assert np.array_equal(fast.best_states, scalar.best_states)
    assert np.ptp(scalar.trajectory[:, 0] - scalar.trajectory[:, -1]) > 0


@pytest.mark.parametrize("record_every", [None, 1, 4])
def test_best_is_the_lowest_checked_energy_and_trajectory_is_exact(record_every):
    model = graph.edwards_anderson(6, 2, "pm", seed=5)
    sched = schedules.geometric_range(3.0, 1.2, 24)  # ends warm: the final is not the best
    res = anneal(model, sched, reads=130, seed=2, kernel="multispin",
                 record_every=record_every)
    assert np.array_equal(model.energy(res.best_states), res.best_energies)
    assert np.all(res.best_energies <= res.energies)
    if record_every is None:
        assert res.trajectory is None
        return
    assert res.trajectory.shape == (130, 24 // record_every)
    assert np.array_equal(res.record_sweeps, record_every * np.arange(1, 24 // record_every + 1))
    assert np.array_equal(res.trajectory[:, -1], res.energies)
    # checked at the recorded sweeps: the best is their minimum
    assert np.array_equal(res.best_energies, res.trajectory.min(axis=1))
    assert np.any(res.best_energies < res.energies)


def _energy_counts(energies, levels):
    return np.array([(energies == e).sum() for e in levels])


def _shared_runs(g, streams, betas, steps, model, out):
    runs = out.size
    for r in range(runs):
        words = np.zeros((model.n_sites + 1, 1), dtype=np.uint64)
        words[:-1, 0] = streams[runs + r, 0] >> np.arange(model.n_sites, dtype=np.uint64)
        none = np.zeros(0, dtype=np.int64)
        kernels.anneal_words(g["neighbours"], g["signs"], g["degree"], g["slots"], betas,
                             steps, False, False, streams[r], np.zeros((4, 1), np.uint64),
                             words, 1, none, none, none.astype(np.uint64), 10**9, 0,
                             np.zeros((64, 0), dtype=np.int64), np.zeros(64, dtype=np.int64),
                             words[:-1].copy(), np.zeros(1, dtype=np.int64))
        out[r] = model.energy(replica_spins(words[:-1], 1))[0]


def test_shared_mode_final_energies_follow_the_scalar_kernel_law():
    # All reads of a shared-mode run share their random numbers, so independent samples
    # come from separate runs: one read of each of many seeds.
    model = graph.edwards_anderson(4, 2, "pm", seed=2)
    runs = 1500
    sched = schedules.geometric_range(3.0, 0.4, 12)
    g = bit_graph(model)
    streams = stream_states(5, ("shared-law",), 2 * runs)
    betas = 1.0 / sched.temperatures
    steps = np.full(betas.size, sched.sweeps_per_step)
    shared = np.empty(runs)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)  # 1,500 tiny runs: no thread hand-offs
    try:
        _shared_runs(g, streams, betas, steps, model, shared)
    finally:
        numba.set_num_threads(threads)

    scalar = anneal(model, sched, reads=runs, seed=6, kernel="scalar").energies
    shorter = anneal(model, schedules.geometric_range(3.0, 0.4, 5), reads=runs, seed=7,
                     kernel="scalar").energies
    levels = np.unique(np.concatenate([shared, scalar, shorter]))
    table = np.array([_energy_counts(shared, levels), _energy_counts(scalar, levels)])
    assert chi2_contingency(table[:, table.sum(0) > 0])[1] > 1e-3
    power = np.array([_energy_counts(shared, levels), _energy_counts(shorter, levels)])
    assert chi2_contingency(power[:, power.sum(0) > 0])[1] < 1e-6


@pytest.mark.parametrize("mode, heat_bath", [("shared", True), ("independent", True),
                                             ("independent", False)])
def test_words_do_not_depend_on_thread_count_or_on_other_words(mode, heat_bath):
    # independent Metropolis: up to four words run word by word, six words in lock-step
    g = lattice_as_graph(IsingLattice(6))
    sched = schedules.geometric_range(4.0, 1.0, 5)
    runs = []
    threads = numba.get_num_threads()
    try:
        for n_threads, n_words in ((1, 6), (threads, 6), (threads, 1)):
            numba.set_num_threads(n_threads)
            runs.append(anneal_words(g, sched.temperatures, sched.sweeps_per_step, n_words, 9,
                                     ("threads",), heat_bath, mode, record_every=2))
    finally:
        numba.set_num_threads(threads)
    for field in ("final", "best", "best_energies", "trajectory"):
        a, b, one = (getattr(r, field) for r in runs)
        assert np.array_equal(a, b)
        assert np.array_equal(a[:, :1] if field in ("final", "best") else a[:64], one)
    assert not np.array_equal(runs[0].final[:, 0], runs[0].final[:, 1])


def test_kernel_choice_is_reported_and_refusals_name_the_reason():
    pm = graph.edwards_anderson(4, 2, "pm", seed=1)
    sched = schedules.geometric_range(3.0, 0.5, 4)
    assert anneal(pm, sched, reads=64).extra["kernel"] == "multispin"
    assert anneal(pm, sched, reads=16).extra["kernel"] == "multispin"
    assert anneal(pm, sched, reads=15).extra["kernel"] == "scalar"
    assert anneal(pm, sched, reads=64, scan="random").extra["kernel"] == "scalar"
    res = anneal(pm, sched, reads=100, multispin_mode="shared")
    assert res.extra["multispin_mode"] == "shared" and res.states.shape == (100, 16)
    assert np.array_equal(res.energies, pm.energy(res.states))
    assert res.to_dataset().attrs["kernel"] == "multispin"
    gauss = graph.edwards_anderson(4, 2, "gaussian", seed=1)
    assert coupling_scale(gauss)[0] is None
    assert anneal(gauss, sched, reads=64).extra["kernel"] == "simd"  # sparse, real couplings
    assert anneal(gauss, sched, reads=16).extra["kernel"] == "scalar"
    assert anneal(gauss, sched, reads=64, scan="random").extra["kernel"] == "scalar"
    with pytest.raises(ConfigError, match="not all"):
        anneal(gauss, sched, reads=64, kernel="multispin")
    dense = graph.from_edges(20, *np.triu_indices(20, 1), np.ones(190))
    assert anneal(dense, sched, reads=64).extra["kernel"] == "scalar"  # auto falls back
    sk = graph.sherrington_kirkpatrick(40, 1, "gaussian")
    assert anneal(sk, sched, reads=64).extra["kernel"] == "scalar"  # dense rows
    with pytest.raises(ConfigError, match="at most 15"):
        anneal(dense, sched, reads=64, kernel="multispin")
    with pytest.raises(ConfigError, match="multispin_mode"):
        anneal(pm, sched, reads=64, multispin_mode="fast")


def test_anneal_task_runs_the_multispin_kernel_from_the_config(tmp_path):
    from helpers import run_task

    ds = run_task(["task=anneal", "anneal.size=6", "anneal.reads=64", "schedule.n_steps=30",
                   "anneal.record_every=null", "anneal.multispin_mode=shared"], tmp_path / "a")
    assert ds.attrs["kernel"] == "multispin" and ds.attrs["multispin_mode"] == "shared"
    assert ds.final_energy.size == 64 and (tmp_path / "a" / "annealing.png").exists()
    with pytest.raises(ConfigError, match="scan"):
        run_task(["task=anneal", "anneal.size=6", "anneal.kernel=multispin",
                  "anneal.scan=random"], tmp_path / "b")


# --- lattice sampling (sample_lattice with kernel="multispin") -----------------------------

@pytest.mark.parametrize("coupling, field", [(1.0, 0.0), (-1.0, 0.0), (2.0, 2.0),
                                             (-2.0, 2.0)])
def test_lattice_series_agree_with_the_energy_of_the_returned_states(coupling, field):
    model = IsingLattice(6, 4, coupling=coupling, field=field)
    run = sample_lattice(model, [1.5, 4.0], chains=70, sweeps=5, thermalization=3,
                         algorithm="heatbath", scan="sequential", init="random", seed=4)
    assert run.kernel == "multispin" and run.spins.shape == (2, 70, 24)
    assert np.array_equal(run.bond_sum[..., -1], model.bond_sum(run.spins))
    assert np.array_equal(run.magnetization[..., -1], run.spins.sum(-1))
    assert np.array_equal(run.energy[..., -1], model.energy(run.spins))


def test_lattice_chains_do_not_depend_on_threads_or_on_other_chains():
    model = IsingLattice(5)
    threads = numba.get_num_threads()
    runs = []
    try:
        for n_threads, chains, temps in ((1, 130, [2.0, 2.5]), (threads, 130, [2.0, 2.5]),
                                         (threads, 64, [2.5])):
            numba.set_num_threads(n_threads)
            runs.append(sample_lattice(model, temps, chains=chains, sweeps=20,
                                       thermalization=5, algorithm="metropolis",
                                       scan="sequential", init="random", seed=9,
                                       kernel="multispin"))
    finally:
        numba.set_num_threads(threads)
    assert np.array_equal(runs[0].bond_sum, runs[1].bond_sum)
    assert np.array_equal(runs[0].spins, runs[1].spins)
    # chain c at T is replica c of its temperature's words, whoever runs beside it
    assert np.array_equal(runs[0].bond_sum[1, :64], runs[2].bond_sum[0])
    assert np.array_equal(runs[0].magnetization[1, :64], runs[2].magnetization[0])
    assert not np.array_equal(runs[0].bond_sum[0, 0], runs[0].bond_sum[0, 1])


def test_lattice_kernel_choice_is_reported_and_refusals_name_the_reason():
    model = IsingLattice(4)
    common = dict(sweeps=2, thermalization=0, scan="sequential")
    assert sample_lattice(model, [2.0], chains=64, **common).kernel == "multispin"
    assert sample_lattice(model, [2.0], chains=63, **common).kernel == "scalar"
    assert sample_lattice(model, [2.0], chains=64, sweeps=2).kernel == "scalar"  # random scan
    assert sample_lattice(model, [2.0], chains=8, kernel="multispin",
                          **common).kernel == "multispin"
    ds = sample_lattice(model, [2.0], chains=64, **common).to_dataset()
    assert ds.attrs["kernel"] == "multispin"
    with pytest.raises(ConfigError, match="sequential"):
        sample_lattice(model, [2.0], chains=64, sweeps=2, kernel="multispin")
    with pytest.raises(ConfigError, match="neither 0 nor"):
        sample_lattice(IsingLattice(4, field=0.5), [2.0], chains=64, kernel="multispin",
                       **common)
    with pytest.raises(ConfigError, match="single-site"):
        sample_lattice(model, [2.0], chains=64, algorithm="wolff", kernel="multispin",
                       sweeps=2)
    with pytest.raises(ConfigError, match="kernel"):
        sample_lattice(model, [2.0], kernel="simd")



# --- the simd kernel (real couplings, reads as SIMD lanes) ---------------------------------

def test_simd_reads_do_not_depend_on_threads_or_blocks_and_energies_are_exact():
    model = graph.edwards_anderson(4, 3, "gaussian", seed=3)
    sched = schedules.geometric_range(3.0, 0.3, 40)
    threads = numba.get_num_threads()
    runs = []
    try:
        for n_threads, reads in ((1, 70), (threads, 70), (threads, 64)):
            numba.set_num_threads(n_threads)
            runs.append(anneal(model, sched, reads=reads, seed=5, kernel="simd",
                               record_every=10))
    finally:
        numba.set_num_threads(threads)
    assert runs[0].extra["kernel"] == "simd"
    assert np.array_equal(runs[0].states, runs[1].states)
    assert np.array_equal(runs[0].best_states[:64], runs[2].best_states)
    for res in runs:
        assert np.array_equal(res.energies, model.energy(res.states))
        assert np.array_equal(res.best_energies, model.energy(res.best_states))
        assert np.all(res.best_energies <= res.energies)
        # the trajectory is the running energy, exact to rounding
        assert np.allclose(res.trajectory[:, -1], res.energies, rtol=1e-9, atol=1e-9)
    start = np.ones((8, model.n_sites), dtype=np.int8)
    cold = anneal(model, schedules.constant(1e-3, 1), reads=8, initial=start, kernel="simd")
    assert np.all(cold.energies <= model.energy(start[0]) + 1e-12)  # T -> 0: no uphill flip


def test_simd_refusals_name_the_reason():
    model = graph.edwards_anderson(4, 2, "gaussian", seed=3)
    sched = schedules.geometric_range(3.0, 0.3, 4)
    with pytest.raises(ConfigError, match="sequentially"):
        anneal(model, sched, reads=8, kernel="simd", scan="random")
    pm = graph.edwards_anderson(4, 2, "pm", seed=3)
    assert anneal(pm, sched, reads=64, kernel="simd").extra["kernel"] == "simd"
