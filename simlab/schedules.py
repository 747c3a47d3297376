"""Temperature schedules for annealing (and for sampling language models at temperature).

A :class:`Schedule` is a sequence of temperatures T_0, T_1, ..., T_{n-1}, each held for
``sweeps_per_step`` sweeps. Constructors:

- :func:`constant`: T_k = T
- :func:`linear`: linear from ``start`` to ``stop`` in T, or in beta = 1/T with ``in_beta``
- :func:`geometric`: T_k = T_0 alpha^k, 0 < alpha < 1 (Kirkpatrick, Gelatt & Vecchi 1983)
- :func:`exponential`: T_k = T_0 exp(-rate k), rate > 0 (geometric with alpha = e^-rate,
  parametrised by the decay rate)
- :func:`logarithmic`: T_k = c / ln(k + k0), c > 0, k0 > 1 (Geman & Geman 1984; Hajek 1988:
  the chain ends in a global minimum with probability -> 1 iff c >= d*, the depth of the
  deepest non-global local minimum)
- :func:`custom`: any array of temperatures or of betas

Cooling schedules (linear, geometric, exponential, logarithmic) never increase; a custom one
must not increase unless built with ``cooling=False``.
"""

from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np

from simlab.errors import ConfigError
from simlab.schema import setting
from simlab.validation import choice, integer, number

KINDS = ("constant", "linear", "geometric", "exponential", "logarithmic", "custom")


@dataclass(frozen=True)
class Schedule:
    """Temperatures per step and how many sweeps each step lasts.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    temperatures : ndarray, shape (n_steps,)
        T_k > 0 (finite).
    sweeps_per_step : int
    params : dict
        The constructor's parameters (for provenance and plots).
    """

    kind: str
    temperatures: np.ndarray
    sweeps_per_step: int = 1
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        t = np.asarray(self.temperatures, dtype=np.float64)
        if t.ndim != 1 or t.size == 0:
            raise ConfigError("schedule", self.kind, "a non-empty 1-D sequence of temperatures")
        bad = ~(np.isfinite(t) & (t > 0))
        if bad.any():
            raise ConfigError("schedule temperature", float(t[bad][0]), "finite values > 0")
        t.setflags(write=False)
        object.__setattr__(self, "temperatures", t)
        object.__setattr__(self, "sweeps_per_step",
                           integer("schedule.sweeps_per_step", self.sweeps_per_step, 1))

    @property
    def n_steps(self):
        """Number of temperature steps."""
        return self.temperatures.size

    @property
    def n_sweeps(self):
        """Total sweeps: n_steps * sweeps_per_step."""
        return self.n_steps * self.sweeps_per_step

    @property
    def betas(self):
        """1 / T_k, shape (n_steps,)."""
        return 1.0 / self.temperatures

    def per_sweep(self):
        """The temperature of every sweep, shape (n_sweeps,)."""
        return np.repeat(self.temperatures, self.sweeps_per_step)

    def to_dataset(self):
        """The schedule as an annotated Dataset: ``schedule_temperature`` on dim ``step``,
        with the coordinate ``sweeps_done`` (sweeps at the end of each step)."""
        import xarray as xr

        ds = xr.Dataset(
            {"schedule_temperature": ("step", self.temperatures)},
            coords={"step": np.arange(self.n_steps),
                    "sweeps_done": ("step", (np.arange(self.n_steps) + 1) * self.sweeps_per_step)})
        ds["schedule_temperature"].attrs.update(long_name=f"{self.kind} schedule temperature",
                                                units="energy units")
        ds["step"].attrs.update(long_name="temperature step", units="1")
        ds["sweeps_done"].attrs.update(long_name="sweeps done at the end of the step",
                                       units="1")
        ds.attrs.update(schedule_kind=self.kind, sweeps_per_step=self.sweeps_per_step,
                        **{f"schedule_{k}": v for k, v in self.params.items()})
        return ds

    def describe(self):
        """One line: kind, parameters, steps and sweeps."""
        args = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                         for k, v in self.params.items())
        return (f"{self.kind}({args}): {self.n_steps} steps x {self.sweeps_per_step} sweeps, "
                f"T {self.temperatures[0]:.4g} -> {self.temperatures[-1]:.4g}")


def _steps(n_steps):
    return integer("schedule.n_steps", n_steps, 1)


