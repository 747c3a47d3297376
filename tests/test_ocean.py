"""simlab.ocean: dimod's own conformance tests, then what an Ocean user relies on."""

import unittest
import warnings

import dimod
import dimod.testing
import numpy as np
import pytest

from simlab.ocean import ReplicaExchangeSampler, SimulatedAnnealingSampler
from simlab.samplers.annealing import warm_up

warm_up()


@dimod.testing.load_sampler_bqm_tests(SimulatedAnnealingSampler)
class TestConformance(unittest.TestCase):
    """dimod.testing's generated tests: every vartype and size of small models."""

    def test_api(self):
        dimod.testing.assert_sampler_api(SimulatedAnnealingSampler())


@dimod.testing.load_sampler_bqm_tests(ReplicaExchangeSampler)
class TestReplicaExchangeConformance(unittest.TestCase):
    """The same generated tests for the replica-exchange sampler."""

    def test_api(self):
        dimod.testing.assert_sampler_api(ReplicaExchangeSampler())


def test_energies_are_dimods_own_for_spin_and_binary_models():
    sampler = SimulatedAnnealingSampler()
    spin = dimod.generators.gnp_random_bqm(25, 0.3, "SPIN", random_state=1)
    binary = dimod.generators.gnp_random_bqm(25, 0.3, "BINARY", random_state=2)
    for bqm in (spin, binary):
        sampleset = sampler.sample(bqm, num_reads=20, num_sweeps=200, seed=5)
        assert sampleset.vartype is bqm.vartype and len(sampleset) == 20
        dimod.testing.assert_sampleset_energies(sampleset, bqm)
        assert set(sampleset.info) >= {"beta_range", "beta_schedule_type", "timing", "kernel",
                                       "seed", "temperatures"}


def test_the_same_seed_gives_the_same_sampleset_whatever_the_threads():
    bqm = dimod.generators.gnp_random_bqm(40, 0.2, "SPIN", random_state=3)
    runs = [SimulatedAnnealingSampler().sample(bqm, num_reads=100, num_sweeps=300, seed=9,
                                               threads=t) for t in (1, 2)]
    runs.append(SimulatedAnnealingSampler().sample(bqm, num_reads=100, num_sweeps=300, seed=9,
                                                   interrupt_function=lambda: False))
    for other in runs[1:]:
        assert np.array_equal(other.record.sample, runs[0].record.sample)
        assert np.array_equal(other.record.energy, runs[0].record.energy)
    different = SimulatedAnnealingSampler().sample(bqm, num_reads=100, num_sweeps=300, seed=10)
    assert not np.array_equal(different.record.sample, runs[0].record.sample)


def test_labels_of_any_hashable_type_come_back_in_order():
    bqm = dimod.BQM({"b": 1.0, ("t", 2): -0.5, 7: 0.25},
                    {("b", ("t", 2)): -1.0, (("t", 2), 7): 0.5}, 0.0, "SPIN")
    sampleset = SimulatedAnnealingSampler().sample(bqm, num_reads=8, num_sweeps=100, seed=1)
    assert list(sampleset.variables) == list(bqm.variables)
    for sample, energy in sampleset.data(["sample", "energy"]):
        assert energy == pytest.approx(bqm.energy(sample))
    # the ground state: b = -1 (h_b = 1), t2 aligned with b (J = -1), 7 opposite to t2
    assert sampleset.first.sample == {"b": -1, ("t", 2): -1, 7: 1}


def test_empty_linear_only_and_disconnected_models():
    sampler = SimulatedAnnealingSampler()
    empty = sampler.sample(dimod.BQM({}, {}, 1.5, "BINARY"), num_reads=4)
    assert len(empty) == 4 and list(empty.record.energy) == [1.5] * 4
    linear = dimod.BQM({"x": 2.0, "y": -1.0, "z": 0.0}, {}, 0.0, "SPIN")
    best = sampler.sample(linear, num_reads=10, num_sweeps=50, seed=2).first
    assert best.sample["x"] == -1 and best.sample["y"] == 1 and best.energy == -3.0
    two = dimod.BQM({}, {("a", "b"): -1.0, ("c", "d"): 1.0}, 0.0, "SPIN")
    result = sampler.sample(two, num_reads=10, num_sweeps=100, seed=3)
    assert result.first.energy == -2.0
    dimod.testing.assert_sampleset_energies(result, two)


