"""How every task ends: annotate, add provenance, save atomically, draw figures, report."""

import time
from pathlib import Path

from omegaconf import OmegaConf

from simlab import results


def publish(ds, cfg, start, output_dir, title, meta=None, figures=(), report=None, **attrs):
    """Finish a task's Dataset and write everything into ``output_dir``.

    Parameters
    ----------
    ds : xarray.Dataset
    cfg : DictConfig
        The resolved config (stored in the attributes).
    start : float
        ``time.perf_counter()`` at the start of the task (wall time attribute).
    title : str
    meta : dict, optional
        {name: (long_name, units)} for :func:`simlab.results.annotate`.
    figures : iterable of (callable, str)
        ``plot(ds, path)`` functions and their file names (skipped with ``output.plots=false``).
    report : callable, optional
        ``report(ds) -> str`` printed after saving.
    **attrs
        Further Dataset attributes.

    Returns
    -------
    xarray.Dataset
    """
    ds = results.annotate(ds, meta)
    ds.attrs.update(results.provenance(OmegaConf.to_yaml(cfg, resolve=True), cfg.seed,
                                       time.perf_counter() - start))
    ds.attrs.update(title=title, **attrs)
    output_dir = Path(output_dir)
    path = results.save(ds, output_dir / cfg.output.results)
    if cfg.output.plots:
        for plot, name in figures:
            plot(ds, output_dir / name)
    if report is not None:
        print(report(ds))
    print(f"wrote {path}")
    return ds
