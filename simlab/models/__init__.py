"""Energy models: plain classes holding flat arrays, one module per family."""

from simlab.models.graph import IsingGraph
from simlab.models.landscape import Landscape
from simlab.models.lattice import IsingLattice, PottsLattice
from simlab.models.tsp import TSPInstance

__all__ = ["IsingGraph", "IsingLattice", "Landscape", "PottsLattice", "TSPInstance"]
