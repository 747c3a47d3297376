"""Typed configuration sections: dataclasses whose fields carry their own constraints.

A config section is a dataclass whose fields are declared with :func:`setting`, which holds
the default (the only place a default lives), a one-line ``doc`` and the constraints
(``minimum``, ``maximum``, ``choices``, ``path``). :func:`load` turns a plain mapping (for
example the YAML Hydra composed) into a validated instance: unknown keys, wrong types and
values out of range all raise :class:`~simlab.errors.ConfigError` with the full dotted key,
the value and what is allowed, before any work starts. A section may define
``check(self, key)`` for rules that join several fields; it runs after its fields are
converted and receives the section's dotted key.

Supported field types: ``int``, ``float``, ``bool``, ``str``, ``Optional[...]``,
``List[...]`` (nested lists too; a single value stands for a one-element list) and nested
sections.
"""

import dataclasses
import math
import typing
from pathlib import Path

import yaml

from simlab.errors import ConfigError


def setting(default=None, *, doc="", minimum=None, maximum=None, above=None, choices=None,
            path=None, factory=None):
    """A config field.

    Parameters
    ----------
    default : object
        The default value (immutable; use ``factory`` for lists and sections).
    doc : str
        One line for ``simlab tasks NAME`` and the error messages.
    minimum, maximum : number, optional
        Inclusive bounds of a number (or of every number in a list).
    above : number, optional
        Exclusive lower bound (``above=0``: strictly positive).
    choices : tuple of str, optional
        The allowed values of a string (or of every string in a list).
    path : {"file", "dir"}, optional
        The value (unless null) must name an existing file or folder.
    factory : callable, optional
        Builds the default (lists, nested sections).
    """
    metadata = {"doc": doc, "minimum": minimum, "maximum": maximum, "above": above,
                "choices": choices, "path": path}
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def section(cls, doc=""):
    """A nested section field whose default is ``cls()``."""
    return setting(factory=cls, doc=doc)


def _describe_bounds(meta, kind):
    lo, hi, above = (None if x is None else f"{x:g}" for x in (
        meta.get("minimum"), meta.get("maximum"), meta.get("above")))
    noun = "an integer" if kind is int else "a number"
    if above is not None:
        return f"{noun} > {above}" + (f" and <= {hi}" if hi is not None else "")
    if lo is not None and hi is not None:
        return f"{noun} from {lo} to {hi}"
    if lo is not None:
        return f"{noun} >= {lo}"
    if hi is not None:
        return f"{noun} <= {hi}"
    return noun


def _as_int(key, value, meta):
    ok = isinstance(value, int) and not isinstance(value, bool)
    if not ok and isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value, ok = int(value), True
    if not ok and hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iu":
        value, ok = int(value), True
    if not ok or not _in_bounds(value, meta):
        raise ConfigError(key, value, _describe_bounds(meta, int))
    return int(value)


def _as_float(key, value, meta):
    try:
        ok = not isinstance(value, bool) and math.isfinite(float(value))
    except (TypeError, ValueError):
        ok = False
    if not ok or not _in_bounds(float(value), meta):
        raise ConfigError(key, value, "a finite " + _describe_bounds(meta, float)[2:])
    return float(value)


def _in_bounds(x, meta):
    lo, hi, above = meta.get("minimum"), meta.get("maximum"), meta.get("above")
    return ((lo is None or x >= lo) and (hi is None or x <= hi)
            and (above is None or x > above))


def _as_bool(key, value, meta):
    if isinstance(value, bool):
        return value
    raise ConfigError(key, value, "true or false")


def _as_str(key, value, meta):
    if not isinstance(value, str):
        raise ConfigError(key, value, "a string")
    choices = meta.get("choices")
    if choices is not None and value not in choices:
        raise ConfigError(key, value, "one of " + ", ".join(map(str, choices)))
    if meta.get("path"):
        check_path(key, value, meta["path"])
    return value


def check_path(key, value, kind="file"):
    """Raise ConfigError unless ``value`` names an existing file (or folder)."""
    p = Path(value).expanduser()
    if kind == "dir" and not p.is_dir():
        raise ConfigError(key, value, "an existing folder")
    if kind == "file" and not p.is_file():
        raise ConfigError(key, value, "an existing file" + (" (it is a folder)" if p.is_dir()
                                                            else " (no such file)"))
    return str(p)


def _is_section(tp):
    return isinstance(tp, type) and dataclasses.is_dataclass(tp)


