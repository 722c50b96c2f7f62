"""Network configurations as key paths: parse JSON / TOML / YAML and flatten
nested mappings and lists to `optimizer.lr`, `layers[3].units`, so that a
sweep's differences are one row each. Text that parses as none of them (a
prototxt, a printed module, HOCON) is left to the line diff.

Also the one rule for comparing values: numbers compare as numbers
(`1e-3` equals `0.001`, `1` equals `1.0`), whether they arrive as numbers or
as text that reads as a number.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
import tomllib
from collections.abc import Hashable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import yaml

from .model import Config

__all__ = [
    "ParsedConfig",
    "compare_key",
    "flatten",
    "flatten_config",
    "format_leaf",
    "parse_config",
]

# A YAML document with aliases can expand exponentially; a config past this
# many leaves is shown as text rather than flattened.
MAX_LEAVES = 500_000
_MAX_DEPTH = 200

_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)\Z")
_INT_RE = re.compile(r"[+-]?\d+\Z")
_NONFINITE = {"nan": math.nan, "+nan": math.nan, "-nan": math.nan, "inf": math.inf,
              "+inf": math.inf, "-inf": -math.inf, "infinity": math.inf,
              "+infinity": math.inf, "-infinity": -math.inf}
_NAN_KEY = ("n", "nan")


def _number_key(value: int | float) -> tuple[str, Any]:
    if isinstance(value, float):
        if math.isnan(value):
            return _NAN_KEY
        if math.isfinite(value) and value.is_integer():
            # 1.0 and 1 are one number; int == float is exact in Python, so big
            # integers that a float cannot hold stay distinct
            return ("n", int(value))
    return ("n", value)


def text_number(text: str) -> int | float | None:
    """The number a text reads as, or None. Strict: no spaces, no `_`."""
    if len(text) > 400:  # int() refuses > 4300 digits; no real value is this long
        return None
    if _INT_RE.match(text):
        return int(text)
    if _NUMBER_RE.match(text):
        return float(text)
    return _NONFINITE.get(text.lower())


def compare_key(value: Any) -> Hashable:
    """What two values are compared by: equal keys = equal values.

    Numbers (and texts that read as numbers) compare by value; booleans are
    not numbers (`true` != `1`); everything else by its text."""
    if value is None:
        return ("z",)
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, (int, float)):
        return _number_key(value)
    if isinstance(value, str):
        number = text_number(value)
        if number is not None:
            return _number_key(number)
        return ("s", value)
    if isinstance(value, (list, tuple)) and not value:
        return ("e", "[]")
    if isinstance(value, dict) and not value:
        return ("e", "{}")
    return ("s", format_leaf(value))


_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_AMBIGUOUS_WORDS = {"true", "false", "null", "none", "~", "yes", "no", "on", "off"}


def format_leaf(value: Any) -> str:
    """A flattened value as shown in a cell. Strings are shown bare unless they
    would read as something else (a number, a boolean, null, blank, a
    multi-line text): those are quoted, so `"0.001"` and `0.001` look different."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        if (
            value == ""
            or value != value.strip()
            or value.lower() in _AMBIGUOUS_WORDS
            or text_number(value) is not None
            or _CONTROL_RE.search(value) is not None
        ):
            return json.dumps(value, ensure_ascii=False)
        return value
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)) and not value:
        return "[]"
    if isinstance(value, dict) and not value:
        return "{}"
    if isinstance(value, bytes):
        return repr(value)
    return str(value)


_PLAIN_KEY_RE = re.compile(r"[^.\[\]\"\s\x00-\x1f]+(?:[ ][^.\[\]\"\s\x00-\x1f]+)*\Z")


def _key_part(key: Any) -> str:
    text = key if isinstance(key, str) else format_leaf(key)
    if _PLAIN_KEY_RE.match(text):
        return text
    return "[" + json.dumps(text, ensure_ascii=False) + "]"


class _TooLarge(Exception):
    pass


