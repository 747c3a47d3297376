"""The Python API over the kernels: validate, convert models to arrays, seed, run, wrap."""

from simlab.samplers.mcmc import LatticeRun, sample_lattice

__all__ = ["LatticeRun", "sample_lattice"]