def test_bad_parameters_raise():
    sampler = SimulatedAnnealingSampler()
    bqm = dimod.BQM({"a": 1.0}, {("a", "b"): 1.0}, 0.0, "SPIN")
    with pytest.raises(ValueError, match="num_reads"):
        sampler.sample(bqm, num_reads=0)
    with pytest.raises(ValueError, match="num_sweeps"):
        sampler.sample(bqm, num_sweeps=-1)
    with pytest.raises(ValueError, match="divisible"):
        sampler.sample(bqm, num_sweeps=10, num_sweeps_per_beta=3)
    with pytest.raises(ValueError, match="beta_range"):
        sampler.sample(bqm, beta_range=(0.1, -1.0))
    with pytest.raises(ValueError, match="Beta schedule type"):
        sampler.sample(bqm, beta_schedule_type="cubic")
    with pytest.raises(ValueError, match="beta_schedule"):
        sampler.sample(bqm, beta_schedule_type="custom")
    with pytest.raises(TypeError, match="unexpected keyword"):
        sampler.sample(bqm, not_a_parameter=1)
    with pytest.raises(TypeError, match="seed"):
        sampler.sample(bqm, seed=1.5)
    with pytest.raises(TypeError, match="interrupt_function"):
        sampler.sample(bqm, interrupt_function=3)
    with pytest.raises(ValueError, match="kernel"):
        sampler.sample(bqm, kernel="gpu")
    assert set(sampler.parameters) >= {"num_reads", "num_sweeps", "beta_range", "seed",
                                       "beta_schedule_type", "initial_states", "schedule"}


def test_schedules_follow_dwave_samplers_and_add_simlabs():
    from simlab import schedules

    bqm = dimod.generators.gnp_random_bqm(12, 0.5, "SPIN", random_state=4)
    sampler = SimulatedAnnealingSampler()
    geo = sampler.sample(bqm, num_sweeps=20, num_sweeps_per_beta=2, beta_range=(0.1, 10.0),
                         seed=0)
    assert np.allclose(1 / np.array(geo.info["temperatures"]), np.geomspace(0.1, 10.0, 10))
    assert geo.info["sweeps_per_step"] == 2
    lin = sampler.sample(bqm, num_sweeps=5, beta_schedule_type="linear", beta_range=(1, 3),
                         seed=0)
    assert np.allclose(1 / np.array(lin.info["temperatures"]), [1, 1.5, 2, 2.5, 3])
    custom = sampler.sample(bqm, beta_schedule_type="custom", beta_schedule=[0.5, 1, 4],
                            seed=0)
    assert np.allclose(1 / np.array(custom.info["temperatures"]), [0.5, 1, 4])
    log = sampler.sample(bqm, num_sweeps=50, beta_schedule_type="logarithmic",
                         beta_range=(0.5, 9.0), seed=0)
    t = np.array(log.info["temperatures"])
    assert t[0] == pytest.approx(2.0) and np.allclose(t, 2.0 * np.log(2) / np.log(np.arange(50)
                                                                                  + 2.0))
    own = sampler.sample(bqm, schedule=schedules.linear(3.0, 0.1, 7), seed=0)
    assert own.info["beta_schedule_type"] == "simlab schedule"
    assert len(own.info["temperatures"]) == 7