def constant(temperature, n_steps, sweeps_per_step=1):
    """T_k = temperature for all k."""
    t = number("schedule.temperature", temperature, positive=True)
    return Schedule("constant", np.full(_steps(n_steps), t), sweeps_per_step,
                    {"temperature": t})


def linear(start, stop, n_steps, sweeps_per_step=1, in_beta=False):
    """Linear from ``start`` to ``stop`` (temperatures, or betas if ``in_beta``); cooling only."""
    a = number("schedule.start", start, positive=True)
    b = number("schedule.stop", stop, positive=True)
    n = _steps(n_steps)
    if in_beta:
        if b < a:
            raise ConfigError("schedule.stop", stop, f"a beta >= schedule.start ({a}): the "
                              "schedule must cool (beta must not decrease)")
        t = 1.0 / np.linspace(a, b, n)
    else:
        if b > a:
            raise ConfigError("schedule.stop", stop, f"a temperature <= schedule.start ({a}): "
                              "the schedule must cool")
        t = np.linspace(a, b, n)
    return Schedule("linear", t, sweeps_per_step,
                    {"start": a, "stop": b, "in_beta": bool(in_beta)})


def geometric(start, alpha, n_steps, sweeps_per_step=1):
    """T_k = start * alpha^k with 0 < alpha < 1 (Kirkpatrick et al. 1983)."""
    t0 = number("schedule.start", start, positive=True)
    a = number("schedule.alpha", alpha)
    if not 0 < a < 1:
        raise ConfigError("schedule.alpha", alpha, "a number strictly between 0 and 1")
    return Schedule("geometric", t0 * a ** np.arange(_steps(n_steps)), sweeps_per_step,
                    {"start": t0, "alpha": a})


def geometric_range(start, stop, n_steps, sweeps_per_step=1):
    """Geometric schedule from ``start`` to ``stop`` (alpha = (stop/start)^(1/(n-1)))."""
    t0 = number("schedule.start", start, positive=True)
    t1 = number("schedule.stop", stop, positive=True)
    n = _steps(n_steps)
    if not t1 < t0:
        raise ConfigError("schedule.stop", stop, f"a temperature < schedule.start ({t0})")
    if n == 1:
        return geometric(t0, 0.5, 1, sweeps_per_step)
    return geometric(t0, (t1 / t0) ** (1.0 / (n - 1)), n, sweeps_per_step)


def exponential(start, rate, n_steps, sweeps_per_step=1):
    """T_k = start * exp(-rate * k) with rate > 0."""
    t0 = number("schedule.start", start, positive=True)
    r = number("schedule.rate", rate, positive=True)
    return Schedule("exponential", t0 * np.exp(-r * np.arange(_steps(n_steps))),
                    sweeps_per_step, {"start": t0, "rate": r})


def logarithmic(c, n_steps, k0=2.0, sweeps_per_step=1):
    """T_k = c / ln(k + k0) with c > 0 and k0 > 1 (Geman & Geman 1984; Hajek 1988)."""
    c = number("schedule.c", c, positive=True)
    k0 = number("schedule.k0", k0)
    if not k0 > 1:
        raise ConfigError("schedule.k0", k0, "a number > 1 (so that ln(k + k0) > 0 at k = 0)")
    return Schedule("logarithmic", c / np.log(np.arange(_steps(n_steps)) + k0),
                    sweeps_per_step, {"c": c, "k0": k0})


def custom(values, sweeps_per_step=1, in_beta=False, cooling=True):
    """A schedule from an explicit array of temperatures (or betas with ``in_beta``).

    With ``cooling`` (the default) the temperatures must not increase.
    """
    v = np.asarray(values, dtype=np.float64).ravel() if np.size(values) else np.array([])
    if v.size == 0:
        raise ConfigError("schedule.points", list(np.ravel(values)), "a non-empty list")
    bad = ~(np.isfinite(v) & (v > 0))
    if bad.any():
        raise ConfigError("schedule.points", float(v[bad][0]),
                          ("betas" if in_beta else "temperatures") + " that are finite and > 0")
    t = 1.0 / v if in_beta else v
    if cooling and np.any(np.diff(t) > 0):
        k = int(np.argmax(np.diff(t) > 0))
        raise ConfigError("schedule.points", float(v[k + 1]),
                          f"a cooling sequence: temperature rises at step {k + 1} "
                          "(use cooling=False for non-monotone schedules)")
    return Schedule("custom", t, sweeps_per_step, {"in_beta": bool(in_beta)})


