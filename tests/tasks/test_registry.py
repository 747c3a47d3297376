"""A task is an addition: registering one package makes it a full citizen of the command line."""

from dataclasses import dataclass

import numpy as np
import pytest
import xarray as xr
from helpers import compose, run_task

from simlab import results, tasks
from simlab.errors import ConfigError
from simlab.rng import generator
from simlab.runs.settings import check_overrides, load_settings
from simlab.schema import section, setting


@dataclass
class Coins:
    flips: int = setting(100, minimum=1, doc="coin flips")
    bias: float = setting(0.5, minimum=0.0, maximum=1.0, doc="probability of heads")


@dataclass
class CoinConfig:
    coins: Coins = section(Coins)


def _run(params, ctx):
    heads = generator(ctx.seed, "coins").random(params.coins.flips) < params.coins.bias
    ds = xr.Dataset({"heads": ((), float(heads.mean()))})
    ds.attrs["title"] = "coin flips"
    return results.annotate(ds, {"heads": ("fraction of heads", "1")})


@pytest.fixture
def coin_task():
    task = tasks.register(tasks.Task(name="coin_flips", description="a toy task",
                                     config=CoinConfig, run=_run,
                                     report=lambda ds: f"heads {float(ds['heads']):.2f}"))
    yield task
    tasks._REGISTRY.pop("coin_flips")


def test_a_registered_task_runs_validates_and_reports(coin_task, tmp_path, capsys):
    assert "coin_flips" in tasks.names()
    ds = run_task(["task=coin_flips", "coins.flips=400", "coins.bias=0.25"], tmp_path)
    assert abs(float(ds["heads"]) - 0.25) < 5 * np.sqrt(0.25 * 0.75 / 400)
    assert ds.attrs["task"] == "coin_flips" and "coins:" in ds.attrs["config"]
    assert "heads 0." in capsys.readouterr().out
    with pytest.raises(ConfigError, match=r"^coins\.bias=1\.5"):
        load_settings(compose(["task=coin_flips", "coins.bias=1.5"]))
    with pytest.raises(ConfigError, match="not a key of task coin_flips"):
        check_overrides(["task=coin_flips", "sampler.chains=2"])


def test_two_tasks_cannot_share_a_name(coin_task):
    with pytest.raises(ValueError, match="two tasks"):
        tasks.register(tasks.Task(name="coin_flips", description="another", config=CoinConfig,
                                  run=lambda params, ctx: None))
