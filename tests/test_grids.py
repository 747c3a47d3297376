"""The temperature grid shared by every task."""

import numpy as np
import pytest

from simlab import schema
from simlab.errors import ConfigError
from simlab.grids import TemperatureGrid


def test_linear_pieces_are_rounded_and_merged():
    g = TemperatureGrid(min=1.0, max=4.0, num=16, focus=2.269, focus_width=0.6, focus_num=16,
                        tail=4)
    t = g.values()
    assert t.size == 36 and np.all(np.diff(t) > 0)
    assert 2.009 in t  # not 2.0089999999999999
    assert g.tail_mask().sum() == 4 and np.all(t[g.tail_mask()] > 4.0)
    assert np.array_equal(g.main_range(), t[~g.tail_mask()])


def test_log_grids_keep_numpy_values_and_include_points():
    g = TemperatureGrid(min=0.05, max=20.0, num=128, spacing="log", include=[1.0])
    t = g.values()
    expected = np.unique(np.concatenate([np.geomspace(0.05, 20.0, 128), [1.0]]))
    assert np.array_equal(t, expected)


def test_one_point_and_explicit_points():
    assert np.array_equal(TemperatureGrid(min=2.0, max=2.0, num=1).values(), [2.0])
    assert np.array_equal(TemperatureGrid(points=[3.0, 1.0]).values(), [1.0, 3.0])


@pytest.mark.parametrize("data,key", [
    ({"points": []}, "temperature.points"),
    ({"points": [1.0, 1.0]}, "temperature.points"),
    ({"min": 3.0, "max": 2.0}, "temperature.max"),
    ({"min": 1.0, "max": 2.0, "num": 1}, "temperature.num"),
    ({"min": 0.0, "spacing": "log"}, "temperature.min"),
    ({"focus": 1.0, "focus_width": 3.0, "focus_num": 4}, "temperature.focus_width"),
])
def test_bad_grids_name_the_key(data, key):
    with pytest.raises(ConfigError, match="^" + key.replace(".", r"\.")):
        schema.load(TemperatureGrid, data, "temperature")


def test_zero_temperature_is_allowed_only_where_a_task_allows_it():
    g = schema.load(TemperatureGrid, {"min": 0.0, "max": 1.0, "num": 11}, "temperature")
    assert g.values()[0] == 0.0
    with pytest.raises(ConfigError, match=r"^temperature\.min=0\.0 .* > 0"):
        g.check_positive("temperature")
