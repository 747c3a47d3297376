"""Numba kernels: pure functions over flat arrays and explicit RNG states.

Nothing here imports the rest of simlab, performs I/O or validates input; callers in
:mod:`simlab.samplers` do that.
"""
