"""Exact oracles: closed forms and brute force, used by datasets and tests alike.

- :mod:`~simlab.exact.kaufman`: the finite n x m Ising torus (Kaufman 1949).
- :mod:`~simlab.exact.beale`: the exact density of states of the Ising torus (Beale 1996).
- :mod:`~simlab.exact.onsager`: the infinite square lattice (Onsager 1944, Yang 1952).
- :mod:`~simlab.exact.enumerate`: brute-force enumeration of up to 20 binary sites.
- :mod:`~simlab.exact.markov`: exact distributions of small single-spin-flip Markov chains.
"""
