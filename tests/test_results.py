import numpy as np
import pytest
import xarray as xr

from simlab import results
from simlab.errors import DataError


def small_dataset():
    ds = xr.Dataset(
        {"energy": (("size", "temperature"), np.array([[-1.0, -0.5]])),
         "energy_err": (("size", "temperature"), np.array([[0.01, 0.02]]))},
        coords={"size": [4], "temperature": [1.0, 2.0]})
    ds = results.annotate(ds)
    ds.attrs.update(results.provenance("seed: 1\n", 1, 0.5))
    return ds


def test_annotate_derives_names_and_units():
    ds = small_dataset()
    assert ds["energy_err"].attrs["long_name"].startswith("standard error of energy")
    assert ds["energy"].attrs["units"] == "J"
    assert ds["temperature"].attrs["units"] == "J/k_B"
    with pytest.raises(DataError, match="unknown_thing"):
        results.describe("unknown_thing")


def test_save_load_roundtrip_leaves_no_temporary_files(tmp_path):
    ds = small_dataset()
    path = results.save(ds, tmp_path / "out" / "results.nc")
    assert sorted(p.name for p in path.parent.iterdir()) == ["results.nc"]
    back = results.load(path)
    xr.testing.assert_identical(back, ds)
    for key in ("simlab_version", "config", "seed", "git_commit", "numpy_version",
                "numba_version", "wall_time_s", "created"):
        assert key in back.attrs


def test_compressed_save_keeps_numbers_and_text(tmp_path):
    ds = small_dataset()
    words = np.array([["caf\u00e9 \u2192", ""], ["tab\tand\nnewline", "x" * 300]], dtype=object)
    ds["word"] = (("pair", "side"), words, {"long_name": "text", "units": "1"})
    ds["label"] = ((), "scalar text", {"long_name": "a label", "units": "1"})
    back = results.load(results.save(ds, tmp_path / "c.nc", compress=True))
    assert back["word"].values.tolist() == words.tolist()
    assert str(back["label"].values) == "scalar text"
    assert np.array_equal(back["energy"].values, ds["energy"].values)


def test_failed_write_keeps_previous_file_and_no_partial(tmp_path):
    path = results.save(small_dataset(), tmp_path / "results.nc")
    before = path.read_bytes()
    bad = small_dataset()
    bad["energy"].attrs["units"] = {"not": "serialisable"}
    with pytest.raises(Exception):
        results.save(bad, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.nc"]


def test_truncated_or_foreign_files_are_rejected(tmp_path):
    path = results.save(small_dataset(), tmp_path / "results.nc")
    truncated = tmp_path / "truncated.nc"
    truncated.write_bytes(path.read_bytes()[:200])
    with pytest.raises(DataError, match="truncated.nc"):
        results.load(truncated)
    with pytest.raises(DataError, match="no such"):
        results.load(tmp_path / "missing.nc")
    foreign = tmp_path / "foreign.nc"
    xr.Dataset({"x": ("a", [1.0])}).to_netcdf(foreign, engine="h5netcdf")
    with pytest.raises(DataError, match="lacks attribute"):
        results.load(foreign)


def test_save_refuses_unannotated_variables(tmp_path):
    ds = small_dataset()
    ds["other"] = ("temperature", [1.0, 2.0])
    with pytest.raises(DataError, match="other"):
        results.save(ds, tmp_path / "x.nc")
    assert not any(tmp_path.iterdir())


def test_every_sampler_result_gives_an_annotated_dataset():
    # The one result shape: every Result subclass in simlab.samplers builds a Dataset whose
    # every variable and coordinate has units and a long name.
    import inspect

    from simlab import results, samplers  # noqa: F401
    from simlab.models import IsingLattice
    from simlab.samplers import mcmc

    names = {cls.__name__ for module in ("mcmc", "annealing", "landscape", "boltzmann",
                                         "hopfield", "rbm", "ais", "rbm_chains", "tokens")
             for _, cls in inspect.getmembers(__import__(f"simlab.samplers.{module}",
                                                         fromlist=["x"]), inspect.isclass)
             if issubclass(cls, results.Result) and cls is not results.Result}
    assert names == {"LatticeRun", "AnnealResult", "AnnealScan", "LandscapeWalk",
                     "GibbsSamples", "EncoderResult", "Retrieval", "AISEstimate",
                     "EnergySeries", "TokenSamples"}
    run = mcmc.sample_lattice(IsingLattice(3), [2.0], chains=2, sweeps=5, thermalization=1)
    ds = run.to_dataset()
    for name in list(ds.data_vars) + list(ds.coords):
        assert {"units", "long_name"} <= set(ds[name].attrs), name
    assert ds["energy_series"].dims == ("temperature", "chain", "sweep")


def test_missing_values_carry_their_reason():
    ds = results.annotate(xr.Dataset({"energy": ("temperature", [1.0, np.nan])},
                                     coords={"temperature": [1.0, 2.0]}))
    results.mark_missing(ds, "energy", "first reason")
    results.mark_missing(ds, "energy", "first reason")
    results.mark_missing(ds, "energy", "second reason")
    assert results.missing_reasons(ds) == {"energy": "first reason; second reason"}
