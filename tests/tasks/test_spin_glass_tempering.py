import numpy as np

from simlab.tasks.spin_glass_annealing import SpinGlassSettings, families
from simlab.tasks.spin_glass_tempering import TemperingSettings, instances


def test_tempering_uses_the_annealing_instances():
    annealed = families(SpinGlassSettings(ea_size=8, instances=3), seed=5)["EA2D_L8_pm"]
    tempered = instances(TemperingSettings(ea_size=8, instances=3), seed=5)
    for a, b in zip(annealed, tempered):
        assert a.name == b.name
        assert np.array_equal(a.couplings, b.couplings)
