"""Every task end to end on a small config, and its result unchanged by an unrelated change.

Each row runs a task twice in this process, exactly as ``simlab`` does (composition,
validation, run, publish): once small, and once with a change to a part of the config that
must not touch a selected part of the result (another lattice size, another instance, more
temperatures for a different curve...). The selected part must be identical bit for bit:
random streams are keyed by what they draw, never by what else runs beside them.
"""

import numpy as np
import pytest
import xarray as xr
from helpers import run_task

from simlab import tasks
from simlab.render.report import SIZE_BUDGET

BUNDLE = ["llm.source=bundle", "llm.positions=24", "llm.shuffled_positions=12"]
TEXT = ["generation.source=bundle", "generation.sequences=8", "generation.steps=128",
        "text.lengths=[16,32,64,128]", "text.dt_max=16", "text.bootstrap=20"]
TEXT_VARIABLES = ["tau", "tau_err", "growth_exponent", "correlation", "repetition_rate",
                  "perplexity"]

#: task: (small overrides, unrelated change, selection of the result that must not change,
#:        variables compared, figures expected)
CASES = {
    "ising_sweep": (
        ["model.size=[4]", "sampler.chains=2", "sampler.sweeps=300", "sampler.blocks=4",
         "sampler.thermalization=20", "temperature.num=3", "temperature.focus_num=0",
         "temperature.tail=1"],
        ["model.size=[4,6]"], {"size": 4},
        ["energy", "specific_heat", "abs_magnetization", "binder"],
        ["thermodynamics.png", "deviations.png"]),
    "anneal": (
        ["anneal.size=6", "anneal.reads=4", "schedule.n_steps=60", "anneal.record_every=10"],
        ["anneal.record_every=7"], {}, ["final_energy", "best_energy", "best_state"],
        ["annealing.png"]),
    "hajek_threshold": (
        ["hajek.c_ratios=[1.0]", "hajek.exact_steps=3000", "hajek.mc_steps=1000",
         "hajek.reads=300"],
        ["hajek.c_ratios=[0.5,1.0]"], {"c_ratio": 1.0}, ["p_global_exact", "p_global_mc"],
        ["hajek_threshold.png"]),
    "tsp_annealing": (
        ["tsp.instances=[eil51]", "tsp.sweeps=[30]", "tsp.reads=3", "tsp.schedules=[geometric]"],
        ["tsp.instances=[berlin52,eil51]"], {"instance": "eil51"}, ["best_length"],
        ["tsp_annealing.png", "tsp_tours.png"]),
    "spin_glass_annealing": (
        ["spin_glass.ea_size=4", "spin_glass.sk_size=12", "spin_glass.instances=2",
         "spin_glass.sweeps=[10]", "spin_glass.reads=3", "spin_glass.reference_sweeps=50",
         "spin_glass.reference_reads=3", "spin_glass.schedules=[geometric]"],
        ["spin_glass.sk_size=14"], {"problem": "EA2D_L4_pm"},
        ["best_energy_per_spin", "reference_energy_per_spin"], ["spin_glass_annealing.png"]),
    "bm_encoder": (
        ["encoder.encoders=[[4,2,3,200]]"], ["encoder.encoders=[[4,2,3,200],[4,3,2,50]]"],
        {"encoder": "4-2-4"}, ["cycles"], ["bm_encoder.png"]),
    "rbm_digits": (
        ["rbm.n_hidden=8", "rbm.n_hidden_exact=4", "rbm.n_iter=1", "rbm.ais_runs=5",
         "rbm.ais_betas=50", "temperature.num=3", "temperature.tail=1", "rbm.chains=4",
         "rbm.sweeps=40"],
        ["temperature.num=4"], {}, ["pseudo_likelihood", "log_likelihood", "log_z"],
        ["rbm_digits.png"]),
    "hopfield_capacity": (
        ["hopfield.n_units=60", "hopfield.loads=[0.05]", "hopfield.pattern_sets=2",
         "hopfield.tested_patterns=3", "temperature.points=[0.0,0.5]",
         "hopfield.phase_loads=[0.05]", "hopfield.phase_sweeps=3", "hopfield.theory_points=2"],
        ["hopfield.loads=[0.05,0.1]"], {"load": 0.05}, ["overlap"], ["hopfield_capacity.png"]),
    "llm_vs_ising": (
        BUNDLE + ["temperature.num=12", "ising.sizes=[4]"], ["ising.sizes=[4,6]"], {},
        ["entropy", "specific_heat", "peak_temperature"], ["llm_vs_ising.png"]),
    "logpartition_confidence": (
        BUNDLE, ["llm.shuffled_positions=16"], {"position": slice(0, 24)},
        ["log_z", "entropy", "correct"], ["confidence.png"]),
    "three_way_thermodynamics": (
        BUNDLE + ["rbm.n_hidden_exact=4", "rbm.n_iter=1"], ["ising.size=8"], {},
        ["token_entropy", "rbm_specific_heat"], ["three_way_thermodynamics.png"]),
    "llm_phase_transition": (
        TEXT + ["sweep.temperatures=[0.5,1.0,2.0]", "ising.sizes=[4]", "ising.sweeps=100",
                "ising.thermalization=10"],
        ["sweep.temperatures=[0.5,1.0,1.4,2.0]"], {"temperature": 1.0}, TEXT_VARIABLES,
        ["tau_growth.png", "correlations.png", "text_thermodynamics.png",
         "llm_vs_ising_transition.png"]),
    "wang_landau_ising": (
        ["wang_landau.sizes=[4]", "wang_landau.runs=2", "wang_landau.final_ln_f=1e-3",
         "metropolis.chains=2", "metropolis.sweeps=160", "metropolis.thermalization=10",
         "temperature.num=4", "temperature.focus_num=0", "temperature.tail=2",
         "multibondic.runs=2", "multibondic.final_ln_f=1e-3"],
        ["wang_landau.sizes=[4,6]"], {"size": 4, "level": slice(0, 16)},
        ["log_g", "specific_heat", "entropy_integrated", "peak_region_multibondic_specific_heat"],
        ["density_of_states.png", "wang_landau_thermodynamics.png", "specific_heat_peak.png"]),
    "cluster_dynamics": (
        ["dynamics.metropolis_sizes=[4,6]", "dynamics.metropolis_sweeps=[400,400]",
         "dynamics.cluster_sizes=[4,6]", "dynamics.cluster_sweeps=300",
         "dynamics.fit_min_size=4", "dynamics.metropolis_fit_min_size=4", "relaxation.size=16",
         "relaxation.chains=4",
         "relaxation.sweeps=40", "relaxation.fit_min=10", "relaxation.blocks=2"],
        ["dynamics.cluster_sizes=[4,6,8]"], {"size": [4, 6]},
        ["tau_energy", "tau_abs_magnetization", "relaxation_magnetization"],
        ["cluster_dynamics.png", "critical_relaxation.png"]),
    "ising_fss": (
        ["fss.sizes=[4,6]", "fss.chains=2", "fss.sweeps=400", "fss.thermalization=20",
         "fss.points=4", "fss.blocks=4", "fss.grid=21", "fss.grid_min=1.9",
         "fss.grid_max=3.0"],
        ["fss.sizes=[4,6,8]"], {"size": [4, 6]}, ["specific_heat", "binder"],
        ["finite_size_scaling.png"]),
    "potts_first_order": (
        ["potts.sizes=[6,8,10]", "potts.runs=2", "potts.final_ln_f=1e-3", "potts.tunnel_sweeps=200"],
        ["potts.sizes=[6,8,10,12]"], {"size": [6, 8, 10], "level": slice(0, 200)},
        ["log_g", "latent_heat"], ["potts_first_order.png"]),
    "spin_glass_tempering": (
        ["tempering.ea_size=4", "tempering.instances=2", "tempering.rungs=4",
         "tempering.tune_rounds=1", "tempering.tune_sweeps=20", "tempering.thermalization=10",
         "tempering.sweeps=50", "tempering.reads=4"],
        ["tempering.instances=3"], {"instance": [0, 1]},
        ["tempering_energy_per_spin", "annealing_energy_per_spin"],
        ["spin_glass_tempering.png"]),
    "thermostat_generation": (
        TEXT + ["controls.use=[T:0.5,S:2]"], ["controls.use=[T:0.5,S:2,mirostat:3]"],
        {"control": "S:2"}, TEXT_VARIABLES, ["controls.png", "trajectories.png"]),
}


