"""Random streams: one integer seed -> one independent stream per chain.

Streams come from ``numpy.random.SeedSequence(seed, spawn_key=key + (chain,))``. The key names
what the chain simulates (model, size, temperature), never the position of the chain in a
batch or the process it runs in, so a chain's numbers are the same whatever else is simulated
beside it, whatever the thread count or launcher.
"""

import hashlib
import struct

import numpy as np

from simlab.validation import integer


def validate_seed(seed):
    """Return ``seed`` as a Python int if it is a non-negative integer, else raise ConfigError."""
    return integer("seed", seed, 0)


def key_part(value):
    """Map an int, float or str to a non-negative int usable in a SeedSequence spawn key.

    Floats map through their IEEE-754 bits (so 2.0 and 2.0000000001 differ), strings through
    the first 8 bytes of their SHA-256.
    """
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (int, np.integer)):
        if value < 0:
            return int.from_bytes(hashlib.sha256(str(int(value)).encode()).digest()[:8], "little")
        return int(value)
    if isinstance(value, (float, np.floating)):
        return struct.unpack("<Q", struct.pack("<d", float(value)))[0]
    if isinstance(value, str):
        return int.from_bytes(hashlib.sha256(value.encode()).digest()[:8], "little")
    raise TypeError(f"cannot use {value!r} of type {type(value).__name__} in a seed key")


def stream_states(seed, key, n_streams):
    """xoshiro256** states for ``n_streams`` independent chains.

    Parameters
    ----------
    seed : int
        The run's seed.
    key : tuple of int, float or str
        What the chains simulate; see the module docstring.
    n_streams : int

    Returns
    -------
    ndarray, shape (n_streams, 4), uint64
    """
    seed = validate_seed(seed)
    base = tuple(key_part(k) for k in key)
    states = np.empty((n_streams, 4), dtype=np.uint64)
    for i in range(n_streams):
        states[i] = np.random.SeedSequence(seed, spawn_key=base + (i,)).generate_state(4, np.uint64)
        if not states[i].any():  # the one state xoshiro cannot leave; astronomically unlikely
            states[i, 0] = 1
    return states
