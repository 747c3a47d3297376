"""Annealer, landscapes and exact time-inhomogeneous chains."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simlab import schedules as sch
from simlab.errors import ConfigError, DataError, ModelError
from simlab.exact.enumerate import enumerate_energies
from simlab.exact.markov import landscape_annealing
from simlab.kernels import tsp as tk
from simlab.metrics import optimal_tts, repetitions, success_probability, wilson_interval
from simlab.models import graph, landscape, tsp
from simlab.samplers.annealing import anneal, anneal_landscape


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


def test_annealed_tours_are_permutations_with_reported_lengths():
    inst = tsp.load_tsplib("eil51")
    res = anneal(inst, sch.geometric_range(30, 1, 200), reads=4, seed=1)
    for tour, length in zip(res.best_states, res.best_energies):
        inst.check_tour(tour)
        assert inst.tour_length(tour) == length
    assert np.all(res.best_energies >= inst.optimum)


# --- file formats ----------------------------------------------------------------------------

@pytest.mark.parametrize("text,message", [
    ("NAME: x\nTYPE: TSP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: GEO\nNODE_COORD_SECTION\n"
     "1 0 0\n2 1 1\n3 2 2\nEOF\n", "EDGE_WEIGHT_TYPE 'GEO' is not supported"),
    ("NAME: x\nTYPE: ATSP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: EUC_2D\n", "TYPE ATSP"),
    ("NAME: x\nTYPE: TSP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n"
     "1 0 0\n2 1 zz\n3 2 2\nEOF\n", r":7: malformed coordinate line"),
    ("NAME: x\nTYPE: TSP\nDIMENSION: 4\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n"
     "1 0 0\n2 1 1\n3 2 2\nEOF\n", "DIMENSION is 4"),
    ("NAME: x\nTYPE: TSP\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0 0\nEOF\n",
     "no DIMENSION"),
    ("NAME: x\nTYPE: TSP\nDIMENSION: 2\nEDGE_WEIGHT_TYPE: EUC_2D\nEOF\n", "no NODE_COORD"),
])
def test_malformed_tsplib_files(tmp_path, text, message):
    path = tmp_path / "bad.tsp"
    path.write_text(text)
    with pytest.raises(DataError, match=message):
        tsp.read_tsplib(path)


def test_tsplib_reader_and_shipped_optima():
    inst = tsp.load_tsplib("berlin52")
    assert inst.n_cities == 52 and inst.optimum == 7542
    assert inst.distances[0, 1] == round(np.hypot(565 - 25, 575 - 185))
    with pytest.raises(ConfigError, match="tsp.instance"):
        tsp.load_tsplib("att532")
    with pytest.raises(DataError, match="no such"):
        tsp.read_tsplib("/nonexistent.tsp")


@pytest.mark.parametrize("text,message", [
    ("0 1 1.0\n1 2\n2 x 1\n", r":3: cannot parse"),
    ("0 1 1.0\n1 1 2.0\n", r":2: self-loop"),
    ("0 1 1.0\n1 0 2.0\n", r":2: bond \(0, 1\) repeats line 1"),
    ("0 -1 1.0\n", "negative site"),
    ("0 1 2 3\n", "expected 'i j \\[J\\]'"),
    ("# sites: 2\n0 5 1\n", "beyond"),
    ("# only comments\n", "no bonds"),
])
def test_malformed_edge_lists(tmp_path, text, message):
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(DataError, match=message):
        graph.read_edge_list(path)


def test_edge_list_roundtrip(tmp_path):
    model = graph.random_regular(10, 3, seed=2, disorder="gaussian")
    graph.write_edge_list(model, tmp_path / "m.txt")
    back = graph.read_edge_list(tmp_path / "m.txt")
    s = np.random.default_rng(0).choice([-1, 1], size=(20, 10))
    np.testing.assert_allclose(back.energy(s), model.energy(s))


def test_graph_validation():
    with pytest.raises(ModelError, match="self-loop"):
        graph.from_edges(3, [0], [0], [1.0])
    with pytest.raises(ModelError, match="more than once"):
        graph.from_edges(3, [0, 1], [1, 0], [1.0, 2.0])
    with pytest.raises(ModelError, match="outside"):
        graph.from_edges(3, [0], [3], [1.0])
    with pytest.raises(ConfigError, match="degree"):
        graph.random_regular(5, 3)


# --- interop ---------------------------------------------------------------------------------

def test_networkx_and_dimod_interop_preserve_energies():
    nx = pytest.importorskip("networkx")
    dimod = pytest.importorskip("dimod")
    g = nx.random_regular_graph(3, 12, seed=1)
    rng = np.random.default_rng(1)
    for a, b in g.edges:
        g.edges[a, b]["weight"] = rng.normal()
    g.nodes[0]["field"] = 0.5
    model = graph.from_networkx(g)
    states = rng.choice([-1, 1], size=(30, 12))
    bqm = graph.to_dimod(model)
    for s in states:
        sample = dict(zip(model.labels, s))
        assert bqm.energy(sample) == pytest.approx(float(model.energy(s)))
    back = graph.from_dimod(bqm)
    order = [list(model.labels).index(label) for label in back.labels]
    np.testing.assert_allclose(back.energy(states[:, order]), model.energy(states))
    h = {"a": 1.0, "b": -0.5}
    J = {("a", "b"): 2.0, ("b", "c"): -1.0}
    m2 = graph.from_ising_dicts(h, J)
    ref = dimod.BinaryQuadraticModel.from_ising(h, J)
    for s in np.array(np.meshgrid([-1, 1], [-1, 1], [-1, 1])).reshape(3, -1).T:
        assert m2.energy(s) == pytest.approx(ref.energy(dict(zip(m2.labels, s))))
    binary = dimod.BinaryQuadraticModel({"x": 1.0}, {("x", "y"): -2.0}, 0.0, dimod.BINARY)
    assert graph.from_dimod(binary).n_sites == 2


# --- metrics ---------------------------------------------------------------------------------

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
