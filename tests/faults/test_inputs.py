"""Damaged inputs end in the one-line error, before any work, from the command line: edge
lists, TSPLIB files, corpora, bundles, GGUF files, and a damaged results file in a sweep."""

import importlib.util
import shutil

import pytest
from faults.tools import SMALL, SWEEP, one_line, run

from simlab.llm import spectra

EDGE_LISTS = {
    "nan": ("0 1 nan\n", "coupling nan is not finite"),
    "inf": ("0 1 1\n1 2 inf\n", "coupling inf is not finite"),
    "self-loop": ("0 1 1\n2 2 1\n", "self-loop 2-2"),
    "conflicting duplicate": ("0 1 1\n1 0 -1\n", "repeats line 1 with another coupling"),
    "non-integer index": ("0 1.5 1\n", "cannot parse"),
    "billion-site header": ("# sites: 1000000000\n0 1 1\n", "from 1 to 100,000,000"),
    "field nan": ("0 1 1\nh 0 nan\n", "field nan is not finite"),
    "negative field index": ("0 1 1\nh -1 2\n", "negative site index"),
    "no bonds": ("# nothing\n", "no bonds found"),
    "binary": (b"\x00\xff\xfe\x81", "not UTF-8"),
}

TSPLIB = {
    "no dimension": ("NAME: x\nTYPE: TSP\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n"
                     "1 0 0\n2 1 1\n3 2 0\nEOF\n", "no DIMENSION"),
    "nan coordinate": ("DIMENSION: 3\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n"
                       "1 0 0\n2 nan 1\n3 2 0\nEOF\n", "not finite"),
    "huge dimension": ("DIMENSION: 10000000\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n"
                       "1 0 0\n2 1 1\n3 2 0\nEOF\n", "DIMENSION 10000000 is not allowed"),
    "malformed line": ("DIMENSION: 3\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n"
                       "1 0 0\n2 one 1\n3 2 0\nEOF\n", "malformed coordinate line"),
    "explicit weights": ("DIMENSION: 3\nEDGE_WEIGHT_TYPE: EXPLICIT\nNODE_COORD_SECTION\n"
                         "1 0 0\n2 1 1\n3 2 0\nEOF\n", "EDGE_WEIGHT_TYPE 'EXPLICIT'"),
}


def write(path, content):
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def refused(tmp_path, args, expected):
    code, out, err = run(args, tmp_path, timeout=120)
    line = one_line(err)
    assert code == 2, err
    assert line.startswith("simlab: error: ") and expected in line, line
    assert not (tmp_path / "outputs").exists()  # refused before any folder
    return line


#: The cases run by default; the others are marked slow (each is a command, seconds long).
QUICK = {"conflicting duplicate", "billion-site header", "nan coordinate"}


def cases(table):
    return [c if c in QUICK else pytest.param(c, marks=pytest.mark.slow) for c in sorted(table)]


@pytest.mark.parametrize("case", cases(EDGE_LISTS))
def test_malformed_edge_lists(tmp_path, case):
    content, expected = EDGE_LISTS[case]
    path = write(tmp_path / "model.txt", content)
    refused(tmp_path, ["task=anneal", "anneal.problem=edge_list", f"anneal.path={path}"],
            expected)


@pytest.mark.parametrize("case", cases(TSPLIB))
def test_malformed_tsplib_files(tmp_path, case):
    content, expected = TSPLIB[case]
    path = write(tmp_path / "cities.tsp", content)
    refused(tmp_path, ["task=anneal", "anneal.problem=tsplib", f"anneal.path={path}"], expected)


@pytest.mark.slow
def test_a_sweep_over_a_damaged_file_is_refused_before_it_starts(tmp_path):
    good = write(tmp_path / "good.txt", "0 1 1\n1 2 -1\n")
    bad = write(tmp_path / "bad.txt", "0 1 1\n1 1 -1\n")
    line = refused(tmp_path, ["-m", "task=anneal", "anneal.problem=edge_list",
                              f"anneal.path={good},{bad}"], "self-loop 1-1")
    assert f"anneal.path={bad}" in line  # names the job


needs_llm = pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                               reason="the llm extra is not installed")


@needs_llm
@pytest.mark.parametrize("content,expected", [
    (b"\xff\xfe not utf-8 \x81", "not UTF-8"),
    pytest.param(b"", "the file is empty", marks=pytest.mark.slow),
    pytest.param(b"   \n\n\t ", "the file is empty", marks=pytest.mark.slow)])
def test_unreadable_corpora(tmp_path, content, expected):
    path = write(tmp_path / "corpus.txt", content)
    refused(tmp_path, ["experiment=llm_vs_ising", "llm.source=live", f"llm.corpus={path}"],
            expected)


@needs_llm
def test_a_gguf_file_that_is_not_gguf(tmp_path):
    path = write(tmp_path / "model.gguf", "this is text, not a model\n")
    line = refused(tmp_path, ["experiment=llm_vs_ising", "llm.source=live",
                              f"llm.model={path}"], "not a GGUF file")
    assert "b'this'" in line


@pytest.mark.parametrize("damage", [pytest.param("truncated", marks=pytest.mark.slow),
                                    pytest.param("not netcdf", marks=pytest.mark.slow),
                                    "not a bundle"])
def test_a_damaged_spectra_bundle(tmp_path, damage):
    original = spectra.bundle_path().read_bytes()
    path = tmp_path / "bundle.nc"
    if damage == "truncated":
        path.write_bytes(original[: len(original) // 3])
        expected = "not a NetCDF dataset simlab can read"
    elif damage == "not netcdf":
        path.write_text("hello\n")
        expected = "not a NetCDF dataset simlab can read"
    else:
        code, out, err = run(SMALL + ["output.plots=false", "hydra.run.dir=ising"], tmp_path)
        assert code == 0, err
        shutil.move(tmp_path / "ising" / "results.nc", path)
        shutil.rmtree(tmp_path / "outputs", ignore_errors=True)
        expected = "is not a spectra bundle: no variable 'top_logits'"
    refused(tmp_path, ["experiment=llm_vs_ising", "llm.source=bundle", f"llm.bundle={path}"],
            expected)


def test_collect_names_a_damaged_results_file_and_goes_on_only_when_asked(tmp_path):
    code, out, err = run(["-m"] + SWEEP + ["hydra.sweep.dir=s", "hydra/launcher=basic"],
                         tmp_path)
    assert code == 0, err
    (victim,) = (tmp_path / "s").glob("model.size=6,*seed=2*/results.nc")
    victim.write_bytes(victim.read_bytes()[:1000])
    code, out, err = run(["collect", "s"], tmp_path)
    line = one_line(err)
    assert code == 2 and "1 of 4 jobs have no complete result" in line
    assert "model.size=6 seed=2" in line and str(victim.relative_to(tmp_path)) in line, line
    code, out, err = run(["collect", "s", "--allow-missing"], tmp_path)
    assert code == 0, err
    assert "merged 3 of 4 jobs" in out and "left out 1:" in out
    assert "unreadable" in out.split("left out 1:")[1] and "seed=2" in out