def test_every_task_has_a_row():
    # llm_bundle needs the live model; tests/llm covers it.
    assert set(CASES) | {"llm_bundle"} == set(tasks.names())


@pytest.mark.parametrize("name", sorted(CASES))
def test_task_end_to_end_and_unchanged_by_an_unrelated_change(name, tmp_path):
    small, change, selection, names, figures = CASES[name]
    base = run_task([f"task={name}"] + small, tmp_path / "a")
    other = run_task([f"task={name}"] + small + change, tmp_path / "b")
    assert base.attrs["task"] == name and base.attrs["title"]
    for figure in figures:
        assert (tmp_path / "a" / figure).stat().st_size > 5_000, figure
    assert 2_000 < (tmp_path / "a" / "report.html").stat().st_size < SIZE_BUDGET
    a, b = base.sel(selection), other.sel(selection)
    for variable in names:
        xr.testing.assert_identical(a[variable].drop_attrs(), b[variable].drop_attrs())
    # The change did change the run: it is in the stored config.
    assert base.attrs["config"] != other.attrs["config"]


def test_rerun_of_every_shape_of_result(tmp_path):
    from simlab.runs.rerun import rerun

    for name in ("anneal", "hajek_threshold"):
        small, *_ = CASES[name]
        run_task([f"task={name}"] + small, tmp_path / name)
        path, diffs = rerun(tmp_path / name / "results.nc", tmp_path / f"{name}_again")
        assert diffs == [] and path.exists(), (name, diffs)


