"""The travelling salesman problem: TSPLIB instances and tour lengths.

A tour is a permutation of the n cities; its energy is its length. The TSPLIB reader
supports EUC_2D (Euclidean distance rounded to the nearest integer), CEIL_2D and ATT
distances with a NODE_COORD_SECTION. berlin52, eil51, st70, eil76, kroA100, d198, lin318 and
pr2392 ship with simlab (``simlab/data/tsplib``, with their proven optima; source: TSPLIB,
Reinelt 1991).
"""

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Optional

import numpy as np

from simlab.errors import DataError
from simlab.validation import choice, read_text

EDGE_WEIGHT_TYPES = ("EUC_2D", "CEIL_2D", "ATT")
#: Bounds on the number of cities: a tour needs 3, and the full distance matrix of
#: ``MAX_CITIES`` cities takes 800 MB (a larger DIMENSION is refused, not allocated).
MIN_CITIES, MAX_CITIES = 3, 10_000
SHIPPED = ("berlin52", "eil51", "st70", "eil76", "kroA100", "d198", "lin318", "pr2392")


@dataclass(frozen=True)
class TSPInstance:
    """A symmetric TSP instance.

    Attributes
    ----------
    name : str
    coords : float64[n, 2]
    distances : float64[n, n]
        Integer-valued for the TSPLIB metrics.
    optimum : float, optional
        Proven optimal tour length, when known.
    """

    name: str
    coords: np.ndarray
    distances: np.ndarray
    optimum: Optional[float] = None

    @property
    def n_cities(self):
        """Number of cities."""
        return self.coords.shape[0]

    def tour_length(self, tour):
        """Length of a closed tour (or of each tour in a stack of shape (..., n))."""
        t = np.asarray(tour)
        return self.distances[t, np.roll(t, -1, axis=-1)].sum(axis=-1)

    def check_tour(self, tour):
        """Raise DataError unless ``tour`` is a permutation of 0..n-1."""
        t = np.asarray(tour)
        if t.shape != (self.n_cities,) or not np.array_equal(np.sort(t), np.arange(self.n_cities)):
            raise DataError(f"not a tour of {self.n_cities} cities: each city exactly once")
        return t


def _distances(coords, kind):
    dx = coords[:, None, 0] - coords[None, :, 0]
    dy = coords[:, None, 1] - coords[None, :, 1]
    if kind == "EUC_2D":
        return np.floor(np.sqrt(dx**2 + dy**2) + 0.5)
    if kind == "CEIL_2D":
        return np.ceil(np.sqrt(dx**2 + dy**2))
    r = np.sqrt((dx**2 + dy**2) / 10.0)  # ATT (pseudo-Euclidean)
    t = np.floor(r + 0.5)
    return np.where(t < r, t + 1, t)


def read_tsplib(path, optimum=None):
    """Read a symmetric TSPLIB file with node coordinates.

    Raises
    ------
    DataError
        For a missing file, an unsupported TYPE or EDGE_WEIGHT_TYPE, a missing DIMENSION or
        NODE_COORD_SECTION, malformed coordinate lines, or a node count that differs from
        DIMENSION; messages name the file and line.
    """
    path = Path(path)
    lines = read_text(path, "TSPLIB file").splitlines()
    header, coords, in_coords, seen = {}, {}, False, 0
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if line == "EOF":
            break
        if in_coords:
            parts = line.split()
            if len(parts) == 3:
                try:
                    node, x, y = int(parts[0]), float(parts[1]), float(parts[2])
                except ValueError:
                    raise DataError(f"{path}:{number}: malformed coordinate line {line!r}") from None
                if not (np.isfinite(x) and np.isfinite(y)) or max(abs(x), abs(y)) > 1e12:
                    raise DataError(f"{path}:{number}: coordinates {x}, {y} are not finite "
                                    "numbers of at most 1e12")
                if len(coords) >= MAX_CITIES:
                    raise DataError(f"{path}:{number}: more than {MAX_CITIES:,} cities")
                if node in coords:
                    raise DataError(f"{path}:{number}: node {node} appears twice")
                coords[node] = (x, y)
                seen += 1
                continue
            if ":" not in line and not line.endswith("SECTION"):
                raise DataError(f"{path}:{number}: malformed coordinate line {line!r}")
            in_coords = False
        if line.startswith("NODE_COORD_SECTION"):
            in_coords = True
            continue
        if line.endswith("SECTION"):
            raise DataError(f"{path}:{number}: {line} is not supported (only "
                            "NODE_COORD_SECTION coordinates)")
        if ":" in line:
            key, value = (s.strip() for s in line.split(":", 1))
            header[key.upper()] = value
        else:
            raise DataError(f"{path}:{number}: expected 'KEY : value', got {line!r}")
    kind = (header.get("TYPE", "TSP").split() or [""])[0]
    if kind != "TSP":
        raise DataError(f"{path}: TYPE {kind or '(empty)'} is not supported (only symmetric TSP)")
    weight_type = header.get("EDGE_WEIGHT_TYPE")
    if weight_type not in EDGE_WEIGHT_TYPES:
        raise DataError(f"{path}: EDGE_WEIGHT_TYPE {weight_type!r} is not supported "
                        f"(supported: {', '.join(EDGE_WEIGHT_TYPES)})")
    if "DIMENSION" not in header:
        raise DataError(f"{path}: no DIMENSION line")
    try:
        n = int(header["DIMENSION"])
    except ValueError:
        raise DataError(f"{path}: DIMENSION {header['DIMENSION']!r} is not an integer") from None
    if seen == 0:
        raise DataError(f"{path}: no NODE_COORD_SECTION with coordinates")
    if not MIN_CITIES <= n <= MAX_CITIES:
        raise DataError(f"{path}: DIMENSION {n} is not allowed: from {MIN_CITIES} to "
                        f"{MAX_CITIES:,} cities")
    if seen != n or sorted(coords) != list(range(1, n + 1)):
        raise DataError(f"{path}: DIMENSION is {n} but nodes {min(coords)}..{max(coords)} "
                        f"({seen} lines) were given; nodes must be numbered 1..{n}")
    xy = np.array([coords[k] for k in range(1, n + 1)], dtype=np.float64)
    name = header.get("NAME", path.stem)
    return TSPInstance(name, xy, _distances(xy, weight_type), optimum)


def _shipped_dir():
    return files("simlab.data") / "tsplib"


def shipped_optima():
    """{name: optimal tour length} of the instances shipped with simlab."""
    out = {}
    for line in (_shipped_dir() / "optima.txt").read_text().splitlines():
        if ":" in line:
            name, value = line.split(":")
            out[name.strip()] = float(value)
    return out


def load_tsplib(name):
    """A shipped instance by name (berlin52, eil51, st70, eil76, kroA100), with its optimum."""
    choice("tsp.instance", name, SHIPPED)
    return read_tsplib(_shipped_dir() / f"{name}.tsp", shipped_optima()[name])
