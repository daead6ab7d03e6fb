"""A codec for memoised values that cannot run code when it reads them.

``cache.py`` keeps each stage's results on disk. Pickle would turn a cache
file that was copied, shared or tampered with into code run by the next build,
so results are stored as JSON instead, with every Python type JSON lacks
tagged explicitly, so that ``decode(encode(x)) == x`` with the same types all
the way down:

==========================  =================================================
``None``, bool, int, float  JSON ``null``, ``true``/``false``, numbers
  str                       JSON strings (lone surrogates kept)
  list                      JSON arrays
  tuple                     ``{"t": [items]}``
  dict                      ``{"d": [key, value, key, value, …]}`` (any keys)
  set / frozenset           ``{"s": [items]}`` / ``{"f": [items]}``
  bytes                     ``{"b": "base64"}``
  a known dataclass         ``{"@model.Article": [field values in order]}``
==========================  =================================================

Only the dataclasses named in ``_DATACLASSES`` (every dataclass of
``generator.model`` and the few other types the memos hold) can be made; their
fields are found with ``dataclasses.fields``, so a field added to one needs no
change here. Reading checks each value against the field's annotation; an
unknown tag, a JSON object of any other form, a wrong number of fields or a
field of the wrong type raises ``Corrupt``, and so does anything else that
goes wrong while decoding: whatever a file holds, ``decode`` returns a value
the pipeline could have computed or raises ``Corrupt``.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import importlib
import json
import types
import typing
from collections.abc import Callable
from operator import attrgetter, contains
from typing import Any

# module (below ``generator``) → its memoised dataclasses; "*" = every dataclass in it
_DATACLASSES: dict[str, tuple[str, ...]] = {
    "model": ("*",),
    "pages": ("FileResult",),
    "enrich.people": ("Claim",),
    "enrich.dates": ("_Analysis", "_Found", "_YearMention"),
}


class Corrupt(ValueError):
    """A stored value that is not one this codec writes."""


@dataclasses.dataclass(frozen=True)
class _Kind:
    """How one whitelisted dataclass is written and read back."""

    cls: type
    tag: str
    names: tuple[str, ...]
    get: Callable[[Any], Any]  # the field values, in order
    checks: tuple[Check, ...]  # per field, from its annotation
    slots: bool
    tops: tuple[Types, ...]  # checks[i].top, for checking all fields at once
    deep: tuple[tuple[int, Callable[[Any], bool]], ...]  # (field, its checks[i].deep)


_by_class: dict[type, _Kind] = {}
_by_tag: dict[str, _Kind] = {}


def _kinds() -> dict[type, _Kind]:
    """The whitelist, built on first use (the modules import ``cache``)."""
    if _by_class:
        return _by_class
    found: list[tuple[str, type]] = []
    for short, names in _DATACLASSES.items():
        module = importlib.import_module(f"generator.{short}")
        if names == ("*",):
            names = tuple(
                n
                for n, v in vars(module).items()
                if isinstance(v, type)
                and dataclasses.is_dataclass(v)
                and v.__module__ == module.__name__
            )
        # a class renamed or gone is left out: storing one raises TypeError in ``encode``
        found += [(f"@{short}.{n}", vars(module)[n]) for n in names if n in vars(module)]
    kinds = []
    for tag, cls in found:
        names = tuple(f.name for f in dataclasses.fields(cls))
        get = _getter(names)
        checks = _field_checks(cls, names)
        tops = tuple(c.top for c in checks)
        deep = tuple((i, c.deep) for i, c in enumerate(checks) if c.deep is not None)
        slots = "__slots__" in vars(cls)
        kinds.append(_Kind(cls, tag, names, get, checks, slots, tops, deep))
    _by_tag.update((k.tag, k) for k in kinds)
    _by_class.update((k.cls, k) for k in kinds)  # last: it says the whitelist is ready
    return _by_class


def _hook(obj: dict) -> Any:  # defined below; named here for _DECODER
    return _decode_object(obj)


_DECODER = json.JSONDecoder(object_hook=_hook)
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple]:
    """A function giving an object's ``names`` attributes as a tuple."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda v: (one(v),)
    return lambda v: ()


