"""The Dataset schema: the one result shape, its annotation, validation and atomic saving.

Every simlab result is one ``xarray.Dataset``. Samplers return a :class:`Result` whose
``to_dataset()`` follows this schema; tasks combine those datasets; figures and reports read
only datasets. Dimensions come from :data:`DIMENSIONS`; every variable carries ``units`` and
``long_name``; the error of ``x`` is ``x_err``, an exact reference ``x_exact``, the
infinite-lattice value ``x_onsager`` and the deviation from the exact value in standard
errors ``x_z``. A value the data cannot support is NaN, and the variable's attribute
``missing_reason`` says why (:func:`mark_missing`). Attributes of the Dataset hold the
provenance: resolved config, seed, versions, git commit, creation time and wall time.
"""

import contextlib
import datetime
import hashlib
import os
import platform
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import xarray as xr

from simlab.errors import DataError

ENGINE = "h5netcdf"

DIMENSIONS = {
    "temperature": ("temperature T", "J/k_B"),
    "position": ("token position", "1"),
    "step": ("annealing step", "1"),
    "read": ("independent read", "1"),
    "chain": ("independent chain", "1"),
    "sweep": ("recorded sweep", "1"),
    "site": ("lattice site or unit", "1"),
    "sample": ("independent sample", "1"),
    "run": ("independent run", "1"),
    "rescaled_temperature": ("temperature in units of the specific-heat peak, T / T*", "1"),
    "size": ("linear lattice size L", "sites"),
}

#: long_name and units of the base variables; suffixed variants derive from these.
VARIABLES = {
    "energy": ("energy per spin U/N", "J"),
    "specific_heat": ("specific heat per spin C/N = Var(E)/(N T^2)", "k_B"),
    "entropy": ("entropy per spin S/N", "k_B (nats)"),
    "free_energy": ("free energy per spin F/N = U/N - T S/N", "J"),
    "abs_magnetization": ("mean absolute magnetisation per spin <|M|>/N", "1"),
    "susceptibility": ("susceptibility chi = N (<m^2> - <|m|>^2)/T", "1/J"),
    "binder": ("Binder cumulant 1 - <m^4>/(3 <m^2>^2)", "1"),
    "tau_energy": ("integrated autocorrelation time of the energy", "sweeps"),
    "tau_abs_magnetization": ("integrated autocorrelation time of |M|", "sweeps"),
    "r_hat_energy": ("Gelman-Rubin R-hat of the energy across chains (1: mixed)", "1"),
    "peak_temperature": ("temperature of the specific-heat maximum", "J/k_B"),
    "peak_specific_heat": ("maximum of the specific heat per spin", "k_B"),
    "log_z": ("log partition function ln Z", "1"),
}

SUFFIXES = {
    "_err": ("standard error of {}", None),
    "_quadrature_err": ("estimated quadrature (truncation) error of {}", None),
    "_exact": ("exact {} (finite lattice)", None),
    "_onsager": ("exact {} (infinite lattice, Onsager)", None),
    "_z": ("deviation of {} from exact, in standard errors", "1"),
    "_rescaled": ("{} at T = x T_peak, x the rescaled temperature", None),
}


class Result:
    """Base of what samplers return: a dataclass of arrays with :meth:`to_dataset`.

    Subclasses name their variables in ``META`` ({name: (long_name, units)}) for those not in
    :data:`VARIABLES`, and build the Dataset in :meth:`to_dataset`, which must return an
    annotated Dataset (every variable and coordinate with ``long_name`` and ``units``).
    """

    META = {}

    def to_dataset(self):  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def _dataset(self, data_vars, coords, **attrs):
        """An annotated Dataset from ``data_vars`` and ``coords`` with this class's META."""
        ds = xr.Dataset(data_vars, coords=coords)
        ds.attrs.update(attrs)
        return annotate(ds, self.META)


#: Units of timing variables: measurements of the machine, not of the model, so reruns
#: compare them apart (see :func:`is_timing`).
TIMING_UNITS = ("s", "ms", "ns")


def is_timing(variable):
    """True for a variable that holds a wall time (its units are seconds or a fraction)."""
    return variable.attrs.get("units") in TIMING_UNITS


def mark_missing(ds, name, reason):
    """Record on variable ``name`` why some of its values are NaN; returns ``ds``."""
    previous = ds[name].attrs.get("missing_reason")
    ds[name].attrs["missing_reason"] = reason if not previous or previous == reason \
        else f"{previous}; {reason}"
    return ds