def test_initial_states_and_zero_sweeps():
    bqm = dimod.generators.gnp_random_bqm(10, 0.5, "BINARY", random_state=5)
    sampler = SimulatedAnnealingSampler()
    start = [{v: 1 for v in bqm.variables}, {v: 0 for v in bqm.variables}]
    kept = sampler.sample(bqm, initial_states=start, num_sweeps=0)
    assert [dict(s) for s in kept.samples(sorted_by=None)] == start  # zero sweeps: the starts themselves
    tiled = sampler.sample(bqm, initial_states=start, initial_states_generator="tile",
                           num_reads=5, num_sweeps=0)
    assert [dict(s) for s in tiled.samples(sorted_by=None)] == (start * 3)[:5]
    with pytest.raises(ValueError):
        sampler.sample(bqm, initial_states=start, initial_states_generator="none",
                       num_reads=5)
    cold = sampler.sample(bqm, initial_states=start, num_sweeps=10, beta_range=(50, 50),
                          seed=1)
    assert all(e <= bqm.energy(s) for s, e in zip(start, cold.record.energy))


def test_interrupt_stops_between_blocks_and_best_states_are_no_worse():
    bqm = dimod.generators.gnp_random_bqm(30, 0.3, "SPIN", random_state=6)
    calls = []

    def stop():
        calls.append(1)
        return len(calls) >= 2

    cut = SimulatedAnnealingSampler().sample(bqm, num_reads=300, num_sweeps=50, seed=2,
                                             interrupt_function=stop)
    assert len(cut) == 128 and cut.info["interrupted"]  # two blocks of 64 reads
    full = SimulatedAnnealingSampler().sample(bqm, num_reads=300, num_sweeps=50, seed=2)
    assert np.array_equal(cut.record.sample, full.record.sample[:128])
    best = SimulatedAnnealingSampler().sample(bqm, num_reads=300, num_sweeps=50, seed=2,
                                              states="best", kernel="scalar")
    final = SimulatedAnnealingSampler().sample(bqm, num_reads=300, num_sweeps=50, seed=2,
                                               kernel="scalar")
    assert np.all(best.record.energy <= final.record.energy)


def test_anneals_a_planted_problem_to_its_ground_state():
    # a ferromagnet in disguise: J_ij = -s_i s_j on a random 3-regular graph, ground state s
    import networkx as nx

    graph = nx.random_regular_graph(3, 40, seed=7)
    s = np.random.default_rng(7).choice([-1, 1], 40)
    bqm = dimod.BQM({}, {(i, j): -float(s[i] * s[j]) for i, j in graph.edges}, 0.0, "SPIN")
    result = SimulatedAnnealingSampler().sample(bqm, num_reads=32, num_sweeps=500, seed=0)
    assert result.first.energy == -graph.number_of_edges()


def test_replica_exchange_reports_its_ladder_and_finds_a_planted_ground_state():
    import networkx as nx

    graph = nx.random_regular_graph(3, 40, seed=8)
    s = np.random.default_rng(8).choice([-1, 1], 40)
    spin = dimod.BQM({}, {(i, j): -float(s[i] * s[j]) for i, j in graph.edges}, 0.0, "SPIN")
    bqm = spin.binary  # the same problem in 0/1 variables: same energies
    sampler = ReplicaExchangeSampler()
    result = sampler.sample(bqm, num_reads=3, num_sweeps=400, num_replicas=8,
                            beta_range=(0.5, 5.0), seed=4)
    dimod.testing.assert_sampleset_energies(result, bqm)
    info = result.info
    assert np.allclose(info["temperatures"], np.geomspace(0.2, 2.0, 8))
    assert len(info["acceptance"]) == 7 and all(0 <= a <= 1 for a in info["acceptance"])
    assert info["round_trips"] >= 1 and info["round_trip_time"] > 0
    again = sampler.sample(bqm, num_reads=3, num_sweeps=400, num_replicas=8,
                           beta_range=(0.5, 5.0), seed=4)
    assert np.array_equal(again.record.sample, result.record.sample)
    assert result.vartype is dimod.BINARY
    assert result.first.energy == pytest.approx(-graph.number_of_edges())  # the planted state
    with pytest.raises(ValueError, match="num_replicas"):
        sampler.sample(bqm, num_replicas=1)
    with pytest.raises(ValueError, match="beta_range"):
        sampler.sample(bqm, beta_range=(1.0, 1.0))
    with pytest.raises(ValueError, match="num_reads"):
        sampler.sample(bqm, num_reads=0)


