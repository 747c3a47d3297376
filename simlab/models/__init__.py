"""Energy models: plain classes holding flat arrays, one module per family."""

from simlab.models.lattice import IsingLattice

__all__ = ["IsingLattice"]
