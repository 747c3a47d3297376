"""Random streams and sub-seeds, all derived by name from one integer seed.

:func:`derive` is the only place where simlab turns a seed into randomness: it returns
``numpy.random.SeedSequence(seed, spawn_key=names)``, the names saying *what is drawn*
(an instance family and its index, a reference run, a pattern set, the chains of a model at
a temperature). Everything else goes through it:

- :func:`stream_states`: xoshiro256** states for the Numba kernels, one per chain;
- :func:`generator`: a ``numpy.random.Generator`` (corpus shuffles, data splits, patterns);
- :func:`sub_seed`: an integer for APIs that take a seed (a disorder instance).

Because the key names what is drawn, never the position of a chain in a batch, a job number
or a sum of integers, the same name gives the same numbers whatever else runs beside it, and
different names never share numbers. Never do arithmetic on seeds: ``seed + k`` for instance
k made runs with seeds 0 and 1 share all but one instance.
"""

import hashlib
import struct

import numpy as np

from simlab.validation import integer


def validate_seed(seed):
    """Return ``seed`` as a Python int if it is a non-negative integer, else raise ConfigError."""
    return integer("seed", seed, 0)


def key_part(value):
    """Map an int, float, bool or str to a non-negative int usable in a SeedSequence key.

    Floats map through their IEEE-754 bits (so 2.0 and 2.0000000001 differ), strings and
    negative integers through the first 8 bytes of their SHA-256.
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


def derive(seed, *names):
    """The seed sequence of what ``names`` describe, under the run's ``seed``.

    Parameters
    ----------
    seed : int
        The run's seed (>= 0).
    *names : int, float, bool or str
        What is drawn, most general first, e.g. ``("instance", "EA2D_L32_pm", 3)``.

    Returns
    -------
    numpy.random.SeedSequence
    """
    return np.random.SeedSequence(validate_seed(seed),
                                  spawn_key=tuple(key_part(n) for n in names))


def generator(seed, *names):
    """A ``numpy.random.Generator`` for what ``names`` describe (see :func:`derive`).

    ``seed`` may also be a Generator, which is returned unchanged (scikit-learn's
    ``random_state`` convention).
    """
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(derive(seed, *names))


def sub_seed(seed, *names):
    """An integer seed in [0, 2**63) for what ``names`` describe (see :func:`derive`)."""
    return int(derive(seed, *names).generate_state(1, np.uint64)[0] >> np.uint64(1))


def fresh_seed():
    """A seed in [0, 2**32) from the operating system's entropy, for callers that ask for
    no seed (dimod's ``seed=None``); report it so the run can be repeated."""
    return int(np.random.SeedSequence().generate_state(1, np.uint32)[0])


def stream_states(seed, key, n_streams):
    """xoshiro256** states for ``n_streams`` independent chains.

    Chain ``i`` gets ``derive(seed, *key, i)``.

    Parameters
    ----------
    seed : int
        The run's seed.
    key : tuple of int, float or str
        What the chains simulate (model, size, temperature, ...).
    n_streams : int

    Returns
    -------
    ndarray, shape (n_streams, 4), uint64
    """
    states = np.empty((n_streams, 4), dtype=np.uint64)
    for i in range(n_streams):
        states[i] = derive(seed, *key, i).generate_state(4, np.uint64)
        if not states[i].any():  # the one state xoshiro cannot leave; astronomically unlikely
            states[i, 0] = 1
    return states


def grouped_stream_states(seed, key, n_groups, group_size):
    """xoshiro256** states for ``n_groups`` groups of ``group_size`` chains each.

    Group ``g`` draws all its states from one sequence, ``derive(seed, *key, g)``; chain
    ``j`` of the group takes words ``4j .. 4j + 3``. One derivation per group instead of
    one per chain (about 40 microseconds each), for many small groups such as the replicas
    of independent parallel-tempering systems.

    Returns
    -------
    ndarray, shape (n_groups * group_size, 4), uint64 (group-major)
    """
    states = np.empty((n_groups * group_size, 4), dtype=np.uint64)
    for g in range(n_groups):
        block = derive(seed, *key, g).generate_state(4 * group_size, np.uint64)
        states[g * group_size:(g + 1) * group_size] = block.reshape(group_size, 4)
    empty = ~states.any(axis=1)
    states[empty, 0] = 1    # the one state xoshiro cannot leave; astronomically unlikely
    return states


def generator_from_states(states):
    """A ``numpy.random.Generator`` seeded by xoshiro states already derived for a purpose
    (for a numpy-vectorised part of a sampler that was handed kernel streams)."""
    words = np.asarray(states, dtype=np.uint64).ravel()
    return np.random.default_rng(np.random.SeedSequence([int(w) for w in words]))
