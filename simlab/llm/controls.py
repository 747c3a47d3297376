"""How generation sets the temperature of each step: thermodynamic control of sampling.

A control turns the logits of a step into the distribution a token is drawn from:

- :class:`FixedTemperature`: the canonical ensemble, p ~ exp(z / T) at one T;
- :class:`Annealed`: T_k from a :class:`simlab.schedules.Schedule`, step by step (start
  hot, cool to commit);
- :class:`EntropyTarget`: at each step the T at which the distribution's entropy equals a
  target (microcanonical-like control of the entropy instead of the temperature), solved
  exactly with :func:`simlab.thermo.logits.temperature_for_entropy`;
- :class:`Mirostat`: Basu et al.'s mirostat 2.0 (ICLR 2021), feedback on surprise: tokens
  whose surprise -log2 p exceeds mu are removed, the token is drawn from the rest at T = 1,
  and mu moves by -eta (s - tau) with s the drawn token's surprise in the truncated
  distribution (as in llama.cpp's implementation).

Every control has a ``label`` (for datasets), a ``key`` (for random streams: a sequence's
stream is ``derive(seed, "generation", *key, index)``) and
``choose(logits, step, state) -> (logits to sample, temperature per row)``;
``start(n)`` makes its per-row state and ``update(...)`` advances it after a draw.
"""

import re
from dataclasses import dataclass

import numpy as np

from simlab.errors import ConfigError
from simlab.schedules import Schedule
from simlab.thermo.logits import row_thermodynamics, temperature_for_entropy
from simlab.validation import number

LN2 = np.log(2.0)


class Control:
    """Base class; see the module docstring."""

    label = ""
    key = ()

    def start(self, n_rows):
        return None

    def choose(self, logits, step, state):  # pragma: no cover - every control overrides it
        raise NotImplementedError

    def update(self, logits, tokens, state):
        return state

    @property
    def temperature(self):
        """The fixed temperature of a canonical control, else NaN."""
        return float("nan")


@dataclass(frozen=True)
class FixedTemperature(Control):
    """Sampling at one temperature T >= 0 (T = 0: greedy, ties broken at random)."""

    t: float

    def __post_init__(self):
        number("temperature", self.t, minimum=0.0)

    @property
    def label(self):
        return f"T={self.t:g}"

    @property
    def key(self):
        return ("T", float(self.t))

    @property
    def temperature(self):
        return float(self.t)

    def choose(self, logits, step, state):
        return logits, np.full(logits.shape[0], float(self.t))


@dataclass(frozen=True)
class Annealed(Control):
    """T from a schedule: step k of the sequence uses T_(k // sweeps_per_step); after the
    schedule ends, its last temperature."""

    schedule: Schedule

    @property
    def label(self):
        t = self.schedule.temperatures
        return f"{self.schedule.kind} {t[0]:.3g}->{t[-1]:.3g}"

    @property
    def key(self):
        return ("annealed", self.schedule.kind, *map(float, self.schedule.temperatures[[0, -1]]),
                self.schedule.n_sweeps)

    def choose(self, logits, step, state):
        t = self.schedule.temperatures
        index = min(step // self.schedule.sweeps_per_step, t.size - 1)
        return logits, np.full(logits.shape[0], t[index])


@dataclass(frozen=True)
class EntropyTarget(Control):
    """At every step, the T at which the next-token entropy equals ``entropy`` (nats).

    Where the target is out of a step's reach (below ln g or above ln V'), that step uses the
    nearest end, T = 0 or T = inf, and the step is counted in ``state["clipped"]``.
    """

    entropy: float

    def __post_init__(self):
        number("entropy", self.entropy, minimum=0.0)

    @property
    def label(self):
        return f"S={self.entropy:g} nats"

    @property
    def key(self):
        return ("entropy", float(self.entropy))

    def start(self, n_rows):
        return {"clipped": np.zeros(n_rows, dtype=np.int64)}

    def choose(self, logits, step, state):
        z = np.asarray(logits, dtype=np.float64)
        top = z.max(axis=1, keepdims=True)
        s_min = np.log((z == top).sum(axis=1))
        s_max = np.log(np.isfinite(z).sum(axis=1))
        target = np.clip(self.entropy, s_min, s_max)
        state["clipped"] += target != self.entropy
        return logits, temperature_for_entropy(logits, target)


@dataclass(frozen=True)
class Mirostat(Control):
    """Mirostat 2.0 with target surprise ``tau`` (bits) and learning rate ``eta``."""

    tau: float
    eta: float = 0.1

    def __post_init__(self):
        number("tau", self.tau, positive=True)
        number("eta", self.eta, positive=True)

    @property
    def label(self):
        return f"mirostat tau={self.tau:g} bits"

    @property
    def key(self):
        return ("mirostat", float(self.tau), float(self.eta))

    def start(self, n_rows):
        return {"mu": np.full(n_rows, 2.0 * self.tau)}

    def choose(self, logits, step, state):
        z = np.asarray(logits, dtype=np.float64)
        log_z = row_thermodynamics(z, np.ones(z.shape[0]))["log_z"]
        surprise = (log_z[:, None] - z) / LN2
        keep = surprise <= state["mu"][:, None]
        keep[np.arange(z.shape[0]), z.argmax(axis=1)] = True  # never remove the top token
        return np.where(keep, z, -np.inf), np.ones(z.shape[0])

    def update(self, logits, tokens, state):
        z = np.asarray(logits, dtype=np.float64)
        log_z = row_thermodynamics(z, np.ones(z.shape[0]))["log_z"]
        observed = (log_z - z[np.arange(z.shape[0]), tokens]) / LN2
        state["mu"] = state["mu"] - self.eta * (observed - self.tau)
        return state


def parse(text, n_steps):
    """A control from its text form: ``T:0.7``, ``S:2.5`` (nats), ``mirostat:3`` (bits), or
    ``anneal:1.5:0.5`` (geometric cooling from 1.5 to 0.5 over the ``n_steps`` tokens);
    ``=`` may stand for the first ``:`` (``T=0.7``; on Hydra's command line quote it)."""
    from simlab import schedules

    name, value = (re.split(r"[=:]", str(text), maxsplit=1) + [""])[:2]
    try:
        if name == "T":
            return FixedTemperature(float(value))
        if name == "S":
            return EntropyTarget(float(value))
        if name == "mirostat":
            return Mirostat(float(value))
        if name == "anneal":
            hot, cold = (float(x) for x in value.split(":"))
            if hot > cold > 0:
                return Annealed(schedules.geometric_range(hot, cold, n_steps))
    except (ValueError, ConfigError):
        pass
    raise ConfigError("control", text, "T:<temperature>, S:<entropy in nats>, "
                      "mirostat:<surprise in bits> or anneal:<hot>:<cold> (hot > cold > 0)")