def tags() -> list[str]:
    """The tags of every dataclass the codec reads and writes."""
    return sorted(k.tag for k in _kinds().values())


# --- encoding ------------------------------------------------------------------


def encode(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON on one line (no ``\\n`` byte in it).

    Raises ``TypeError`` for a type the codec does not know (a class missing
    from ``_DATACLASSES``, or a subclass of a built-in type).
    """
    _kinds()
    return _ENCODER.encode(_enc(value)).encode("utf-8", "surrogatepass")


def _enc(v: Any) -> Any:
    t = type(v)
    if t is str or t is int or t is float or t is bool or v is None:
        return v
    if t is list:
        return [_enc(x) for x in v]
    kind = _by_class.get(t)
    if kind is not None:
        return {kind.tag: [_enc(x) for x in kind.get(v)]}
    if t is tuple:
        return {"t": [_enc(x) for x in v]}
    if t is dict:
        return {"d": [_enc(x) for item in v.items() for x in item]}
    if t is set or t is frozenset:
        return {"s" if t is set else "f": [_enc(x) for x in v]}
    if t is bytes:
        return {"b": base64.b64encode(v).decode("ascii")}
    raise TypeError(
        f"cannot store a {t.__module__}.{t.__qualname__} in the build cache"
        " (add the dataclass to serial._DATACLASSES, or store plain data)"
    )


# --- decoding ------------------------------------------------------------------


def decode(data: bytes | memoryview) -> Any:
    """The value ``encode`` wrote as ``data``; ``Corrupt`` for anything else."""
    _kinds()
    try:
        text = str(data, "utf-8", "surrogatepass")
        value, end = _DECODER.raw_decode(text)
    except Corrupt:
        raise
    except (ValueError, TypeError, RecursionError, MemoryError) as exc:  # undecodable
        raise Corrupt(f"{type(exc).__name__}: {str(exc)[:200]}") from None
    if end != len(text):
        raise Corrupt(f"extra data after the value, at {end}")
    return value


def _decode_object(obj: dict) -> Any:
    """One decoded JSON object → the value it tags (its contents are decoded already)."""
    if len(obj) != 1:
        raise Corrupt(f"an object with {len(obj)} keys")
    ((tag, body),) = obj.items()
    if tag[:1] == "@":
        kind = _by_tag.get(tag)
        if kind is None:
            raise Corrupt(f"unknown type {tag[:80]!r}")
        return _make(kind, body)
    if tag == "b":
        if type(body) is not str:
            raise Corrupt("bytes not a string")
        try:
            return base64.b64decode(body, validate=True)
        except binascii.Error as exc:
            raise Corrupt(f"bytes: {exc}") from None
    if type(body) is not list:
        raise Corrupt(f"{tag[:80]!r} not followed by a list")
    if tag == "t":
        return tuple(body)
    if tag == "d":
        d = dict(zip(body[::2], body[1::2], strict=True))
        if 2 * len(d) != len(body):
            raise Corrupt("a dict with a repeated key")
        return d
    if tag == "s" or tag == "f":
        s = set(body) if tag == "s" else frozenset(body)
        if len(s) != len(body):
            raise Corrupt("a set with a repeated item")
        return s
    raise Corrupt(f"unknown tag {tag[:80]!r}")


def _make(kind: _Kind, body: Any) -> Any:
    """An instance of ``kind`` with the field values ``body``, made as pickle
    makes it (no ``__init__``), after checking each value's type."""
    if type(body) is not list or len(body) != len(kind.names):
        raise Corrupt(f"{kind.tag} with the wrong fields")
    if not all(map(contains, kind.tops, map(type, body))) or not all(
        deep(body[i]) for i, deep in kind.deep
    ):
        name, value = next(
            ((n, v) for n, c, v in zip(kind.names, kind.checks, body, strict=True) if not c(v)),
            ("?", None),
        )
        raise Corrupt(f"{kind.tag}.{name}: a {type(value).__name__} is not a valid value")
    obj = object.__new__(kind.cls)
    if kind.slots:
        for name, value in zip(kind.names, body, strict=True):
            object.__setattr__(obj, name, value)
    else:
        obj.__dict__.update(zip(kind.names, body, strict=True))
    return obj


# --- field checks from annotations ----------------------------------------------
#
# A field's annotation becomes a ``Check``: ``top``, the set of exact types its
# value may have (checked for all fields at once, in C), and ``deep``, a
# predicate for what ``top`` cannot say (the items of a list, …), or None.


class _Anything:
    """The ``top`` of a field whose annotation allows any value."""

    def __contains__(self, _item: object) -> bool:
        return True


_ANY = _Anything()
Types = frozenset[type] | _Anything


@dataclasses.dataclass(frozen=True)
class Check:
    """What a value of one annotated type may be."""

    top: Types
    deep: Callable[[Any], bool] | None = None

    def __call__(self, value: Any) -> bool:
        return type(value) in self.top and (self.deep is None or self.deep(value))


_FREE = Check(_ANY)


def _field_checks(cls: type, names: tuple[str, ...]) -> tuple[Check, ...]:
    """A check per field from its annotation (anything goes where it cannot be read)."""
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # noqa: BLE001 - an annotation we cannot resolve: no checks
        return (_FREE,) * len(names)
    return tuple(_check(hints.get(n, Any)) for n in names)


def _check(hint: Any) -> Check:
    """The check for values of type ``hint``: lenient where Python is (an int
    is a float, a bool an int), and free for what it cannot read."""
    if hint is Any:
        return _FREE
    if hint is None or hint is type(None):
        return Check(frozenset({type(None)}))
    if hint is float:
        return Check(frozenset({float, int, bool}))
    if hint is int:
        return Check(frozenset({int, bool}))
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Union or origin is types.UnionType:
        return _union([_check(a) for a in args])
    if origin in (list, set, frozenset) or (origin is tuple and args[1:] == (Ellipsis,)):
        return Check(frozenset({origin}), _items(_check(args[0])) if args else None)
    if origin is tuple:
        return Check(frozenset({tuple}), _fixed([_check(a) for a in args]))
    if origin is dict:
        keys, values = (_check(args[0]), _check(args[1])) if args else (_FREE, _FREE)
        return Check(frozenset({dict}), _mapping(keys, values))
    if origin is None and isinstance(hint, type) and hint is not object:
        return Check(frozenset({hint}))
    return _FREE  # Any, Literal, Callable, a TypeVar, …


def _union(parts: list[Check]) -> Check:
    if any(p.top is _ANY for p in parts):
        return _FREE
    top = frozenset().union(*(p.top for p in parts))  # type: ignore[arg-type]
    if all(p.deep is None for p in parts):
        return Check(top)
    return Check(top, lambda v: any(p(v) for p in parts))


def _items(item: Check) -> Callable[[Any], bool] | None:
    if item.top is _ANY:
        return None
    top = item.top
    if item.deep is None:
        return lambda v: top.issuperset(map(type, v))  # type: ignore[union-attr]
    return lambda v: all(map(item, v))


def _fixed(items: list[Check]) -> Callable[[Any], bool]:
    return lambda v: len(v) == len(items) and all(c(x) for c, x in zip(items, v, strict=True))


def _mapping(keys: Check, values: Check) -> Callable[[Any], bool] | None:
    check_keys, check_values = _items(keys), _items(values)
    if check_keys is None and check_values is None:
        return None
    return lambda v: (
        (check_keys is None or check_keys(v.keys()))
        and (check_values is None or check_values(v.values()))
    )
