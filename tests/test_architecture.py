"""The house is layered and says so: import contracts, independent tasks, docs that list them."""

import itertools
import pkgutil
import shutil
import subprocess
from pathlib import Path

import grimp
import pytest

import simlab.tasks
from simlab import tasks

ROOT = Path(__file__).resolve().parents[1]


def task_packages():
    return sorted(f"simlab.tasks.{m.name}" for m in pkgutil.iter_modules(simlab.tasks.__path__)
                  if m.ispkg and m.name != "common" and not m.name.startswith("_"))


@pytest.mark.skipif(shutil.which("lint-imports") is None, reason="import-linter not installed")
def test_import_contracts_are_kept():
    proc = subprocess.run(["lint-imports"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "broken" in proc.stdout and " 0 broken" in proc.stdout


def test_tasks_never_import_each_other():
    graph = grimp.build_graph("simlab")
    packages = task_packages()
    assert len(packages) == len(tasks.names())
    for a, b in itertools.permutations(packages, 2):
        assert not graph.chain_exists(importer=a, imported=b, as_packages=True), (a, b)


def test_every_task_is_documented():
    from simlab.runs.reference import markdown

    architecture = (ROOT / "docs" / "architecture.md").read_text()
    guide = "".join(p.read_text() for p in [ROOT / "docs" / "getting-started.md",
                                            ROOT / "docs" / "experiments" / "index.md",
                                            *(ROOT / "docs" / "guide").glob("*.md")])
    reference = markdown()  # the site's tasks reference, generated from the registry
    for name in tasks.names():
        assert f"`{name}`" in architecture, name
        assert name in guide, name
        assert f"## `{name}`" in reference, name
