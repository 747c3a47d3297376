"""Annealer, landscapes and exact time-inhomogeneous chains."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simlab import schedules as sch
from simlab.errors import ConfigError
from simlab.exact.enumerate import enumerate_energies
from simlab.exact.markov import landscape_annealing
from simlab.kernels import tsp as tk
from simlab.metrics import optimal_tts, repetitions, success_probability, wilson_interval
from simlab.models import graph, landscape, tsp
from simlab.samplers.annealing import anneal
from simlab.samplers.landscape import anneal_landscape

# --- Monte Carlo against the exact chain -----------------------------------------------------

@pytest.mark.parametrize("algorithm", ["metropolis", "heatbath"])
@pytest.mark.parametrize("schedule", [sch.logarithmic(0.8, 300, k0=2.0),
                                      sch.geometric(3.0, 0.97, 60, sweeps_per_step=5)])
def test_walker_frequencies_match_exact_chain(algorithm, schedule):
    land = landscape.random_landscape(8, 12, seed=3)
    steps = [0, 1, 5, 20, 80, 200, schedule.n_sweeps]
    reads = 20_000
    mc = anneal_landscape(land, schedule, reads, steps, seed=4, algorithm=algorithm,
                          start=2).states
    exact = landscape_annealing(land, schedule, steps, algorithm=algorithm, start=2)
    counts = (mc[:, :, None] == np.arange(land.n_states)).sum(axis=0)
    # 99.9% Wilson intervals, Bonferroni over the 56 (step, state) cells: each cell at
    # 1 - 0.001/56 confidence, so the whole test fails by chance with probability < 1e-3.
    lo, hi = wilson_interval(counts, reads, confidence=1 - 1e-3 / counts.size)
    assert np.all((exact >= lo - 1e-12) & (exact <= hi + 1e-12))


def test_exact_chain_at_constant_temperature_reaches_boltzmann():
    land = landscape.random_landscape(6, 9, seed=5)
    t = 0.7
    p = landscape_annealing(land, sch.constant(t, 20_000), [20_000])[0]
    w = np.exp(-(land.energies - land.energies.min()) / t)
    np.testing.assert_allclose(p, w / w.sum(), atol=1e-10)


def test_exact_chain_power_check_detects_wrong_schedule():
    land = landscape.hajek_landscape(1.0)
    steps = [100, 1000]
    mc = anneal_landscape(land, sch.logarithmic(0.5, 1000), 20_000, steps, seed=6).states
    wrong = landscape_annealing(land, sch.logarithmic(0.7, 1000), steps)
    counts = (mc[:, :, None] == np.arange(3)).sum(axis=0)
    lo, hi = wilson_interval(counts, 20_000, confidence=0.999)
    assert not np.all((wrong >= lo) & (wrong <= hi))


# --- ground states ---------------------------------------------------------------------------

@pytest.mark.parametrize("model", [
    graph.edwards_anderson(4, disorder="pm", seed=1),
    graph.edwards_anderson(4, disorder="gaussian", seed=2),
    graph.sherrington_kirkpatrick(14, seed=3),
    graph.random_regular(18, 3, seed=4, disorder="gaussian"),
], ids=lambda m: m.name)
def test_annealing_finds_enumeration_ground_state(model):
    exact = enumerate_energies(model.energy, model.n_sites).min()
    res = anneal(model, sch.geometric_range(3.0, 0.05, 300), reads=32, seed=7)
    assert res.best_energies.min() == pytest.approx(exact, abs=1e-9)
    best = res.best_states[np.argmin(res.best_energies)]
    assert model.energy(best) == pytest.approx(exact, abs=1e-9)


def test_planted_instance_reaches_planted_energy():
    base = graph.edwards_anderson(12, disorder="gaussian", seed=8)
    model, planted_state, e_planted = graph.planted(base, seed=9)
    assert model.energy(planted_state) == pytest.approx(e_planted)
    res = anneal(model, sch.geometric_range(4.0, 0.05, 400), reads=8, seed=10)
    assert res.best_energies.min() == pytest.approx(e_planted, abs=1e-9)


def test_energies_and_trajectory_are_consistent():
    model = graph.edwards_anderson(6, seed=11)
    res = anneal(model, sch.geometric_range(3.0, 0.2, 50, sweeps_per_step=2), reads=4,
                 seed=12, record_every=10, algorithm="heatbath", scan="random")
    np.testing.assert_allclose(res.energies, model.energy(res.states))
    np.testing.assert_allclose(res.best_energies, model.energy(res.best_states))
    assert np.all(res.best_energies <= res.energies + 1e-12)
    assert res.trajectory.shape == (4, 10)
    np.testing.assert_allclose(res.trajectory[:, -1], res.energies, atol=1e-9)
    ds = res.to_dataset()
    assert ds.sizes["read"] == 4 and "energy_trajectory" in ds


def test_same_seed_same_reads_whatever_the_threads():
    import numba

    model = graph.sherrington_kirkpatrick(40, seed=1)
    s = sch.linear(2.0, 0.1, 40)
    a = anneal(model, s, reads=6, seed=3, threads=1)
    b = anneal(model, s, reads=6, seed=3, threads=numba.config.NUMBA_NUM_THREADS)
    assert np.array_equal(a.states, b.states) and np.array_equal(a.energies, b.energies)
    c = anneal(model, s, reads=6, seed=4)
    assert not np.array_equal(a.states, c.states)
    inst = tsp.load_tsplib("eil51")
    t1 = anneal(inst, sch.geometric_range(20, 1, 30), reads=3, seed=5, threads=1)
    t2 = anneal(inst, sch.geometric_range(20, 1, 30), reads=3, seed=5)
    assert np.array_equal(t1.best_states, t2.best_states)


def test_maxcut_as_ising():
    rng = np.random.default_rng(0)
    n = 12
    pairs = [(a, b) for a in range(n) for b in range(a + 1, n) if rng.random() < 0.4]
    i, j = np.array(pairs).T
    w = rng.integers(1, 5, size=i.size).astype(float)
    model = graph.maxcut(n, i, j, w)
    states = np.array(np.meshgrid(*[[-1, 1]] * n)).reshape(n, -1).T
    cuts = np.array([w[(s[i] != s[j])].sum() for s in states])
    np.testing.assert_allclose(graph.cut_value(model, model.energy(states)), cuts)
    res = anneal(model, sch.geometric_range(5.0, 0.05, 300), reads=16, seed=1)
    assert graph.cut_value(model, res.best_energies.min()) == cuts.max()


# --- TSP moves -------------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(n=st.integers(5, 40), seed=st.integers(0, 10_000), data=st.data())
def test_two_opt_delta_matches_recomputed_length(n, seed, data):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, size=(n, 2))
    dist = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    tour = rng.permutation(n).astype(np.int32)
    i = data.draw(st.integers(0, n - 3))
    j = data.draw(st.integers(i + 2, n - 1))
    if i == 0 and j == n - 1:
        return
    before = tk.tour_length(dist, tour)
    delta = tk.two_opt_delta(dist, tour, i, j)
    tk.apply_two_opt(tour, i, j)
    assert sorted(tour) == list(range(n))
    assert tk.tour_length(dist, tour) - before == pytest.approx(delta, abs=1e-9)


@settings(max_examples=300, deadline=None)
@given(n=st.integers(5, 40), seed=st.integers(0, 10_000), data=st.data())
def test_or_opt_delta_matches_recomputed_length(n, seed, data):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, size=(n, 2))
    dist = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    tour = rng.permutation(n).astype(np.int32)
    m = data.draw(st.integers(1, 3))
    i = data.draw(st.integers(0, n - 1))
    p = data.draw(st.integers(0, n - 1))
    rev = data.draw(st.booleans())
    if not tk.or_opt_valid(n, i, m, p):
        return
    before = tk.tour_length(dist, tour)
    delta = tk.or_opt_delta(dist, tour, i, m, p, rev)
    tk.apply_or_opt(tour, i, m, p, rev, np.empty(n, dtype=np.int32))
    assert sorted(tour) == list(range(n))
    assert tk.tour_length(dist, tour) - before == pytest.approx(delta, abs=1e-9)


def _same_cycle(a, b):
    """Whether tours a and b are the same cycle (any start, either direction)."""
    k = int(np.flatnonzero(b == a[0])[0])
    rolled = np.roll(b, -k)
    return np.array_equal(a, rolled) or np.array_equal(a, np.roll(rolled[::-1], 1))


@settings(max_examples=300, deadline=None)
@given(n=st.integers(8, 40), seed=st.integers(0, 10_000), data=st.data())
def test_position_keeping_moves_equal_the_plain_moves(n, seed, data):
    # The neighbour-list kernel applies moves in place with a city -> position index; the
    # resulting cycle must be the plain kernel's, and the index must stay exact.
    tour = np.random.default_rng(seed).permutation(n).astype(np.int32)
    pos = np.argsort(tour).astype(np.int64)
    plain = tour.copy()
    if data.draw(st.booleans()):
        i = data.draw(st.integers(0, n - 3))
        j = data.draw(st.integers(i + 2, n - 1))
        if i == 0 and j == n - 1:
            return
        tk.apply_two_opt(plain, i, j)
        tk._reverse_with_positions(tour, pos, i, j)
    else:
        m, i, p = data.draw(st.integers(1, 3)), data.draw(st.integers(0, n - 1)), \
            data.draw(st.integers(0, n - 1))
        rev = data.draw(st.booleans())
        if not tk.or_opt_valid(n, i, m, p):
            return
        tk.apply_or_opt(plain, i, m, p, rev, np.empty(n, dtype=np.int32))
        tk._move_segment(tour, pos, i, m, p, rev)
    assert _same_cycle(plain, tour)
    assert np.array_equal(pos[tour], np.arange(n))


def test_neighbour_list_moves_anneal_valid_tours_and_are_chosen_for_large_instances():
    inst = tsp.load_tsplib("kroA100")
    sched = sch.geometric_range(200, 1, 300, sweeps_per_step=10)
    res = anneal(inst, sched, reads=4, seed=1, moves="near", near=8)
    assert res.extra["moves"] == "near (8 nearest cities)"
    for tour, length in zip(res.best_states, res.best_energies):
        inst.check_tour(tour)
        assert inst.tour_length(tour) == length
    assert np.all(res.best_energies >= inst.optimum)
    assert np.median(res.best_energies) < 1.05 * inst.optimum
    assert res.to_dataset().attrs["moves"] == "near (8 nearest cities)"
    assert anneal(inst, sch.geometric_range(30, 1, 2), reads=1).extra["moves"] == "all"
    big = tsp.load_tsplib("d198")
    assert anneal(big, sch.geometric_range(30, 1, 2), reads=1).extra["moves"].startswith("near")
    with pytest.raises(ConfigError, match="near"):
        anneal(inst, sched, reads=1, moves="near", near=100)
    with pytest.raises(ConfigError, match="moves"):
        anneal(inst, sched, reads=1, moves="3-opt")


def test_annealed_tours_are_permutations_with_reported_lengths():
    inst = tsp.load_tsplib("eil51")
    res = anneal(inst, sch.geometric_range(30, 1, 200), reads=4, seed=1)
    for tour, length in zip(res.best_states, res.best_energies):
        inst.check_tour(tour)
        assert inst.tour_length(tour) == length
    assert np.all(res.best_energies >= inst.optimum)


# --- file formats ----------------------------------------------------------------------------

def test_tts_metrics():
    assert repetitions(0.5) == 7  # ceil(ln 0.01 / ln 0.5) = ceil(6.64)
    assert repetitions(1.0) == 1 and np.isinf(repetitions(0.0))
    lo, hi = wilson_interval(5, 10)
    assert 0.23 < lo < 0.24 and 0.76 < hi < 0.77
    p, lo, hi, k = success_probability([1.0, 0.0, 0.0, 2.0], 0.0)
    assert (p, k) == (0.5, 2) and lo < 0.5 < hi
    res = optimal_tts([100, 300, 1000, 3000], [1, 8, 19, 20], [20, 20, 20, 20])
    assert res["best_index"] in (1, 2, 3)
    assert res["tts_lo"][0] <= res["tts"][0] <= res["tts_hi"][0]
    edge = optimal_tts([10, 20, 40], [20, 20, 20], [20, 20, 20])
    assert edge["best_index"] == 0 and edge["at_edge"]
    none = optimal_tts([10, 20], [0, 0], [5, 5])
    assert none["best_index"] == -1
