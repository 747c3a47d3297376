"""Hopfield retrieval at T = 0 and in the heat bath."""

import numpy as np

from simlab.models.hopfield import hebbian, random_patterns
from simlab.samplers.hopfield import retrieve


def test_hopfield_retrieves_every_pattern_from_corrupted_starts():
    model = hebbian(random_patterns(10, 500, seed=1))  # alpha = 0.02 << 0.138
    res = retrieve(model, 0.0, corruption=0.15, seed=2)
    assert np.all(res.overlaps == 1.0)
    # The final states are fixed points of the zero-temperature dynamics.
    fields = res.states.astype(float) @ model.weights
    assert np.all(res.states * fields >= 0)
    warm = retrieve(model, 0.3, corruption=0.15, sweeps=30, seed=3)
    assert np.all(warm.overlaps > 0.9)
    ds = res.to_dataset()
    assert ds["final_state"].dims == ("pattern", "site") and np.all(ds["overlap"] == 1.0)