def missing_reasons(ds):
    """{variable: reason} for every variable with NaN values explained by ``missing_reason``."""
    return {name: ds[name].attrs["missing_reason"] for name in ds.data_vars
            if "missing_reason" in ds[name].attrs}


def describe(name, meta=None):
    """(long_name, units) of a variable name.

    Looked up in ``meta`` (a task's own meanings, e.g. energies of token distributions in
    logit units), then :data:`VARIABLES` and :data:`DIMENSIONS`; ``<base><suffix>`` names
    derive from their base.
    """
    table = {**DIMENSIONS, **VARIABLES, **(meta or {})}
    if name in table:
        return table[name]
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix) and name[: -len(suffix)] in table:
            long_name, units = table[name[: -len(suffix)]]
            template, override = SUFFIXES[suffix]
            return template.format(long_name), override or units
    raise DataError(f"variable {name!r} has no entry in simlab.results.VARIABLES")


def annotate(ds, meta=None):
    """Set ``long_name`` and ``units`` on every variable and coordinate that lacks them.

    Parameters
    ----------
    meta : dict, optional
        {name: (long_name, units)} taking precedence over :data:`VARIABLES`.
    """
    for name in list(ds.data_vars) + list(ds.coords):
        attrs = ds[name].attrs
        if "long_name" not in attrs or "units" not in attrs:
            long_name, units = describe(name, meta)
            attrs.setdefault("long_name", long_name)
            attrs.setdefault("units", units)
    return ds


def git_commit():
    """Commit hash of the simlab source tree (with ``-dirty`` if modified), or 'unknown'."""
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                                text=True, timeout=10)
        if commit.returncode != 0:
            return "unknown"
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=here, capture_output=True, text=True, timeout=10)
        return commit.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def provenance(config_yaml, seed, wall_time):
    """Attributes every Dataset carries.

    Parameters
    ----------
    config_yaml : str
        The resolved configuration.
    seed : int
    wall_time : float
        Seconds.
    """
    import numba

    from simlab._version import __version__

    return {
        "simlab_version": __version__,
        "config": config_yaml,
        "seed": int(seed),
        "git_commit": git_commit(),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "wall_time_s": float(wall_time),
        "python_version": platform.python_version(),
        "numpy_version": np.__version__,
        "numba_version": numba.__version__,
        "xarray_version": xr.__version__,
    }


def validate(ds):
    """Raise DataError unless ``ds`` follows the schema; return it unchanged otherwise."""
    if not isinstance(ds, xr.Dataset):
        raise DataError(f"expected an xarray.Dataset, got {type(ds).__name__}")
    for name in list(ds.data_vars) + list(ds.coords):
        missing = [a for a in ("units", "long_name") if a not in ds[name].attrs]
        if missing:
            raise DataError(f"variable {name!r} lacks attribute(s) {', '.join(missing)}")
    for key in ("simlab_version", "config", "seed"):
        if key not in ds.attrs:
            raise DataError(f"dataset lacks the provenance attribute {key!r}")
    return ds


def temporary_beside(path):
    """A new empty file in ``path``'s folder to write before renaming it to ``path``, with
    the permissions of any file the user creates (``mkstemp`` makes them owner-only, which
    would hide results from collaborators on a shared file system). Its name,
    ``.<name>.<random>.tmp``, is what a later run of the job removes if this one is killed."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(tmp, 0o666 & ~mask)
    return tmp


def remove_stale_temporaries(folder):
    """Delete the temporary files a killed writer left in ``folder``
    (``.<name>.<random>.tmp``, see :func:`temporary_beside`); returns their names. Only for
    a folder that no live process is writing to."""
    removed = []
    for path in Path(folder).glob(".*.tmp"):
        path.unlink(missing_ok=True)
        removed.append(path.name)
    return removed


@contextlib.contextmanager
def written_atomically(path):
    """Write ``path`` through a temporary file beside it, renamed into place at the end.

    Yields the temporary path; when the block finishes, its file (flushed to disk) replaces
    ``path``. If the block or the rename fails (a full disk, an interrupt), the temporary
    file is removed and ``path`` is untouched: a reader sees the old file or the new one,
    never a part.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = temporary_beside(path)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        yield tmp
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:  # name the file the user asked for, not the temporary one
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    finally:
        Path(tmp).unlink(missing_ok=True)


