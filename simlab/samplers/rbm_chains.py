"""Block-Gibbs chains of an RBM at several temperatures: the energy after every sweep."""

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from simlab.results import Result
from simlab.rng import generator


def random_stream(random_state, *names):
    """A Generator for ``names`` from scikit-learn's ``random_state`` (None means 0; a
    legacy RandomState gives one draw as the seed)."""
    if isinstance(random_state, np.random.RandomState):
        random_state = int(random_state.randint(np.iinfo(np.int32).max))
    return generator(0 if random_state is None else random_state, *names)


@dataclass
class EnergySeries(Result):
    """Energies E(v, h) of block-Gibbs chains (:func:`rbm_energy_series`).

    Attributes
    ----------
    energy : float64[T, chains, sweeps]
    temperatures : float64[T]
    thermalization : int
    seed : int
    """

    energy: np.ndarray
    temperatures: np.ndarray
    thermalization: int
    seed: int

    META = {"energy_series": ("total energy E(v, h) after the sweep", "1"),
            "temperature": ("temperature T (weights divided by T)", "1")}

    def to_dataset(self):
        """``energy_series`` with dims (temperature, chain, sweep)."""
        return self._dataset(
            {"energy_series": (("temperature", "chain", "sweep"), self.energy)},
            {"temperature": self.temperatures, "chain": np.arange(self.energy.shape[1]),
             "sweep": self.thermalization + 1 + np.arange(self.energy.shape[2])},
            seed=self.seed)


def rbm_energy_series(params, temperatures, chains, sweeps, thermalization, seed=0):
    """Energies E(v, h) after every block-Gibbs sweep at each temperature.

    The chains at temperature T use ``derive(seed, "rbm_energy", T)``.

    Returns
    -------
    EnergySeries
    """
    t = np.asarray(temperatures, dtype=np.float64)
    W, b, c = params.weights, params.visible_bias, params.hidden_bias
    out = np.empty((t.size, chains, sweeps))
    for k, tk in enumerate(t):
        rng = random_stream(seed, "rbm_energy", float(tk))
        v = (rng.random((chains, b.size)) < 0.5) * 1.0
        for step in range(thermalization + sweeps):
            h = (rng.random((chains, c.size)) < expit((v @ W + c) / tk)) * 1.0
            v = (rng.random(v.shape) < expit((h @ W.T + b) / tk)) * 1.0
            if step >= thermalization:
                out[k, :, step - thermalization] = params.energy(v, h)
    return EnergySeries(out, t, int(thermalization), int(seed))
