"""Ising models on arbitrary sparse graphs: spin glasses, SK, Max-Cut, and interop.

Convention (physics): E(s) = - sum_{i<j} J_ij s_i s_j - sum_i h_i s_i, s_i in {-1, +1}.
dimod uses the opposite signs (E = sum h_i s_i + sum J_ij s_i s_j); :func:`from_dimod`,
:func:`from_ising_dicts` and :func:`to_dimod` convert.

Storage is CSR: the neighbours of site i are ``indices[indptr[i]:indptr[i+1]]`` with couplings
``couplings[...]`` at the same places; every bond appears twice (i->j and j->i).
"""

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from simlab.errors import ConfigError, DataError, ModelError
from simlab.rng import generator
from simlab.validation import choice, integer, read_text

DISORDERS = ("pm", "gaussian")
#: The most sites a model may have (sites are int32 indices; this bounds the memory a file
#: can ask for: a header of a billion sites is refused, not allocated).
MAX_SITES = 100_000_000


@dataclass(frozen=True)
class IsingGraph:
    """A sparse Ising model.

    Attributes
    ----------
    indptr : int64[N + 1]
    indices : int32[2M]
    couplings : float64[2M]
        J_ij, stored at (i, j) and (j, i).
    fields : float64[N]
        h_i.
    name : str
    labels : tuple, optional
        Original variable labels (from networkx or dimod), in site order.
    """

    indptr: np.ndarray
    indices: np.ndarray
    couplings: np.ndarray
    fields: np.ndarray
    name: str = "ising_graph"
    labels: Optional[tuple] = dataclasses.field(default=None, compare=False)

    @property
    def n_sites(self):
        """Number of spins N."""
        return self.fields.size

    @property
    def n_edges(self):
        """Number of bonds M."""
        return self.indices.size // 2

    def edges(self):
        """(i, j, J) arrays of the bonds with i < j."""
        rows = np.repeat(np.arange(self.n_sites), np.diff(self.indptr))
        keep = rows < self.indices
        return rows[keep], self.indices[keep].astype(np.int64), self.couplings[keep]

    def sparse_matrix(self):
        """J as a symmetric scipy CSR matrix (N, N)."""
        from scipy.sparse import csr_matrix

        return csr_matrix((self.couplings, self.indices, self.indptr),
                          shape=(self.n_sites, self.n_sites))

    def energy(self, spins):
        """E(s) for configurations of shape (..., N); float64 array of shape (...)."""
        s = np.asarray(spins, dtype=np.float64)
        flat = s.reshape(-1, self.n_sites)
        bonds = np.einsum("kn,kn->k", flat, (self.sparse_matrix() @ flat.T).T)
        return (-0.5 * bonds - flat @ self.fields).reshape(s.shape[:-1])

    def max_abs_delta(self):
        """Largest |dE| of a single flip over all states: 2 max_i (sum_j |J_ij| + |h_i|)."""
        rows = np.repeat(np.arange(self.n_sites), np.diff(self.indptr))
        per_site = np.bincount(rows, weights=np.abs(self.couplings), minlength=self.n_sites)
        return 2 * float(np.max(per_site + np.abs(self.fields)))

    def min_abs_delta(self):
        """Smallest non-zero 2 |J_ij| or 2 |h_i| (a scale for the cold end of a schedule)."""
        values = np.abs(np.concatenate([self.couplings, self.fields]))
        values = values[values > 0]
        return 2 * float(values.min()) if values.size else 1.0