def test_figures_read_only_datasets(tmp_path):
    # Drawing from a saved, reloaded Dataset gives the same figures as during the run.
    from simlab import results

    small, *_ = CASES["ising_sweep"]
    run_task(["task=ising_sweep"] + small, tmp_path / "run")
    ds = results.load(tmp_path / "run" / "results.nc")
    for figure in tasks.get("ising_sweep").figures:
        figure.draw(ds, tmp_path / figure.file)
        assert (tmp_path / figure.file).stat().st_size > 5_000
    assert np.isfinite(ds["energy"]).all()


def test_anneal_of_a_tsp_keeps_the_best_tour_for_the_report(tmp_path):
    from simlab.models.tsp import load_tsplib
    from simlab.render.views import views

    ds = run_task(["task=anneal", "anneal.problem=tsplib", "anneal.reads=4",
                   "schedule.n_steps=40"], tmp_path / "tsp")
    best = int(np.argmin(ds["best_energy"].values))
    coords = load_tsplib("berlin52").coords[ds["best_state"].values[best]]
    assert np.array_equal(ds["city_x"].values, coords[:, 0])
    assert np.array_equal(ds["city_y"].values, coords[:, 1])
    tour = [v for v in views(ds)[0] if v.kind == "tour"]
    assert len(tour) == 1 and tour[0].series[0].y.size == 52


def test_a_task_adds_its_own_views_to_its_report(tmp_path):
    # llm_vs_ising asks whether T* follows the logit gap: its page has that scatter
    small, *_ = CASES["llm_vs_ising"]
    ds = run_task(["task=llm_vs_ising"] + small, tmp_path / "run")
    [view] = tasks.get("llm_vs_ising").views(ds)
    assert view.kind == "scatter" and view.log_x and view.log_y
    ok = (ds["top_logit_gap"].values > 0) & np.isfinite(ds["peak_temperature"].values)
    assert np.array_equal(view.x, ds["top_logit_gap"].values[ok])
    assert np.array_equal(view.series[0].y, ds["peak_temperature"].values[ok])
    label, (grid, curve), _ = view.series[0].references[0]
    slope = float(ds["peak_relation_slope"].sel(spread_measure="gap"))
    assert label.startswith("fit: T*") and np.allclose(np.diff(np.log(curve)) /
                                                       np.diff(np.log(grid)), slope)
    page = (tmp_path / "run" / "report.html").read_text()
    assert "view-peak_temperature_vs_top_logit_gap" in page
    assert tasks.get("anneal").views(ds) == []  # no hook: no views of its own
    # `simlab report` on the folder finds the task's views too
    from simlab.cli import report_main

    assert report_main([str(tmp_path / "run"), "-o", str(tmp_path / "again.html")]) == 0
    assert "view-peak_temperature_vs_top_logit_gap" in (tmp_path / "again.html").read_text()