def from_config(cfg, n_steps=None, auto_range=None):
    """Build a schedule from a ``schedule`` config node (see ``conf/schedule/*.yaml``).

    Parameters
    ----------
    cfg : mapping
        Keys ``kind``, ``n_steps``, ``sweeps_per_step`` and the kind's parameters
        (``start``, ``stop``, ``alpha``, ``rate``, ``c``, ``k0``, ``temperature``,
        ``in_beta``, ``points``). Missing ``start``/``stop`` (and ``c`` for logarithmic,
        chosen so that T_0 = ``start``) come from ``auto_range``.
    n_steps : int, optional
        Overrides ``cfg.n_steps`` (experiments scan it).
    auto_range : (float, float), optional
        (T_hot, T_cold) of the problem, e.g. from
        :func:`simlab.samplers.annealing.default_temperature_range`.
    """
    get = cfg.get
    kind = choice("schedule.kind", cfg["kind"], KINDS)
    n = n_steps if n_steps is not None else get("n_steps")
    spp = get("sweeps_per_step", 1) or 1
    hot, cold = auto_range if auto_range is not None else (None, None)
    start = get("start") if get("start") is not None else hot
    stop = get("stop") if get("stop") is not None else cold
    if kind in ("linear", "geometric", "exponential") and start is None:
        raise ConfigError("schedule.start", None, "a temperature (or a problem that sets one)")
    if kind == "constant":
        return constant(get("temperature") if get("temperature") is not None else stop, n, spp)
    if kind == "linear":
        if get("in_beta", False):
            return linear(1.0 / start, 1.0 / stop, n, spp, in_beta=True)
        return linear(start, stop, n, spp)
    if kind == "geometric":
        if get("alpha") is not None:
            return geometric(start, get("alpha"), n, spp)
        return geometric_range(start, stop, n, spp)
    if kind == "exponential":
        rate = get("rate")
        if rate is None:
            rate = np.log(start / stop) / max(_steps(n) - 1, 1)
        return exponential(start, rate, n, spp)
    if kind == "logarithmic":
        k0 = get("k0", 2.0) or 2.0
        c = get("c") if get("c") is not None else (start * np.log(k0) if start else None)
        return logarithmic(c, n, k0, spp)
    return custom(list(get("points") or []), spp, bool(get("in_beta", False)))


@dataclass
class ScheduleConfig:
    """A schedule as a config section; null values come from the problem (see
    :func:`from_config`)."""

    kind: str = setting("geometric", choices=KINDS, doc="schedule family")
    n_steps: int = setting(1000, minimum=1, doc="temperature steps")
    sweeps_per_step: int = setting(1, minimum=1, doc="sweeps at each temperature")
    start: Optional[float] = setting(None, above=0.0,
                                     doc="first temperature (null: the problem's hot end)")
    stop: Optional[float] = setting(None, above=0.0,
                                    doc="last temperature (null: the problem's cold end)")
    alpha: Optional[float] = setting(None, doc="geometric factor (null: from start to stop)")
    rate: Optional[float] = setting(None, doc="exponential decay rate (null: start to stop)")
    c: Optional[float] = setting(None, doc="logarithmic constant (null: c = start ln k0)")
    k0: float = setting(2.0, doc="logarithmic offset, > 1")
    temperature: Optional[float] = setting(None, above=0.0,
                                           doc="constant temperature (null: the cold end)")
    in_beta: bool = setting(False, doc="linear in beta = 1/T; custom points are betas")
    points: Optional[List[float]] = setting(None, doc="custom temperatures (or betas)")

    def check(self, key):
        """Build the schedule with a stand-in range, so every explicit value is checked."""
        try:
            self.build((10.0, 0.1))
        except ConfigError as exc:  # name the full dotted key
            name = exc.key.split(".", 1)[-1]
            raise ConfigError(f"{key}.{name}", exc.value, exc.allowed) from None

    def build(self, auto_range=None, n_steps=None):
        """The :class:`Schedule` (``auto_range``: the problem's (T_hot, T_cold))."""
        return from_config(self.__dict__, n_steps=n_steps, auto_range=auto_range)