# --- dwave-samplers' defaults ----------------------------------------------------------------

def _random_bqm(rng, k):
    """Model k of a family that varies what the default range depends on: SPIN or BINARY,
    +-1, Gaussian, integer or partly zero biases, with or without fields, isolated variables."""
    n = int(rng.integers(1, 40))
    kind = k % 5
    bqm = dimod.BinaryQuadraticModel(dimod.SPIN if k % 2 else dimod.BINARY)
    for v in range(n):
        h = 0.0
        if kind in (1, 3) and rng.random() < 0.6:
            h = float(rng.normal()) if kind == 1 else float(rng.integers(-3, 4))
        bqm.add_variable(v, h)
    for _ in range(int(rng.integers(0, 3 * n))):
        a, b = (int(x) for x in rng.integers(0, n, 2))
        if a != b:
            bqm.add_interaction(a, b, [float(rng.choice([-1.0, 1.0])), float(rng.normal()),
                                       float(rng.integers(-2, 3)),
                                       float(rng.choice([-1.0, 1.0]) * rng.integers(0, 3)),
                                       0.0 if rng.random() < 0.3
                                       else float(rng.uniform(-1, 1))][kind])
    return bqm


def test_the_default_beta_range_is_dwave_samplers_to_the_last_bit():
    sa = pytest.importorskip("dwave.samplers.sa.sampler", reason="the peers extra")
    from simlab.ocean import default_beta_range

    rng = np.random.default_rng(2026)
    with warnings.catch_warnings():  # all-zero models warn in both; tested by hand below
        warnings.simplefilter("ignore")
        for k in range(150):
            bqm = _random_bqm(rng, k)
            theirs = tuple(float(b) for b in sa.default_beta_range(bqm))
            assert default_beta_range(bqm) == theirs, k


def test_the_default_beta_range_by_hand():
    from simlab.models.graph import edwards_anderson, to_dimod
    from simlab.ocean import default_beta_range

    glass = to_dimod(edwards_anderson(8, seed=3))  # +-1 couplings, 4 per spin, 64 spins
    assert default_beta_range(glass) == (np.log(2) / 8, np.log(64 / 0.01) / 2)
    # fields 0.5 on two spins: the smallest bias is 0.5, at those two
    bqm = dimod.BQM({0: 0.5, 1: -0.5, 2: 0.0}, {(0, 1): 1.0, (1, 2): -2.0}, 0.0, "SPIN")
    assert default_beta_range(bqm) == (np.log(2) / (2 * 3.5), np.log(2 / 0.01) / (2 * 0.5))
    # BINARY models are converted to SPIN first: x = (s + 1) / 2
    qubo = dimod.BQM({0: -1.0, 1: -1.0}, {(0, 1): 2.0}, 0.0, "BINARY")
    assert default_beta_range(qubo) == default_beta_range(qubo.spin)
    with pytest.warns(UserWarning, match="All bqm biases are zero"):
        assert default_beta_range(dimod.BQM({0: 0.0, 1: 0.0}, {}, 0.0, "SPIN")) == (0.1, 1.0)


def test_the_sampler_anneals_over_the_default_range_with_dwaves_defaults():
    from simlab.ocean import default_beta_range

    bqm = dimod.generators.ran_r(1, 30, seed=4)
    sampleset = SimulatedAnnealingSampler().sample(bqm, seed=1)
    hot, cold = default_beta_range(bqm)
    assert len(sampleset) == 1  # num_reads: one read unless initial states say otherwise
    assert sampleset.info["beta_range"] == (hot, cold)
    assert sampleset.info["beta_schedule_type"] == "geometric"
    betas = 1 / np.array(sampleset.info["temperatures"])
    np.testing.assert_allclose(betas, np.geomspace(hot, cold, 1000), rtol=1e-12)
    assert sampleset.info["sweeps_per_step"] == 1
    starts = np.ones((5, 30), dtype=np.int8)
    assert len(SimulatedAnnealingSampler().sample(bqm, initial_states=(starts, range(30)),
                                                  num_sweeps=10, seed=1)) == 5