def from_edges(n_sites, i, j, couplings, fields=None, name="ising_graph", labels=None):
    """Build an :class:`IsingGraph` from bond lists (each bond once, i != j).

    Raises
    ------
    ModelError
        For out-of-range indices, self-loops, repeated bonds or non-finite values.
    """
    n = integer("n_sites", n_sites, 1, MAX_SITES)
    i = np.asarray(i, dtype=np.int64).ravel()
    j = np.asarray(j, dtype=np.int64).ravel()
    w = np.asarray(couplings, dtype=np.float64).ravel()
    if not (i.size == j.size == w.size):
        raise ModelError(f"bond lists have different lengths: {i.size}, {j.size}, {w.size}")
    if i.size and (min(i.min(), j.min()) < 0 or max(i.max(), j.max()) >= n):
        raise ModelError(f"a bond refers to a site outside 0..{n - 1}")
    if np.any(i == j):
        k = int(np.argmax(i == j))
        raise ModelError(f"self-loop on site {i[k]} (bond {k}); Ising bonds join two sites")
    if not np.all(np.isfinite(w)):
        raise ModelError("couplings must be finite")
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    key = lo * n + hi
    uniq, counts = np.unique(key, return_counts=True)
    if np.any(counts > 1):
        dup = int(uniq[np.argmax(counts > 1)])
        raise ModelError(f"bond ({dup // n}, {dup % n}) appears more than once")
    h = np.zeros(n) if fields is None else np.asarray(fields, dtype=np.float64).ravel()
    if h.shape != (n,) or not np.all(np.isfinite(h)):
        raise ModelError(f"fields must be {n} finite numbers")
    rows = np.concatenate([i, j])
    cols = np.concatenate([j, i])
    vals = np.concatenate([w, w])
    order = np.lexsort((cols, rows))
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, rows + 1, 1)
    return IsingGraph(np.cumsum(indptr), cols[order].astype(np.int32), vals[order], h, name,
                      None if labels is None else tuple(labels))


def from_dense(coupling_matrix, fields=None, name="ising_graph"):
    """From a symmetric (N, N) coupling matrix with zero diagonal (zeros mean no bond)."""
    J = np.asarray(coupling_matrix, dtype=np.float64)
    if J.ndim != 2 or J.shape[0] != J.shape[1]:
        raise ModelError(f"coupling matrix must be square, got shape {J.shape}")
    if not np.allclose(J, J.T) or np.any(np.diag(J) != 0):
        raise ModelError("coupling matrix must be symmetric with a zero diagonal")
    i, j = np.nonzero(np.triu(J, 1))
    return from_edges(J.shape[0], i, j, J[i, j], fields, name)


def _disorder(rng, size, disorder):
    choice("disorder", disorder, DISORDERS)
    if disorder == "pm":
        return rng.choice([-1.0, 1.0], size=size)
    return rng.standard_normal(size)


def edwards_anderson(L, dim=2, disorder="pm", seed=0, periodic=True):
    """Edwards-Anderson spin glass on an L^dim hypercubic lattice (+-J or Gaussian J).

    Parameters
    ----------
    L : int
        Linear size (>= 3 with periodic boundaries, so every bond is distinct).
    dim : {2, 3}
    disorder : {"pm", "gaussian"}
        J_ij = +-1 with probability 1/2, or standard normal.
    seed : int
        Instance seed.
    periodic : bool
    """
    L = integer("L", L, 3 if periodic else 2)
    dim = integer("dim", dim, 2, 3)
    n = L**dim
    coords = np.stack(np.unravel_index(np.arange(n), (L,) * dim), axis=1)
    i_list, j_list = [], []
    for axis in range(dim):
        nb = coords.copy()
        nb[:, axis] += 1
        keep = np.ones(n, bool) if periodic else nb[:, axis] < L
        nb[:, axis] %= L
        i_list.append(np.arange(n)[keep])
        j_list.append(np.ravel_multi_index(nb[keep].T, (L,) * dim))
    i, j = np.concatenate(i_list), np.concatenate(j_list)
    rng = generator(seed, "edwards_anderson", L, dim, disorder, bool(periodic))
    return from_edges(n, i, j, _disorder(rng, i.size, disorder),
                      name=f"EA{dim}D_L{L}_{disorder}_seed{seed}")


def sherrington_kirkpatrick(n, seed=0, disorder="gaussian"):
    """SK model: all pairs, J_ij = g_ij / sqrt(N) with g standard normal (or +-1)."""
    n = integer("n", n, 2)
    i, j = np.triu_indices(n, 1)
    rng = generator(seed, "sherrington_kirkpatrick", n, disorder)
    return from_edges(n, i, j, _disorder(rng, i.size, disorder) / np.sqrt(n),
                      name=f"SK_N{n}_{disorder}_seed{seed}")


