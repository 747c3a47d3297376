"""``simlab.run``: the command line's runs from Python (a notebook, a script).

The same override strings as ``simlab KEY=VALUE ...``, composed with Hydra's compose API from
the same configs, validated the same way (the same one-line errors, raised as
:class:`simlab.errors.ConfigError`), writing the same run folder (results, figures, report,
status, and Hydra's ``.hydra/`` record of the config) and returning the run's Dataset.
"""

from pathlib import Path

from simlab.errors import ConfigError

HYDRA_RECORD = ".hydra"


def run(*overrides, output=None):
    """Run one job as ``simlab *overrides`` does and return its Dataset.

    Parameters
    ----------
    *overrides : str
        Hydra overrides, e.g. ``"task=anneal"``, ``"anneal.reads=64"``,
        ``"experiment=ising_exact"``. Sweeps (``-m``, comma lists) belong to the command line.
    output : str or path-like, optional
        The run folder (as ``hydra.run.dir=...``: refused while another live run holds it).
        Default: ``outputs/DATE/TIME`` under the working directory, the next free name if
        that is taken.

    Returns
    -------
    xarray.Dataset
        The run's ``results.nc``, loaded; its folder is ``ds.attrs["run_folder"]``.

    Raises
    ------
    simlab.errors.ConfigError
        For an invalid key or value, before any folder is made.

    Examples
    --------
    >>> import simlab
    >>> ds = simlab.run("task=anneal", "anneal.reads=64")  # doctest: +SKIP
    """
    from hydra import compose, initialize_config_module
    from hydra.core.hydra_config import HydraConfig
    from hydra.errors import HydraException
    from omegaconf import OmegaConf, open_dict

    from simlab import results
    from simlab.runs import claims
    from simlab.runs.job import run_job
    from simlab.runs.settings import check_overrides, load_settings, register_hydra

    overrides = [str(o) for o in overrides]
    for item in overrides:
        if item.startswith("-") or "=" not in item:
            raise ConfigError("overrides", item, "KEY=VALUE strings (flags such as -m and "
                              "sweeps belong to the command line)")
        if item.lstrip("+~").startswith("hydra."):
            raise ConfigError(item.split("=", 1)[0], item.split("=", 1)[1],
                              "unset here: simlab.run(..., output=FOLDER) names the folder")
    check_overrides(overrides)
    register_hydra()
    try:
        with initialize_config_module(config_module="simlab.conf", version_base="1.3"):
            cfg = compose(config_name="config", overrides=overrides,
                          return_hydra_config=True)
    except HydraException as exc:
        raise ConfigError("overrides", " ".join(overrides),
                          str(exc).strip().splitlines()[0]) from None
    hydra_cfg = cfg.hydra
    try:
        HydraConfig.instance().set_config(cfg)  # resolves ${now:...} in the folder's name
        folder = Path(output) if output is not None else Path(str(hydra_cfg.run.dir))
        task_cfg = OmegaConf.create(OmegaConf.to_container(cfg, resolve=False))
        with open_dict(task_cfg):
            del task_cfg["hydra"]
        load_settings(task_cfg)  # refused before any folder exists
        claim = claims.claim(folder) if output is not None else claims.claim_new(folder)
        try:
            record = claim.folder / HYDRA_RECORD
            record.mkdir(parents=True, exist_ok=True)
            OmegaConf.save(task_cfg, record / "config.yaml")
            OmegaConf.save(OmegaConf.create(overrides), record / "overrides.yaml")
            run_job(task_cfg, claim.folder, overrides)
        finally:
            claim.release()
    finally:
        HydraConfig.instance().cfg = None  # no global state left behind
    ds = results.load(claim.folder / str(task_cfg.output.results))
    ds.attrs["run_folder"] = str(claim.folder.resolve())
    return ds
