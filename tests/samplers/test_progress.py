"""Annealing's progress bar: the kernels count finished sweeps while they run (GIL released),
a thread moves the bar, and nothing the kernels compute depends on it."""

import numpy as np
import pytest

from simlab import schedules as sch
from simlab.models import graph, tsp
from simlab.samplers import progress
from simlab.samplers.annealing import anneal, anneal_scan


class RecordingBar:
    """What a tqdm bar is told: its position after every update."""

    def __init__(self):
        self.n = 0
        self.positions = []

    def update(self, k):
        self.n += k
        self.positions.append(self.n)


CASES = {  # every kernel that runs a whole schedule in one call
    "multispin": (graph.edwards_anderson(12, 2, "pm", 0), 64, {}),
    "simd": (graph.edwards_anderson(12, 2, "gaussian", 0), 64, {}),
    "scalar": (graph.sherrington_kirkpatrick(40, seed=1), 6, {}),
    "tsp_all": (tsp.load_tsplib("eil51"), 4, {"moves": "all"}),
    "tsp_near": (tsp.load_tsplib("eil51"), 4, {"moves": "near"}),
}


@pytest.mark.parametrize("case", CASES)
def test_the_bar_reaches_the_end_and_changes_nothing(case):
    model, reads, options = CASES[case]
    schedule = sch.geometric_range(5.0, 0.5, 300)
    plain = anneal(model, schedule, reads=reads, seed=3, **options)
    bar = RecordingBar()
    shown = anneal(model, schedule, reads=reads, seed=3, progress=bar, **options)
    assert shown.extra["kernel"] == plain.extra["kernel"]
    assert case.startswith("tsp") or shown.extra["kernel"] == case
    assert bar.n == schedule.n_sweeps
    assert bar.positions == sorted(bar.positions)  # never backwards
    for name in ("energies", "best_energies", "states", "best_states", "trajectory"):
        assert np.array_equal(getattr(shown, name), getattr(plain, name)), name
    # progress=True draws a real bar (to stderr) over the same numbers
    drawn = anneal(model, schedule, reads=reads, seed=3, progress=True, **options)
    assert np.array_equal(drawn.best_states, plain.best_states)


def test_the_bar_moves_while_the_kernel_runs(monkeypatch):
    # The counters are read while the kernel runs: the bar passes positions between 0 and
    # the end, not one jump when the kernel returns.
    monkeypatch.setattr(progress, "POLL_SECONDS", 0.002)
    model = graph.sherrington_kirkpatrick(200, seed=1)
    schedule = sch.geometric_range(5.0, 0.5, 3000)
    bar = RecordingBar()
    anneal(model, schedule, reads=2, seed=3, kernel="scalar", progress=bar)
    assert bar.positions[-1] == schedule.n_sweeps
    assert any(0 < p < schedule.n_sweeps for p in bar.positions), bar.positions


@pytest.fixture
def made_bars(monkeypatch):
    """The bars progress_bar makes (as RecordingBar, with total, disable and closed)."""
    bars = []

    class Bar(RecordingBar):
        def __init__(self, total, disable, **kwargs):
            super().__init__()
            self.total, self.disable, self.closed = total, disable, False
            bars.append(self)

        def close(self):
            self.closed = True

    monkeypatch.setattr(progress, "tqdm", Bar)
    return bars


def test_a_scan_shares_one_bar_over_every_setting(made_bars):
    model = graph.sherrington_kirkpatrick(20, seed=1)
    scan = anneal_scan(model, ["linear", "geometric"], [10, 30], reads=3, seed=1,
                       progress=True)
    plain = anneal_scan(model, ["linear", "geometric"], [10, 30], reads=3, seed=1)
    assert np.array_equal(scan.best_energies, plain.best_energies)
    shown = [bar for bar in made_bars if not bar.disable]
    assert len(shown) == 1 and shown[0].total == 2 * (10 + 30) == shown[0].n and shown[0].closed


def test_the_encoder_bar_counts_runs_and_changes_nothing(made_bars):
    from simlab.samplers.boltzmann import learn_encoder

    shown = learn_encoder(4, 2, 6, seed=2, max_cycles=40, progress=True)
    plain = learn_encoder(4, 2, 6, seed=2, max_cycles=40)
    assert np.array_equal(shown.cycles, plain.cycles)
    assert np.array_equal(shown.weights, plain.weights)
    assert [(b.total, b.n, b.disable) for b in made_bars] == [(6, 6, False), (6, 0, True)]
