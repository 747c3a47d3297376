"""The temperature grid: one config section type for every task that scans temperatures.

A grid is the union of a main range (``num`` points from ``min`` to ``max``, evenly spaced
in T or in ln T), an optional denser window (``focus_num`` points across ``focus_width``
around ``focus``), an optional high-temperature tail (``tail`` points evenly spaced in
1/T between 0 and 1/``max``, which the entropy integral from T = infinity needs) and extra
points (``include``); or, instead of all of these, an explicit list (``points``).

Linear grids are rounded to 9 decimals, so that the pieces merge where they coincide and
2.01 is 2.01 rather than 2.0099999999999998; logarithmic grids keep numpy's values. An
explicit list must hold distinct temperatures.
"""

from dataclasses import dataclass
from typing import List, Optional

import numpy as np

from simlab.errors import ConfigError
from simlab.schema import setting

SPACINGS = ("linear", "log")


@dataclass
class TemperatureGrid:
    """Temperatures of a scan (see the module docstring)."""

    min: float = setting(1.0, minimum=0.0, doc="lowest temperature of the main range")
    max: float = setting(4.0, minimum=0.0, doc="highest temperature of the main range")
    num: int = setting(16, minimum=1, doc="points in the main range")
    spacing: str = setting("linear", choices=SPACINGS, doc="even steps in T or in ln T")
    focus: Optional[float] = setting(None, above=0.0,
                                     doc="centre of a denser window (null: none)")
    focus_width: float = setting(0.6, above=0.0, doc="width of the denser window")
    focus_num: int = setting(0, minimum=0, doc="points in the denser window")
    tail: int = setting(0, minimum=0,
                        doc="points evenly spaced in 1/T in (0, 1/max), for S from T = infinity")
    include: List[float] = setting(factory=list, minimum=0.0,
                                   doc="temperatures always included")
    points: Optional[List[float]] = setting(None, minimum=0.0,
                                            doc="an explicit list that replaces all the above")

    def check(self, key):
        """Rules joining several fields (``key``: the section's dotted key)."""
        prefix = f"{key}." if key else ""
        if self.points is not None:
            if not self.points:
                raise ConfigError(f"{prefix}points", list(self.points), "a non-empty list")
            values = np.array(self.points)
            if np.unique(values).size != values.size:
                dup = float(values[np.argmax([np.sum(values == v) > 1 for v in values])])
                raise ConfigError(f"{prefix}points", list(self.points),
                                  f"distinct temperatures ({dup:g} appears twice)")
            return
        if self.max < self.min:
            raise ConfigError(f"{prefix}max", self.max, f"a number >= {prefix}min ({self.min})")
        if self.num < 2 and self.max != self.min:
            raise ConfigError(f"{prefix}num", self.num, f"an integer >= 2 when {prefix}min < "
                              f"{prefix}max (or set min = max for one point)")
        if self.spacing == "log" and self.min <= 0:
            raise ConfigError(f"{prefix}min", self.min, "a number > 0 with spacing=log")
        if self.focus is not None and self.focus_num > 0 \
                and self.focus - self.focus_width / 2 <= 0:
            raise ConfigError(f"{prefix}focus_width", self.focus_width,
                              f"a width < 2 * {prefix}focus ({2 * self.focus}) so all T > 0")
        if self.tail > 0 and self.max <= 0:
            raise ConfigError(f"{prefix}max", self.max, f"a number > 0 with {prefix}tail > 0")

    def check_positive(self, key):
        """Raise ConfigError (naming the key) if the grid holds T = 0."""
        prefix = f"{key}." if key else ""
        if self.points is not None:
            if min(self.points) <= 0:
                raise ConfigError(f"{prefix}points", min(self.points), "temperatures > 0")
        elif self.min <= 0:
            raise ConfigError(f"{prefix}min", self.min, "a number > 0")
        if any(t <= 0 for t in self.include):
            raise ConfigError(f"{prefix}include", list(self.include), "temperatures > 0")

    def main_range(self):
        """The temperatures of the main range and the window (the part drawn in figures)."""
        if self.points is not None:
            return np.sort(np.asarray(self.points, dtype=np.float64))
        if self.spacing == "log":
            main = np.geomspace(self.min, self.max, self.num)
        else:
            main = np.linspace(self.min, self.max, self.num)
        pieces = [main]
        if self.focus is not None and self.focus_num > 0:
            half = self.focus_width / 2
            pieces.append(np.linspace(self.focus - half, self.focus + half, self.focus_num))
        return self._merge(pieces)

    def values(self):
        """All temperatures of the grid, sorted and distinct, float64[K]."""
        if self.points is not None:
            return self.main_range()
        pieces = [self.main_range()]
        if self.tail > 0:
            pieces.append(1.0 / np.linspace(0.0, 1.0 / self.max, self.tail + 2)[1:-1])
        if self.include:
            pieces.append(np.asarray(self.include, dtype=np.float64))
        return self._merge(pieces)

    def tail_mask(self):
        """bool[K]: True for temperatures added only for the high-temperature tail."""
        t = self.values()
        if self.points is not None or self.tail == 0:
            return np.zeros(t.size, dtype=bool)
        return (t > self.max) & ~np.isin(t, np.asarray(self.include, dtype=np.float64))

    def _merge(self, pieces):
        t = np.concatenate(pieces)
        if self.spacing == "linear":
            t = np.round(t, 9)
        return np.unique(t)
