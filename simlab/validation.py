"""Checks shared by config validation and the public functions: one message format everywhere.

Each returns the converted value or raises :class:`simlab.errors.ConfigError` naming the key,
the value and what is allowed.
"""

import math

from simlab.errors import ConfigError


def integer(key, value, minimum=None, maximum=None):
    """An int (not bool) within [minimum, maximum]."""
    ok = isinstance(value, int) and not isinstance(value, bool)
    if not ok and hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iu":
        value, ok = int(value), True
    if ok and (minimum is None or value >= minimum) and (maximum is None or value <= maximum):
        return int(value)
    if minimum is not None and maximum is not None:
        allowed = f"an integer from {minimum} to {maximum}"
    elif minimum is not None:
        allowed = f"an integer >= {minimum}"
    else:
        allowed = "an integer"
    raise ConfigError(key, value, allowed)


def number(key, value, *, positive=False, nonzero=False, minimum=None):
    """A finite real number, optionally > 0, != 0 or >= minimum."""
    try:
        ok = not isinstance(value, (bool, str)) and math.isfinite(float(value))
    except (TypeError, ValueError):
        ok = False
    if ok:
        x = float(value)
        if positive and not x > 0:
            raise ConfigError(key, value, "a finite number > 0")
        if nonzero and x == 0:
            raise ConfigError(key, value, "a finite non-zero number")
        if minimum is not None and x < minimum:
            raise ConfigError(key, value, f"a finite number >= {minimum}")
        return x
    raise ConfigError(key, value, "a finite number" + (" > 0" if positive else ""))


def choice(key, value, allowed):
    """One of the strings in ``allowed``."""
    if value not in allowed:
        raise ConfigError(key, value, "one of " + ", ".join(map(str, allowed)))
    return value


def temperatures(key, value, *, allow_zero=False, allow_inf=False):
    """A non-empty 1-D float64 array of temperatures > 0 (or >= 0), finite unless allowed."""
    import numpy as np

    try:
        t = np.atleast_1d(np.asarray(value, dtype=np.float64))
    except (TypeError, ValueError):
        raise ConfigError(key, value, "numbers (temperatures)") from None
    if t.ndim != 1 or t.size == 0:
        raise ConfigError(key, value, "a non-empty 1-D list of temperatures")
    ok = (t >= 0) if allow_zero else (t > 0)
    if not allow_inf:
        ok &= np.isfinite(t)
    bad = ~ok  # NaN fails both comparisons
    if bad.any():
        bound = ">= 0" if allow_zero else "> 0"
        raise ConfigError(key, float(t[bad][0]),
                          f"temperatures {bound}" + ("" if allow_inf else ", finite"))
    return t


def read_text(path, what, key=None):
    """The UTF-8 text of ``path``; DataError naming ``what`` (e.g. "TSPLIB file") otherwise.

    With ``key`` (a config key) the message starts ``key='path':``, else ``path:``.
    """
    from pathlib import Path

    from simlab.errors import DataError

    path = Path(path)
    where = f"{key}={str(path)!r}" if key else str(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"{where}: no such {what}") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{where}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise DataError(f"{where}: the {what} cannot be read ({exc})") from None
