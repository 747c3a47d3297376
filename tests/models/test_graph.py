"""Sparse Ising graphs: edge-list files, validation, and networkx and dimod interop."""

import numpy as np
import pytest

from simlab.errors import ConfigError, DataError, ModelError
from simlab.models import graph


@pytest.mark.parametrize("text,message", [
    ("0 1 1.0\n1 2\n2 x 1\n", r":3: cannot parse"),
    ("0 1 1.0\n1 1 2.0\n", r":2: self-loop"),
    ("0 1 1.0\n1 0 2.0\n", r":2: bond \(0, 1\) repeats line 1"),
    ("0 -1 1.0\n", "negative site"),
    ("0 1 2 3\n", "expected 'i j \\[J\\]'"),
    ("# sites: 2\n0 5 1\n", "beyond"),
    ("# only comments\n", "no bonds"),
])
def test_malformed_edge_lists(tmp_path, text, message):
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(DataError, match=message):
        graph.read_edge_list(path)


def test_edge_list_roundtrip(tmp_path):
    model = graph.random_regular(10, 3, seed=2, disorder="gaussian")
    graph.write_edge_list(model, tmp_path / "m.txt")
    back = graph.read_edge_list(tmp_path / "m.txt")
    s = np.random.default_rng(0).choice([-1, 1], size=(20, 10))
    np.testing.assert_allclose(back.energy(s), model.energy(s))


def test_graph_validation():
    with pytest.raises(ModelError, match="self-loop"):
        graph.from_edges(3, [0], [0], [1.0])
    with pytest.raises(ModelError, match="more than once"):
        graph.from_edges(3, [0, 1], [1, 0], [1.0, 2.0])
    with pytest.raises(ModelError, match="outside"):
        graph.from_edges(3, [0], [3], [1.0])
    with pytest.raises(ConfigError, match="degree"):
        graph.random_regular(5, 3)


# --- interop ---------------------------------------------------------------------------------

def test_networkx_and_dimod_interop_preserve_energies():
    nx = pytest.importorskip("networkx")
    dimod = pytest.importorskip("dimod")
    g = nx.random_regular_graph(3, 12, seed=1)
    rng = np.random.default_rng(1)
    for a, b in g.edges:
        g.edges[a, b]["weight"] = rng.normal()
    g.nodes[0]["field"] = 0.5
    model = graph.from_networkx(g)
    states = rng.choice([-1, 1], size=(30, 12))
    bqm = graph.to_dimod(model)
    for s in states:
        sample = dict(zip(model.labels, s))
        assert bqm.energy(sample) == pytest.approx(float(model.energy(s)))
    back = graph.from_dimod(bqm)
    order = [list(model.labels).index(label) for label in back.labels]
    np.testing.assert_allclose(back.energy(states[:, order]), model.energy(states))
    h = {"a": 1.0, "b": -0.5}
    J = {("a", "b"): 2.0, ("b", "c"): -1.0}
    m2 = graph.from_ising_dicts(h, J)
    ref = dimod.BinaryQuadraticModel.from_ising(h, J)
    for s in np.array(np.meshgrid([-1, 1], [-1, 1], [-1, 1])).reshape(3, -1).T:
        assert m2.energy(s) == pytest.approx(ref.energy(dict(zip(m2.labels, s))))
    binary = dimod.BinaryQuadraticModel({"x": 1.0}, {("x", "y"): -2.0}, 0.0, dimod.BINARY)
    assert graph.from_dimod(binary).n_sites == 2


# --- metrics ---------------------------------------------------------------------------------
