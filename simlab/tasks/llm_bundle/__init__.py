"""Extract a bundle of compressed next-token spectra with simlab's own pipeline.

Runs the model (``llm.source`` must be ``live``) over ``llm.positions`` positions of the
corpus and ``llm.shuffled_positions`` positions of its shuffled tokens, compresses every
spectrum (:func:`simlab.llm.spectra.compress`: the ``bundle.top_k`` largest logits exactly,
the rest as a histogram of width ``bundle.bin_width``) and writes the bundle as the run's
results file, compressed, and to ``bundle.output`` if given. The shipped bundle,
``simlab/data/smollm2_sample.nc``, is made by::

    simlab experiment=llm_bundle bundle.output=simlab/data/smollm2_sample.nc
"""

from dataclasses import dataclass
from typing import Optional

from simlab import results
from simlab.errors import ConfigError
from simlab.llm import spectra
from simlab.llm.analysis import warm_up
from simlab.llm.sources import LLMSource, open_source
from simlab.schema import section, setting
from simlab.tasks import Task, register

COMMAND = "simlab experiment=llm_bundle bundle.output=simlab/data/smollm2_sample.nc"


@dataclass
class BundleSettings:
    """Compression and where the bundle is copied."""

    output: Optional[str] = setting(None, doc="also copy the bundle to this path")
    top_k: int = setting(256, minimum=1, doc="largest logits kept exactly")
    bin_width: float = setting(0.02, above=0.0, doc="histogram bin width of the other logits")

    def check(self, key):
        if self.output is not None and not self.output.endswith(".nc"):
            raise ConfigError(f"{key}.output", self.output, "a path ending in .nc")


@dataclass
class LLMBundleConfig:
    """Sections of the llm_bundle task."""

    llm: LLMSource = section(lambda: LLMSource(source="live"))
    bundle: BundleSettings = section(BundleSettings)

    def check(self, key):
        if self.llm.source != "live":
            raise ConfigError("llm.source", self.llm.source,
                              "live (the bundle is extracted from the model)")


def run(params, ctx):
    """The compressed spectra of both splits."""
    source = open_source(params.llm, ctx.seed, ctx.progress)
    ds = spectra.build_bundle([(split, source.batches(split)) for split in spectra.SPLITS],
                              params.bundle.top_k, params.bundle.bin_width)
    ds = results.annotate(ds, spectra.BUNDLE_META)
    ds.attrs.update({
        "title": "Compressed next-token spectra of a language model (simlab bundle)",
        **source.model_attributes, "corpus": source.corpus,
        "vocab_size": source.lm.vocab_size, "context": params.llm.context,
        "stride": params.llm.scored_per_window, "regenerate_with": COMMAND,
    })
    return ds


def report(ds):
    """Positions and ranks of the bundle."""
    counts = {s: int((ds["split"].values == s).sum()) for s in spectra.SPLITS}
    return (f"bundle: {ds.sizes['position']} positions ({counts['corpus']} corpus, "
            f"{counts['shuffled']} shuffled), top {ds.sizes['rank']} logits exact, the rest in "
            f"{ds.sizes['bin']} bins of {float(ds['bin_width']):g}")


TASK = register(Task(
    name="llm_bundle",
    description="extract a bundle of compressed next-token spectra from the live model",
    config=LLMBundleConfig, run=run, warm_up=lambda params: warm_up(), report=report,
    compress=True,
    exports=lambda params: [params.bundle.output] if params.bundle.output else []))
