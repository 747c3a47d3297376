import numba
import numpy as np
import pytest

from simlab.errors import ConfigError
from simlab.models import IsingLattice
from simlab.samplers import sample_lattice

KW = dict(chains=3, sweeps=300, thermalization=20)


def arrays(run):
    return run.bond_sum, run.magnetization, run.spins


@pytest.mark.parametrize("algorithm,scan", [("metropolis", "random"), ("heatbath", "sequential")])
def test_same_seed_bit_identical_whatever_the_threads(algorithm, scan):
    model = IsingLattice(8)
    temps = [1.5, 2.3, 3.0]
    a = sample_lattice(model, temps, seed=9, threads=1, algorithm=algorithm, scan=scan, **KW)
    b = sample_lattice(model, temps, seed=9, threads=numba.config.NUMBA_NUM_THREADS,
                       algorithm=algorithm, scan=scan, **KW)
    for x, y in zip(arrays(a), arrays(b)):
        assert np.array_equal(x, y)


def test_different_seed_differs():
    model = IsingLattice(8)
    a = sample_lattice(model, [2.3], seed=1, **KW)
    b = sample_lattice(model, [2.3], seed=2, **KW)
    assert not np.array_equal(a.bond_sum, b.bond_sum)


def test_chain_independent_of_other_temperatures_in_the_batch():
    model = IsingLattice(8)
    alone = sample_lattice(model, [2.3], seed=4, **KW)
    batch = sample_lattice(model, [1.5, 2.3, 3.0], seed=4, **KW)
    assert np.array_equal(alone.bond_sum[0], batch.bond_sum[1])
    assert np.array_equal(alone.spins[0], batch.spins[1])


@pytest.mark.parametrize("kwargs,key", [
    (dict(temperatures=[2.0, -1.0]), "temperatures"),
    (dict(temperatures=[]), "temperatures"),
    (dict(temperatures=[2.0], chains=0), "chains"),
    (dict(temperatures=[2.0], sweeps=0), "sweeps"),
    (dict(temperatures=[2.0], algorithm="glauber-kawasaki"), "algorithm"),
    (dict(temperatures=[2.0], scan="zigzag"), "scan"),
    (dict(temperatures=[2.0], init="hot"), "init"),
    (dict(temperatures=[2.0], seed=-5), "seed"),
])
def test_bad_sampler_arguments(kwargs, key):
    with pytest.raises(ConfigError, match=key):
        sample_lattice(IsingLattice(4), **kwargs)


def test_bad_model_arguments():
    with pytest.raises(ConfigError, match="rows"):
        IsingLattice(1)
    with pytest.raises(ConfigError, match="coupling"):
        IsingLattice(4, coupling=float("nan"))
