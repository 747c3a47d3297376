"""Brute-force enumeration of models on a few sites (the universal oracle).

Every state of ``n_sites`` sites (two-valued spins by default, any q values for Potts) is
listed, the energy function evaluated on all of them, and the thermodynamics taken from the
resulting finite spectrum with :func:`simlab.thermo.spectrum_thermodynamics`. Feasible up
to 2^20 (about a million) states.
"""

import numpy as np

from simlab.errors import ConfigError, ModelError

MAX_SITES = 20


def all_states(n_sites, values=(-1, 1)):
    """Every configuration of ``n_sites`` sites taking the q = len(values) given values.

    Row ``k`` is the base-q expansion of ``k`` with site 0 as the most significant digit,
    digit d mapped to ``values[d]`` (so :func:`state_index` inverts it).

    Returns
    -------
    ndarray, shape (q**n_sites, n_sites), int8
    """
    q = len(values)
    if int(n_sites) != n_sites or not 1 <= n_sites or q < 2 or q**n_sites > 2**MAX_SITES:
        raise ConfigError("n_sites", n_sites,
                          f"an integer >= 1 with at most 2^{MAX_SITES} states ({q} values)")
    n_sites = int(n_sites)
    digits = (np.arange(q**n_sites)[:, None] // q ** np.arange(n_sites - 1, -1, -1)) % q
    return np.asarray(values, dtype=np.int8)[digits]


def state_index(states, values=(-1, 1)):
    """Inverse of :func:`all_states`: integer index of each configuration.

    Parameters
    ----------
    states : array_like, shape (..., n_sites)

    Returns
    -------
    ndarray, shape (...), int64
    """
    states = np.asarray(states)
    q = len(values)
    digits = np.zeros(states.shape, dtype=np.int64)
    for d, v in enumerate(values):
        digits[states == v] = d
    weights = q ** np.arange(states.shape[-1] - 1, -1, -1, dtype=np.int64)
    return digits @ weights


def enumerate_energies(energy, n_sites, values=(-1, 1), chunk=1 << 16):
    """Energy of every configuration, in the order of :func:`all_states`.

    Parameters
    ----------
    energy : callable
        Maps an int8 array of states, shape (k, n_sites), to energies, shape (k,).
    n_sites : int
        Number of sites (at most 2^20 states).
    values : sequence
        The values a site takes (see :func:`all_states`).

    Returns
    -------
    ndarray, shape (q**n_sites,), float64
    """
    states = all_states(n_sites, values)
    out = np.empty(len(states))
    for start in range(0, len(states), chunk):
        block = np.asarray(energy(states[start:start + chunk]), dtype=np.float64)
        if block.shape != (len(states[start:start + chunk]),):
            raise ModelError(
                f"energy function returned shape {block.shape} for {min(chunk, len(states))} "
                "states; it must return one energy per state"
            )
        out[start:start + chunk] = block
    if not np.all(np.isfinite(out)):
        raise ModelError("energy function returned a non-finite energy")
    return out


def enumerate_thermodynamics(energy, n_sites, temperature, values=(-1, 1)):
    """Exact ln Z, U, C, S and F of an energy function on ``n_sites`` sites.

    Returns the dict of :func:`simlab.thermo.spectrum_thermodynamics` (whole-system values,
    not per site).
    """
    from simlab.thermo.spectra import spectrum_thermodynamics

    return spectrum_thermodynamics(enumerate_energies(energy, n_sites, values), temperature)


def boltzmann_probabilities(energy, n_sites, temperature, values=(-1, 1)):
    """Exact Boltzmann probability of every configuration at one temperature.

    Returns
    -------
    ndarray, shape (q**n_sites,)
    """
    energies = enumerate_energies(energy, n_sites, values)
    if not temperature > 0:
        raise ConfigError("temperature", temperature, "a number > 0")
    w = -(energies - energies.min()) / temperature
    p = np.exp(w)
    return p / p.sum()