def random_regular(n, degree, seed=0, disorder="pm"):
    """Random d-regular graph (configuration model, resampled until simple) with random J."""
    n = integer("n", n, 2)
    degree = integer("degree", degree, 1, n - 1)
    if (n * degree) % 2:
        raise ConfigError("degree", degree, f"a degree with n * degree even (n = {n})")
    rng = generator(seed, "random_regular", n, degree, disorder)
    for _ in range(1000):
        stubs = rng.permutation(np.repeat(np.arange(n), degree)).reshape(-1, 2)
        lo, hi = stubs.min(1), stubs.max(1)
        if np.all(lo != hi) and np.unique(lo * n + hi).size == lo.size:
            return from_edges(n, lo, hi, _disorder(rng, lo.size, disorder),
                              name=f"RRG_N{n}_d{degree}_{disorder}_seed{seed}")
    raise ModelError(f"no simple {degree}-regular graph on {n} sites found in 1000 tries")


def planted(graph, seed=0):
    """A gauge-transformed ferromagnet with a known ground state.

    Couplings become J_ij = |J_ij| t_i t_j for a random planted configuration t (fields are
    dropped), so every bond is satisfied by t: the ground states are t and -t with energy
    -sum |J_ij|. Single-spin-flip dynamics is gauge invariant, so the instance is exactly
    as hard for annealing as the ferromagnet on the same graph.

    Returns
    -------
    (IsingGraph, ndarray, float)
        The instance, the planted configuration t (int8[N]) and the ground-state energy.
    """
    rng = generator(seed, "planted", graph.name)
    t = rng.choice(np.array([-1, 1], dtype=np.int8), size=graph.n_sites)
    i, j, w = graph.edges()
    w = np.abs(w)
    out = from_edges(graph.n_sites, i, j, w * t[i] * t[j], name=f"planted_{graph.name}")
    return out, t, -float(w.sum())


def maxcut(n_sites, i, j, weights=None, name="maxcut"):
    """Max-Cut on a weighted graph as an Ising model: J_ij = -w_ij, h = 0.

    The cut of a configuration is (W - E(s)) / 2 with W the total weight, so the ground state
    of the returned model is a maximum cut (see :func:`cut_value`).
    """
    w = np.ones(np.size(i)) if weights is None else np.asarray(weights, dtype=np.float64)
    return from_edges(n_sites, i, j, -w, name=name)


def cut_value(model, energy):
    """Cut weight of a configuration of energy E for a model made by :func:`maxcut`."""
    total = -model.edges()[2].sum()
    return (total - np.asarray(energy)) / 2


def read_edge_list(path, name=None):
    """Read an Ising model from a text file of bonds.

    Format: one bond per line, ``i j J`` (0-based integer sites, real coupling; ``i j``
    alone means J = 1), with ``#`` comments and blank lines ignored. An optional line
    ``# sites: N`` sets the number of sites (default: largest index + 1; at most
    :data:`MAX_SITES`). Fields: lines ``h i value``.

    Raises
    ------
    DataError
        Naming the file and line for malformed lines, bad or non-finite numbers, negative or
        too large indices, self-loops, repeated bonds or fields.
    """
    path = Path(path)
    lines = read_text(path, "edge-list file").splitlines()
    n_declared, bonds, fields = None, [], {}

    def site(text, number_, raw):
        index = int(text)
        if index < 0:
            raise DataError(f"{path}:{number_}: negative site index in {raw.strip()!r}")
        if index >= MAX_SITES:
            raise DataError(f"{path}:{number_}: site {index} is beyond the largest model "
                            f"simlab builds ({MAX_SITES:,} sites)")
        return index

    for number_, raw in enumerate(lines, start=1):
        line = raw.strip()
        if line.lower().startswith("# sites:"):
            try:
                n_declared = int(line.split(":", 1)[1])
            except ValueError:
                raise DataError(f"{path}:{number_}: '# sites:' needs an integer") from None
            if not 1 <= n_declared <= MAX_SITES:
                raise DataError(f"{path}:{number_}: '# sites: {n_declared}' is not allowed: "
                                f"from 1 to {MAX_SITES:,}")
            continue
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        try:
            if parts[0] == "h":
                if len(parts) != 3:
                    raise ValueError("a field line is 'h i value'")
                k, value = site(parts[1], number_, raw), float(parts[2])
                if not np.isfinite(value):
                    raise DataError(f"{path}:{number_}: field {value} is not finite")
                if k in fields:
                    raise DataError(f"{path}:{number_}: the field of site {k} repeats line "
                                    f"{fields[k][1]}")
                fields[k] = (value, number_)
                continue
            if len(parts) not in (2, 3):
                raise ValueError(f"expected 'i j [J]', got {len(parts)} fields")
            a, b = site(parts[0], number_, raw), site(parts[1], number_, raw)
            w = float(parts[2]) if len(parts) == 3 else 1.0
        except DataError:
            raise
        except ValueError as exc:
            raise DataError(f"{path}:{number_}: cannot parse {raw.strip()!r} ({exc})") from None
        if a == b:
            raise DataError(f"{path}:{number_}: self-loop {a}-{b}")
        if not np.isfinite(w):
            raise DataError(f"{path}:{number_}: coupling {w} is not finite")
        bonds.append((a, b, w, number_))
    if not bonds and not fields:
        raise DataError(f"{path}: no bonds found")
    largest = max([max(a, b) for a, b, _, _ in bonds] + list(fields) + [-1])
    n = n_declared if n_declared is not None else largest + 1
    if largest >= n:
        raise DataError(f"{path}: site {largest} is beyond '# sites: {n}'")
    seen = {}
    for a, b, w, line_no in bonds:
        key = (min(a, b), max(a, b))
        if key in seen:
            first, w0 = seen[key]
            what = "with another coupling" if w != w0 else "again"
            raise DataError(f"{path}:{line_no}: bond {key} repeats line {first} {what}")
        seen[key] = (line_no, w)
    h = np.zeros(n)
    for k, (value, _) in fields.items():
        h[k] = value
    i, j, w = (np.array([b[k] for b in bonds]) for k in range(3))
    return from_edges(n, i, j, w, h, name or path.stem)