def save(ds, path, compress=False):
    """Validate and write ``ds`` to NetCDF at ``path`` atomically (temp file, then rename).

    A reader never sees a partial file: either the previous file or the complete new one;
    a write that fails (a full disk) raises OSError and leaves no temporary file.
    With ``compress``, numeric variables are stored with zlib (level 9) and shuffle, and text
    as zlib-compressed UTF-8 character arrays (variable-length strings cannot be compressed;
    they read back as str objects).
    """
    validate(ds)
    encoding = {}
    for name in ds.variables if compress else ():
        kind = ds[name].dtype.kind
        if kind in "fiub":
            encoding[name] = {"zlib": True, "complevel": 9, "shuffle": True}
        elif kind in "OU" and ds[name].ndim:
            encoding[name] = {"dtype": "S1", "zlib": True, "complevel": 9}
    path = Path(path)
    # Serialised in memory, then written by Python: a full disk or a file-size limit is then
    # a plain OSError, where the HDF5 library, failing in the middle of a file, raises
    # RuntimeErrors from its clean-up and can crash the process.
    payload = ds.to_netcdf(engine=ENGINE, encoding=encoding)
    with written_atomically(path) as tmp, open(tmp, "wb") as handle:
        handle.write(payload)
    return path


def file_digest(path):
    """SHA-256 of a file's bytes (hex): recorded beside a saved result so that a later read
    knows the file is the one written."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _open(path):
    # h5py first: h5netcdf, failing to open a damaged file, leaves a half-made object whose
    # clean-up prints a traceback when it is collected.
    import h5py

    with h5py.File(path, "r"):
        pass
    with xr.open_dataset(path, engine=ENGINE) as ds:
        return ds.load()


def _probe(path, pipe):
    """In a child process: read ``path`` and say how it went (None, or the error)."""
    try:
        _open(path)
        pipe.send(None)
    except Exception as exc:  # noqa: BLE001 - reported to the parent as text
        pipe.send(f"{type(exc).__name__}: {exc}")


_forkserver = []
#: The time a probe may take: this many seconds, plus one per this many bytes of the file.
PROBE_SECONDS, PROBE_BYTES_PER_SECOND = 30.0, 20e6


def probe(path, timeout=None):
    """Read ``path`` in a child process first: a damaged HDF5 file can send the HDF5 library
    into a loop that never returns and cannot be interrupted (it holds the GIL), so only
    another process can put a bound on it.

    Raises
    ------
    DataError
        If the child's read fails, or does not finish within ``timeout`` seconds (default:
        :data:`PROBE_SECONDS` plus one per :data:`PROBE_BYTES_PER_SECOND` bytes).
    """
    import multiprocessing

    if not _forkserver:  # children fork from a server that has imported the readers once
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["h5py", "h5netcdf", "xarray", "simlab.results"])
        _forkserver.append(context)
    context = _forkserver[0]
    if timeout is None:
        timeout = PROBE_SECONDS + Path(path).stat().st_size / PROBE_BYTES_PER_SECOND
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_probe, args=(str(path), send), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(timeout):
            raise DataError(f"{path}: damaged (reading it did not finish in {timeout:.0f} s)")
        problem = receive.recv()
    except EOFError:
        problem = f"the reading process ended with exit code {child.exitcode}"
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receive.close()
    if problem is not None:
        raise DataError(f"{path}: not a NetCDF dataset simlab can read ({problem})")


def read(path, digest=None):
    """Read any NetCDF file fully into memory (no schema check).

    Parameters
    ----------
    digest : str, optional
        The SHA-256 recorded when the file was written (:func:`file_digest`). If the file
        still has it, it is read at once; otherwise it is first read in a child process
        with a time limit (:func:`probe`), so that a damaged file cannot hang the caller.

    Raises
    ------
    DataError
        If the file is missing, unreadable, truncated, damaged or not NetCDF.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    if digest is None or file_digest(path) != digest:
        probe(path)
    try:
        return _open(path)
    except Exception as exc:  # h5py raises OSError, xarray ValueError, ...
        raise DataError(f"{path}: not a NetCDF dataset simlab can read ({exc})") from exc


def load(path, digest=None):
    """Read a simlab NetCDF file fully into memory and validate it (``digest``: see
    :func:`read`).

    Raises
    ------
    DataError
        If the file is missing, unreadable, truncated, damaged or not a simlab dataset.
    """
    ds = read(path, digest)
    try:
        return validate(ds)
    except DataError as exc:
        raise DataError(f"{path}: {exc}") from exc
