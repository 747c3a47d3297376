"""TSPLIB files: reading, errors that name the line, the shipped instances and optima."""

import numpy as np
import pytest

from simlab.errors import ConfigError, DataError
from simlab.models import tsp


@pytest.mark.parametrize("text,message", [
    ("NAME: x\nTYPE: TSP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: GEO\nNODE_COORD_SECTION\n"
     "1 0 0\n2 1 1\n3 2 2\nEOF\n", "EDGE_WEIGHT_TYPE 'GEO' is not supported"),
    ("NAME: x\nTYPE: ATSP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: EUC_2D\n", "TYPE ATSP"),
    ("NAME: x\nTYPE: TSP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n"
     "1 0 0\n2 1 zz\n3 2 2\nEOF\n", r":7: malformed coordinate line"),
    ("NAME: x\nTYPE: TSP\nDIMENSION: 4\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n"
     "1 0 0\n2 1 1\n3 2 2\nEOF\n", "DIMENSION is 4"),
    ("NAME: x\nTYPE: TSP\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0 0\nEOF\n",
     "no DIMENSION"),
    ("NAME: x\nTYPE: TSP\nDIMENSION: 2\nEDGE_WEIGHT_TYPE: EUC_2D\nEOF\n", "no NODE_COORD"),
])
def test_malformed_tsplib_files(tmp_path, text, message):
    path = tmp_path / "bad.tsp"
    path.write_text(text)
    with pytest.raises(DataError, match=message):
        tsp.read_tsplib(path)


def test_tsplib_reader_and_shipped_optima():
    inst = tsp.load_tsplib("berlin52")
    assert inst.n_cities == 52 and inst.optimum == 7542
    assert inst.distances[0, 1] == round(np.hypot(565 - 25, 575 - 185))
    with pytest.raises(ConfigError, match="tsp.instance"):
        tsp.load_tsplib("att532")
    with pytest.raises(DataError, match="no such"):
        tsp.read_tsplib("/nonexistent.tsp")
