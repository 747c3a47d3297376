"""Extract the bundled sample of SmolLM2 next-token spectra with simlab's own pipeline.

Runs the model (``llm.source`` must be ``live``) over ``llm.positions`` positions of the
corpus and ``llm.shuffled_positions`` positions of its shuffled tokens, compresses every
spectrum (:func:`simlab.llm.spectra.compress`) and writes ``bundle.nc`` into the run folder,
and to ``llm.bundle_output`` if given (the shipped file is ``simlab/data/smollm2_sample.nc``).
"""

import shutil
import time
from pathlib import Path

from omegaconf import OmegaConf

from simlab import results
from simlab.errors import ConfigError
from simlab.llm import spectra
from simlab.llm.sources import open_source

MAX_BYTES = 5_000_000
COMMAND = "simlab experiment=llm_bundle llm.bundle_output=simlab/data/smollm2_sample.nc"


def warm_up(cfg):
    """Compile the spectrum kernels on tiny inputs."""
    from simlab.llm.analysis import warm_up as warm

    warm()


def run(cfg, output_dir):
    """Build, save and report the bundle."""
    start = time.perf_counter()
    c = cfg.llm
    if c.source != "live":
        raise ConfigError("llm.source", c.source, "live (the bundle is extracted from the model)")
    source = open_source("live", model=c.model, corpus=c.corpus, positions=c.positions,
                         shuffled_positions=c.shuffled_positions, context=c.context,
                         stride=c.stride, batch_size=c.batch_size, seed=cfg.seed,
                         progress=cfg.output.progress)
    ds = spectra.build_bundle([(split, source.batches(split)) for split in spectra.SPLITS])
    ds = results.annotate(ds, spectra.BUNDLE_META)
    ds.attrs.update(results.provenance(OmegaConf.to_yaml(cfg, resolve=True), cfg.seed,
                                       time.perf_counter() - start))
    ds.attrs.update({
        "title": "Compressed next-token spectra of a language model (simlab bundle)",
        "model": source.name, "model_revision": source.revision, "corpus": source.corpus,
        "vocab_size": source.lm.vocab_size, "top_k": ds.sizes["rank"],
        "bin_width": 0.02, "context": c.context, "stride": c.stride,
        "regenerate_with": COMMAND,
    })
    path = results.save(ds, Path(output_dir) / "bundle.nc", compress=True)
    size = path.stat().st_size
    print(f"bundle: {ds.sizes['position']} positions, {size / 1e6:.2f} MB -> {path}")
    if size > MAX_BYTES:
        print(f"warning: {size / 1e6:.2f} MB exceeds the {MAX_BYTES / 1e6:.0f} MB budget for "
              "the shipped file; lower llm.positions")
    if c.bundle_output:
        target = Path(c.bundle_output)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        shutil.copyfile(path, tmp)
        tmp.replace(target)
        print(f"copied to {target}")
    return ds
