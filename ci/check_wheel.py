"""Check an installed simlab (from its wheel, not the checkout): the package data is inside
and the command runs. Run from a folder outside the checkout by .ci/run."""

import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import simlab


def main():
    where = Path(simlab.__file__).resolve().parent
    if "site-packages" not in str(where):
        sys.exit(f"simlab imported from {where}, not from an installed wheel")
    needed = {"simlab.conf": ["config.yaml", "experiment/ising_exact.yaml",
                              "schedule/logarithmic.yaml"],
              "simlab.data": ["smollm2_sample.nc", "smollm2_phase.nc", "tsplib"],
              "simlab.render": ["templates/report.html.j2", "templates/tokens_math.js",
                                "templates/tokens_view.js", "templates/tokens_start.js",
                                "templates/report.css"]}
    missing = [f"{package}/{name}" for package, names in needed.items() for name in names
               if not (files(package) / name).is_file() and not (files(package) / name).is_dir()]
    tsplib = list((files("simlab.data") / "tsplib").iterdir())
    if missing or not tsplib:
        sys.exit(f"package data missing from the wheel: {missing or ['simlab/data/tsplib/*']}")
    run = subprocess.run(["simlab", "model.size=[4]", "sampler.chains=4", "sampler.sweeps=200",
                          "sampler.thermalization=20", "temperature.num=4",
                          "temperature.focus_num=2", "temperature.tail=2",
                          "output.progress=false", "hydra.run.dir=wheel-run"],
                         capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"simlab from the wheel failed:\n{run.stderr}")
    for name in ("results.nc", "report.html", "thermodynamics.png", "status.json"):
        if not Path("wheel-run", name).is_file():
            sys.exit(f"simlab from the wheel wrote no {name}")
    print(f"simlab {simlab.__version__} from its wheel at {where}: package data present "
          f"({len(tsplib)} TSPLIB files), a run wrote its folder")


if __name__ == "__main__":
    main()