def _convert(key, tp, value, meta):
    origin = typing.get_origin(tp)
    if origin is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return _convert(key, args[0], value, meta)
    if value is None:
        raise ConfigError(key, value, f"a value ({_type_name(tp)}), not null")
    if origin in (list, typing.List):
        (inner,) = typing.get_args(tp) or (typing.Any,)
        if isinstance(value, (str, bytes, int, float, bool)):
            value = [value]
        if not hasattr(value, "__iter__") or hasattr(value, "keys"):
            raise ConfigError(key, value, f"a list ({_type_name(tp)})")
        return [_convert(f"{key}[{i}]", inner, v, meta) for i, v in enumerate(value)]
    if _is_section(tp):
        return load(tp, value, key)
    if tp is typing.Any:
        return value
    converter = {int: _as_int, float: _as_float, bool: _as_bool, str: _as_str}[tp]
    return converter(key, value, meta)


def _type_name(tp):
    origin = typing.get_origin(tp)
    if origin is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return f"{_type_name(args[0])} or null"
    if origin in (list, typing.List):
        (inner,) = typing.get_args(tp) or (typing.Any,)
        return f"list of {_type_name(inner)}"
    return getattr(tp, "__name__", str(tp))


def _mapping(value):
    """A plain dict from a dict, an OmegaConf DictConfig or a dataclass instance."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if hasattr(value, "items"):
        return dict(value.items())
    return None


def load(cls, data, key=""):
    """A validated instance of the section ``cls`` from a mapping (missing keys: defaults).

    Parameters
    ----------
    cls : dataclass type
    data : mapping, DictConfig, instance of ``cls`` or None
    key : str
        The dotted key of the section, for messages ("" for the root).

    Raises
    ------
    ConfigError
        Naming the full dotted key of the first bad value or unknown key.
    """
    prefix = f"{key}." if key else ""
    if data is None:
        data = {}
    items = _mapping(data)
    if items is None:
        raise ConfigError(key or "config", data, f"a section with keys {', '.join(keys(cls))}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = [k for k in items if k not in fields]
    if unknown:
        raise ConfigError(f"{prefix}{unknown[0]}", items[unknown[0]],
                          f"not a key of {key or 'this config'} (keys: {', '.join(fields)})")
    values = {}
    for name, f in fields.items():
        if name in items:
            raw = items[name]
        elif f.default is not dataclasses.MISSING:
            raw = f.default
        else:
            raw = f.default_factory()
        values[name] = _convert(f"{prefix}{name}", hints[name], raw, dict(f.metadata))
    obj = cls(**values)
    check = getattr(obj, "check", None)
    if check is not None:
        check(key)
    return obj


def to_dict(obj):
    """A section instance as nested plain dicts and lists."""
    return dataclasses.asdict(obj)


def defaults(cls):
    """The defaults of section ``cls`` as nested plain dicts (for Hydra's ConfigStore)."""
    return to_dict(cls())


def keys(cls, prefix=""):
    """The dotted keys of section ``cls`` (sections included), in declaration order."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        name = f"{prefix}{f.name}"
        out.append(name)
        if _is_section(hints[f.name]):
            out += keys(hints[f.name], name + ".")
    return out


def describe(cls, prefix="", instance=None, constraints=False):
    """Rows (dotted key, default as YAML, type, doc) for every leaf of section ``cls``;
    with ``constraints``, (key, default, type, what is allowed, doc)."""
    hints = typing.get_type_hints(cls)
    rows = []
    instance = cls() if instance is None else instance
    for f in dataclasses.fields(cls):
        name = f"{prefix}{f.name}"
        if _is_section(hints[f.name]):
            rows += describe(hints[f.name], name + ".", getattr(instance, f.name), constraints)
            continue
        meta = dict(f.metadata)
        doc = meta.get("doc", "")
        if meta.get("choices") and not constraints:
            doc += f" [{'|'.join(meta['choices'])}]"
        default = getattr(instance, f.name)
        text = yaml.safe_dump(default, default_flow_style=True).strip().removesuffix("...")
        row = (name, text.strip(), _type_name(hints[f.name]))
        rows.append(row + ((allowed(meta, hints[f.name]), doc) if constraints else (doc,)))
    return rows


def allowed(meta, tp):
    """What a field accepts, in words (the reference's "allowed" column)."""
    inner = tp
    while typing.get_origin(inner) in (typing.Union, list, typing.List):
        inner = [a for a in typing.get_args(inner) if a is not type(None)][0]
    parts = []
    if meta.get("choices"):
        parts.append("one of " + ", ".join(meta["choices"]))
    if inner in (int, float) and any(meta.get(k) is not None
                                     for k in ("minimum", "maximum", "above")):
        parts.append(_describe_bounds(meta, inner))
    if meta.get("path"):
        parts.append(f"an existing {'folder' if meta['path'] == 'dir' else 'file'}")
    text = "; ".join(parts) or "any " + _type_name(tp)
    return text + (", or null" if typing.get_origin(tp) is typing.Union
                   and "null" not in text else "")