def flatten(obj: Any) -> dict[str, Any]:
    """Nested mappings/lists to {key path: leaf}. Paths: `a.b`, `a[3].c`; a key
    holding `.`, `[`, `]`, `"` or edge spaces is quoted: `a["x.y"]`. Empty
    containers are leaves (`{}` / `[]`). Raises ValueError on a cycle (a YAML
    alias to itself), on nesting deeper than 200 or past MAX_LEAVES leaves."""
    out: dict[str, Any] = {}
    on_path: set[int] = set()
    parts: dict[tuple[type, Any], str] = {}  # key -> path part (keys repeat across list items)

    def walk(node: dict[Any, Any] | list[Any], path: str, depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise _TooLarge(f"nested deeper than {_MAX_DEPTH} levels at {path or 'the top'}")
        if id(node) in on_path:
            raise _TooLarge(f"{path or 'the top'} contains itself")
        on_path.add(id(node))
        if isinstance(node, dict):
            for key, child in node.items():
                cache_key = (type(key), key)
                part = parts.get(cache_key)
                if part is None:
                    part = parts[cache_key] = _key_part(key)
                if part[0] == "[" or not path:
                    child_path = path + part
                else:
                    child_path = f"{path}.{part}"
                if isinstance(child, (dict, list)) and child:
                    walk(child, child_path, depth + 1)
                else:
                    out[child_path] = child
        else:
            for index, child in enumerate(node):
                child_path = f"{path}[{index}]"
                if isinstance(child, (dict, list)) and child:
                    walk(child, child_path, depth + 1)
                else:
                    out[child_path] = child
        on_path.discard(id(node))
        if len(out) > MAX_LEAVES:
            raise _TooLarge(f"more than {MAX_LEAVES} values")

    try:
        if isinstance(obj, (dict, list)) and obj:
            walk(obj, "", 0)
        else:
            out[""] = obj
    except _TooLarge as exc:
        raise ValueError(str(exc)) from None
    return out


# -- parsing -------------------------------------------------------------------

_YamlBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _YamlLoader(_YamlBase):
    """Safe loader that also reads `1e-3` as a float (YAML 1.2; PyYAML's 1.1
    rules need a dot and would keep it a string)."""


_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
            |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
            |[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?
            |[-+]?\.(?:inf|Inf|INF)
            |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


def _parse_json(text: str) -> Any:
    return json.loads(text)


def _parse_toml(text: str) -> Any:
    return tomllib.loads(text)


def _parse_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_YamlLoader)  # noqa: S506 - a safe loader


_PARSERS = {"json": _parse_json, "toml": _parse_toml, "yaml": _parse_yaml}
_ORDER = ("json", "toml", "yaml")


@dataclass(frozen=True)
class ParsedConfig:
    """One model's configuration, ready to diff.

    `flat` is None when the text is not structured (then diff `lines`);
    `parsed_as` names the parser that read it; `problem` says why a config
    declared json/yaml did not parse (shown as a note)."""

    text: str
    flat: dict[str, Any] | None
    parsed_as: str | None
    problem: str = ""
    declared: str = "text"
    # per key path: the leaf as shown (format_leaf) and as compared (compare_key)
    shown: dict[str, str] | None = None
    keyed: dict[str, Hashable] | None = None

    @cached_property
    def lines(self) -> tuple[str, ...]:
        """The text's lines (for the line diff; split on first use)."""
        return _split_lines(self.text)


def _split_lines(text: str) -> tuple[str, ...]:
    # str.splitlines also splits on \x0c, \x1c, \u2028 ...; a config's lines are \n-separated
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if "\r" in text:
        return tuple(line[:-1] if line.endswith("\r") else line for line in lines)
    return tuple(lines)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _present(flat: dict[str, Any]) -> tuple[dict[str, str], dict[str, Hashable]]:
    """format_leaf and compare_key of every leaf, each distinct leaf once
    (a sweep's configs repeat the same few values thousands of times)."""
    memo: dict[tuple[type, Any], tuple[str, Hashable]] = {}
    shown: dict[str, str] = {}
    keyed: dict[str, Hashable] = {}
    for path, value in flat.items():
        try:
            memo_key: tuple[type, Any] | None = (type(value), value)
            done = memo.get(memo_key)  # type: ignore[arg-type]
        except TypeError:  # an unhashable leaf ({} / [])
            memo_key, done = None, None
        if done is None:
            done = (format_leaf(value), compare_key(value))
            if memo_key is not None:
                memo[memo_key] = done
        shown[path], keyed[path] = done
    return shown, keyed


@lru_cache(maxsize=256)
def _parse_cached(fmt: str, text: str) -> ParsedConfig:
    declared = fmt if fmt in ("json", "yaml", "toml") else "text"
    # a declared format is trusted: malformed JSON is not guessed at as YAML
    # (YAML would read `{"y": }` as y = null); only `text` tries every parser
    order = (declared,) if declared != "text" else _ORDER
    problem = ""
    for name in order:
        try:
            value = _PARSERS[name](text)
        except (ValueError, yaml.YAMLError, RecursionError) as exc:
            # tomllib.TOMLDecodeError and json.JSONDecodeError are ValueErrors
            if name == declared:
                problem = f"does not parse as {declared}: {_first_line(exc)}"
            continue
        if not isinstance(value, (dict, list)) or not value:
            # YAML reads any plain text as one string: that is text, not a config
            if name == declared and not problem:
                problem = f"{declared} holds a single {type(value).__name__}, not a mapping or list"
            continue
        try:
            flat = flatten(value)
        except ValueError as exc:
            problem = f"cannot flatten: {exc}"
            break
        shown, keyed = _present(flat)
        return ParsedConfig(text, flat, name, "", declared, shown, keyed)
    return ParsedConfig(text, None, None, problem, declared)


def parse_config(config: Config | None) -> ParsedConfig | None:
    """None when the model has no configuration (or only whitespace)."""
    if config is None or not config.text.strip():
        return None
    return _parse_cached(config.format, config.text)


def flatten_config(config: Config | str | None) -> dict[str, Any] | None:
    """Key path -> leaf value, or None when the configuration is absent or is
    plain text (does not parse as JSON, TOML or YAML to a mapping or list).
    A bare string is read as a `text` config (every parser is tried)."""
    if isinstance(config, str):
        config = Config("text", config)
    parsed = parse_config(config)
    if parsed is None or parsed.flat is None:
        return None
    return dict(parsed.flat)  # a copy: the parsed form is cached and shared
