"""Brute-force enumeration of models on a few binary sites (the universal oracle).

Every state of ``n_sites`` spins is listed, the energy function evaluated on all of them, and
the thermodynamics taken from the resulting finite spectrum with
:func:`simlab.thermo.spectrum_thermodynamics`. Feasible up to 20 sites (about a million
states).
"""

import numpy as np

from simlab.errors import ConfigError, ModelError

MAX_SITES = 20


def all_states(n_sites, values=(-1, 1)):
    """Every configuration of ``n_sites`` two-valued sites.

    Row ``k`` is the binary expansion of ``k`` with site 0 as the most significant bit, bit 0
    mapped to ``values[0]`` and bit 1 to ``values[1]`` (so ``state_index`` inverts it).

    Returns
    -------
    ndarray, shape (2**n_sites, n_sites), int8
    """
    if int(n_sites) != n_sites or not 1 <= n_sites <= MAX_SITES:
        raise ConfigError("n_sites", n_sites, f"an integer from 1 to {MAX_SITES}")
    n_sites = int(n_sites)
    bits = (np.arange(2**n_sites)[:, None] >> np.arange(n_sites - 1, -1, -1)) & 1
    low, high = values
    return np.where(bits == 1, high, low).astype(np.int8)


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
    bits = (states == values[1]).astype(np.int64)
    weights = 1 << np.arange(states.shape[-1] - 1, -1, -1, dtype=np.int64)
    return bits @ weights


def enumerate_energies(energy, n_sites, values=(-1, 1), chunk=1 << 16):
    """Energy of every configuration, in the order of :func:`all_states`.

    Parameters
    ----------
    energy : callable
        Maps an int8 array of states, shape (k, n_sites), to energies, shape (k,).
    n_sites : int
        Number of binary sites, at most 20.

    Returns
    -------
    ndarray, shape (2**n_sites,), float64
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
    """Exact ln Z, U, C, S and F of an energy function on ``n_sites`` binary sites.

    Returns the dict of :func:`simlab.thermo.spectrum_thermodynamics` (whole-system values,
    not per site).
    """
    from simlab.thermo.spectra import spectrum_thermodynamics

    return spectrum_thermodynamics(enumerate_energies(energy, n_sites, values), temperature)


def boltzmann_probabilities(energy, n_sites, temperature, values=(-1, 1)):
    """Exact Boltzmann probability of every configuration at one temperature.

    Returns
    -------
    ndarray, shape (2**n_sites,)
    """
    energies = enumerate_energies(energy, n_sites, values)
    if not temperature > 0:
        raise ConfigError("temperature", temperature, "a number > 0")
    w = -(energies - energies.min()) / temperature
    p = np.exp(w)
    return p / p.sum()