def write_edge_list(model, path):
    """Write ``model`` in the format of :func:`read_edge_list`."""
    i, j, w = model.edges()
    lines = [f"# sites: {model.n_sites}"]
    lines += [f"{a} {b} {float(c)!r}" for a, b, c in zip(i, j, w)]
    lines += [f"h {k} {float(v)!r}" for k, v in enumerate(model.fields) if v != 0]
    Path(path).write_text("\n".join(lines) + "\n")


def from_networkx(graph, weight="weight", field="field", default_weight=1.0):
    """From a networkx graph: edge attribute ``weight`` is J_ij, node attribute ``field`` h_i."""
    nodes = list(graph.nodes)
    index = {node: k for k, node in enumerate(nodes)}
    i, j, w = [], [], []
    for a, b, data in graph.edges(data=True):
        i.append(index[a])
        j.append(index[b])
        w.append(data.get(weight, default_weight))
    h = [graph.nodes[node].get(field, 0.0) for node in nodes]
    return from_edges(len(nodes), i, j, w, h, name=str(graph.name or "networkx"),
                      labels=nodes)


def from_ising_dicts(h, J, name="ising_dicts"):
    """From dimod-style Ising dicts {v: h_v}, {(u, v): J_uv} (dimod sign convention)."""
    labels = list(dict.fromkeys(list(h) + [v for pair in J for v in pair]))
    index = {label: k for k, label in enumerate(labels)}
    fields = np.zeros(len(labels))
    for label, value in h.items():
        fields[index[label]] = -value
    i = [index[u] for u, _ in J]
    j = [index[v] for _, v in J]
    w = [-value for value in J.values()]
    return from_edges(len(labels), i, j, w, fields, name, labels=labels)


def from_dimod(bqm, name="dimod_bqm"):
    """From a dimod BinaryQuadraticModel (SPIN or BINARY; converted to SPIN)."""
    import dimod

    spin = bqm.change_vartype(dimod.SPIN, inplace=False)
    h, J, _ = spin.to_ising()
    return from_ising_dicts(h, J, name)


def to_dimod(model):
    """The model as a dimod BinaryQuadraticModel (SPIN; dimod signs: h = -fields, J = -J)."""
    import dimod

    i, j, w = model.edges()
    labels = model.labels or tuple(range(model.n_sites))
    h = {labels[k]: -model.fields[k] for k in range(model.n_sites)}
    J = {(labels[a], labels[b]): -c for a, b, c in zip(i, j, w)}
    return dimod.BinaryQuadraticModel.from_ising(h, J)
