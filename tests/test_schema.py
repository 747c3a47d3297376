"""Typed config sections: conversion, constraints and messages that name the full key."""

from dataclasses import dataclass
from typing import List, Optional

import pytest

from simlab import schema
from simlab.errors import ConfigError
from simlab.schema import section, setting


@dataclass
class Inner:
    n: int = setting(3, minimum=1, maximum=9, doc="a count")
    x: float = setting(0.5, above=0.0, doc="a rate")
    names: List[str] = setting(factory=lambda: ["a"], choices=("a", "b"), doc="labels")
    path: Optional[str] = setting(None, path="file", doc="a file")

    def check(self, key):
        if self.n == 7:
            raise ConfigError(f"{key}.n", self.n, "not 7")


@dataclass
class Outer:
    inner: Inner = section(Inner)
    flag: bool = setting(False, doc="a switch")
    grid: List[List[int]] = setting(factory=lambda: [[1, 2]], doc="pairs")


def test_defaults_and_conversions():
    loaded = schema.load(Outer, {"inner": {"n": 4.0, "x": 2, "names": "b"}})
    assert loaded.inner.n == 4 and isinstance(loaded.inner.n, int)
    assert loaded.inner.x == 2.0 and isinstance(loaded.inner.x, float)
    assert loaded.inner.names == ["b"]  # one value stands for a one-element list
    assert schema.load(Outer, None) == Outer()
    assert schema.defaults(Outer) == {"inner": {"n": 3, "x": 0.5, "names": ["a"], "path": None},
                                      "flag": False, "grid": [[1, 2]]}
    assert schema.keys(Outer)[:2] == ["inner", "inner.n"]


@pytest.mark.parametrize("data,message", [
    ({"inner": {"n": 0}}, "inner.n=0 is not allowed: an integer from 1 to 9"),
    ({"inner": {"n": 2.5}}, "inner.n=2.5 is not allowed: an integer"),
    ({"inner": {"n": "four"}}, "inner.n='four' is not allowed: an integer"),
    ({"inner": {"n": True}}, "inner.n=True is not allowed: an integer"),
    ({"inner": {"x": 0}}, "inner.x=0 is not allowed: a finite number > 0"),
    ({"inner": {"x": float("nan")}}, "inner.x=nan is not allowed: a finite number > 0"),
    ({"inner": {"names": ["a", "c"]}}, "inner.names[1]='c' is not allowed: one of a, b"),
    ({"inner": {"path": "/no/such/file"}}, "inner.path='/no/such/file' is not allowed: an "
                                           "existing file"),
    ({"inner": {"n": 7}}, "inner.n=7 is not allowed: not 7"),
    ({"inner": {"m": 1}}, "inner.m=1 is not allowed: not a key of inner"),
    ({"inner": 5}, "inner=5 is not allowed: a section"),
    ({"flag": "yes"}, "flag='yes' is not allowed: true or false"),
    ({"grid": [[1, "x"]]}, "grid[0][1]='x' is not allowed: an integer"),
    ({"grid": [{"a": 1}]}, "grid[0]={'a': 1} is not allowed: a list"),
    ({"inner": {"n": None}}, "inner.n=None is not allowed: a value (int), not null"),
])
def test_every_problem_is_one_line_with_the_full_key(data, message):
    with pytest.raises(ConfigError) as info:
        schema.load(Outer, data)
    assert str(info.value).startswith(message), str(info.value)
    assert "\n" not in str(info.value)


def test_describe_lists_every_leaf_with_its_default():
    rows = {key: (default, doc) for key, default, _, doc in schema.describe(Outer)}
    assert rows["inner.n"] == ("3", "a count")
    assert rows["inner.names"][0] == "[a]" and "[a|b]" in rows["inner.names"][1]
    assert rows["inner.path"][0] == "null"
