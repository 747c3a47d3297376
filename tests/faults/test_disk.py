"""Full disks, file-size limits and read-only folders at each write of a run.

Before the results file is saved, a write that fails ends the run in one line (exit 1) and
leaves no temporary file (and no folder the run made for itself); after it, the run is
complete and each file that could not be written is one warning line and an entry of
``warnings`` in status.json. The tmpfs tests mount real file systems (root, as .ci/run
runs them); the file-size limit (RLIMIT_FSIZE, EFBIG) needs no privilege."""

import math
import os

import pytest
from faults.tools import (SMALL, SWEEP, file_size_limit, leftovers, one_line, run, status_of,
                          tmpfs)

from simlab import results

PAGE = 4096


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The files a normal run writes, with their sizes."""
    folder = tmp_path_factory.mktemp("normal")
    code, out, err = run(SMALL + ["hydra.run.dir=run"], folder)
    assert code == 0, err
    run_dir = folder / "run"
    return {str(p.relative_to(run_dir)): p.stat().st_size for p in run_dir.rglob("*")
            if p.is_file()}


def check_outcome(code, out, err, folder, expect_results):
    """The invariant of every fault: an error before the results, warnings after."""
    assert "Traceback" not in err, err
    assert leftovers(folder) == [] if folder.exists() else True
    if not expect_results:
        assert code == 1, err
        line = one_line(err)
        assert line.startswith("simlab: error: ") and (
            "File too large" in line or "No space left" in line), line
        assert not (folder / "results.nc").exists()
        return []
    assert code == 0, err
    results.load(folder / "results.nc")  # complete and valid
    status = status_of(folder)
    assert status["status"] == "complete"
    warnings = [line for line in err.splitlines() if line.strip()]
    assert all(w.startswith("simlab: warning: ") for w in warnings), err
    assert len(status["warnings"]) == len(warnings)
    return status["warnings"]


def test_a_file_size_limit_at_each_write(tmp_path, written):
    """For each file the run writes, a limit just below its size: that file and every larger
    one fail (EFBIG), in whichever order the run writes them."""
    for name, size in sorted(written.items(), key=lambda item: -item[1]):
        if size < 200:
            continue  # the limit would stop the interpreter's own start-up files
        folder = tmp_path / f"limit-{size}"
        code, out, err = run(SMALL + [f"hydra.run.dir={folder}"], tmp_path,
                             preexec_fn=file_size_limit(size - 1))
        fails = {n for n, s in written.items() if s >= size}
        before = bool(fails & {"results.nc", "status.json"}) or any(
            n.startswith(".hydra") for n in fails)
        warnings = check_outcome(code, out, err, folder, expect_results=not before)
        if not before:
            for lost in fails:
                assert any(w.startswith(lost) for w in warnings), (lost, warnings)
                assert not (folder / lost).exists()


def test_a_full_tmpfs_at_each_stage(tmp_path, written):
    """tmpfs sizes that fill before the results, at the figures, at the report, or never."""
    pages = {n: max(1, math.ceil(s / PAGE)) for n, s in written.items()}
    hydra = sum(p for n, p in pages.items() if n.startswith(".hydra")) + 2  # lock, status
    sizes = {"nothing": 1, "before the results": hydra + pages["results.nc"] // 2,
             "after the results": hydra + pages["results.nc"] + 4,
             "everything": sum(pages.values()) + 8}
    seen = {}
    for stage, n_pages in sizes.items():
        with tmpfs(tmp_path / stage, n_pages * PAGE) as mount:
            folder = mount / "run"
            code, out, err = run(SMALL + [f"hydra.run.dir={folder}"], tmp_path)
            saved = code == 0
            warnings = check_outcome(code, out, err, folder, expect_results=saved)
            if not saved:
                assert not folder.exists()  # the run made it and removed it
            seen[stage] = (saved, len(warnings))
    assert seen["nothing"] == (False, 0) and seen["before the results"] == (False, 0)
    assert seen["after the results"][0] and seen["after the results"][1] >= 1
    assert seen["everything"] == (True, 0)


@pytest.mark.slow
def test_a_read_only_folder(tmp_path):
    with tmpfs(tmp_path / "ro", 1 << 20, read_only=True) as mount:
        for args in (SMALL + [f"hydra.run.dir={mount}/run"],
                     ["-m"] + SWEEP + [f"hydra.sweep.dir={mount}/sweep"]):
            code, out, err = run(args, tmp_path)
            assert code == 1, err
            assert "Read-only file system" in one_line(err)


@pytest.mark.slow
def test_collect_into_a_full_folder_says_so_in_one_line(tmp_path):
    code, out, err = run(["-m"] + SWEEP + ["hydra.sweep.dir=s", "hydra/launcher=basic"],
                         tmp_path)
    assert code == 0, err
    merged = (tmp_path / "s" / "merged.nc")
    code, out, err = run(["collect", "s"], tmp_path, preexec_fn=file_size_limit(4096))
    assert code == 1, err
    assert one_line(err) == "simlab-collect: error: s/merged.nc: File too large"
    assert not merged.exists() and leftovers(tmp_path / "s") == []
    assert os.path.exists(tmp_path / "s")
