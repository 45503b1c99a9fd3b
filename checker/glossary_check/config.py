"""Project configuration: `[tool.glossary-check]` in pyproject.toml, or glossary-check.toml.

The file is found upwards from the working directory (in each folder
glossary-check.toml first, then a pyproject.toml that has the table) unless
`--config FILE` names one (read from `[tool.glossary-check]` if it is called
pyproject.toml, else from the top level) or `--no-config` turns them off. Command-line flags
override the file; the file overrides the defaults. `glossary-check config`
prints the effective values and where each came from.

```toml
[tool.glossary-check]              # in glossary-check.toml: the same keys at the top level
glossary = "glossary/desk.yaml"    # or a list of files, merged; relative to this file
include = ["*.md", "*.html"]
exclude = ["drafts/*"]
select = ["variant", "case"]       # or ignore = [...]
fail-on = "warning"
format = "text"
language = "en"
translate = false
threads = 2
max-file-size = "16M"              # the largest input read (bytes, or K/M/G)
report-unused-ignores = true

[tool.glossary-check.severity]
inconsistent = "error"
```

tomllib reports no positions for values, so an unknown key or a wrong type
is located by scanning the TOML text for the key inside its table (dotted
keys and inline tables included); where that finds nothing the table's
header line is given. Good enough to point an editor at the line.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glossary_check.files import InputRefused, parse_size, read_bounded
from glossary_check.options import is_positive

if TYPE_CHECKING:
    from glossary_check.glossary import Glossary

CONFIG_NAME = "glossary-check.toml"
TABLE = ("tool", "glossary-check")
SEVERITIES = ("error", "warning", "info")
FAIL_ON = ("error", "warning", "info", "never")
REPORT_FORMATS = ("text", "json", "sarif", "github", "rdjsonl", "html")

Check = Callable[[Any], str | None]  # a value -> None if fine, else what is wrong


def _strings(value: Any) -> str | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return None
    return "must be a list of strings"


def _string(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be a non-empty string"


def _glossary(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return None
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return None
    return "must be a file name or a non-empty list of file names"


def _bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _threads(value: Any) -> str | None:
    return None if is_positive(value) else "must be a whole number of at least 1"


def _size(value: Any) -> str | None:
    if is_positive(value) or (isinstance(value, str) and parse_size(value) is not None):
        return None
    return "must be a size in bytes, or a string such as \"512K\" or \"64M\""


def _choice(options: Sequence[str]) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, str) and value in options:
            return None
        return f"must be one of {', '.join(options)}"

    return check


@dataclass(frozen=True, slots=True)
class Key:
    name: str  # as written in TOML
    dest: str  # the argparse destination it fills
    check: Check
    inverted: bool = False  # a `--no-...` flag: the file says true, the flag says off


KEYS: dict[str, Key] = {k.name: k for k in (
    Key("glossary", "glossary", _glossary),
    Key("include", "include", _strings),
    Key("exclude", "exclude", _strings),
    Key("select", "select", _strings),
    Key("ignore", "ignore", _strings),
    Key("fail-on", "fail_on", _choice(FAIL_ON)),
    Key("format", "format", _choice(REPORT_FORMATS)),
    Key("language", "language", _string),
    Key("translate", "no_translate", _bool, inverted=True),
    Key("threads", "threads", _threads),
    Key("max-file-size", "max_file_size", _size),
    Key("report-unused-ignores", "report_unused_ignores", _bool),
    Key("severity", "severities", lambda v: None if isinstance(v, dict) else "must be a table"),
)}


class ConfigError(Exception):
    """A bad configuration file; str() is `file:line:col: message`."""


@dataclass(frozen=True, slots=True)
class Setting:
    value: Any
    origin: str  # "default", "FILE:LINE" or "command line"


@dataclass(slots=True)
class Config:
    """Values read from one configuration file, each with the line it came from."""

    path: Path | None = None
    values: dict[str, Setting] = field(default_factory=dict)


# --- finding and reading ----------------------------------------------------------------------


def _has_table(path: Path) -> bool:
    try:
        text = read_bounded(path).decode("utf-8", errors="replace")
    except OSError:
        return True  # then load_config says what is wrong with it
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return "[tool.glossary-check" in text
    return isinstance(data.get("tool"), dict) and "glossary-check" in data["tool"]


def find_config(start: Path) -> Path | None:
    """The nearest glossary-check.toml, or pyproject.toml with the table, from `start` upwards."""
    for folder in (start, *start.parents):
        own = folder / CONFIG_NAME
        if own.is_file():
            return own
        project = folder / "pyproject.toml"
        if project.is_file() and _has_table(project):
            return project
    return None


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except (ValueError, OSError, RuntimeError):  # elsewhere, or a loop of symbolic links
        return str(path)


_DECODE_POS = re.compile(r"^(?P<msg>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)$")


def load_config(path: Path) -> Config:
    """Read and check one file; a ConfigError names file:line:column."""
    shown = _shown(path)
    try:
        text = read_bounded(path).decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{shown}: no such configuration file") from None
    except InputRefused as exc:
        raise ConfigError(f"{shown}: {exc.strerror}") from None
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{shown}: not valid UTF-8 (byte {exc.start})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _DECODE_POS.match(str(exc))
        if found:
            where = f"{shown}:{found['line']}:{found['col']}"
            raise ConfigError(f"{where}: bad TOML: {found['msg']}") from None
        raise ConfigError(f"{shown}: bad TOML: {exc}") from None
    table: Any = data
    prefix: tuple[str, ...] = ()
    if path.name == "pyproject.toml":
        prefix = TABLE
        table = data.get("tool", {}).get("glossary-check")
        if table is None:
            return Config(path)
        if not isinstance(table, dict):
            raise ConfigError(f"{shown}:{_locate(text, ('tool',), 'glossary-check')}: "
                              "tool.glossary-check must be a table")
    locate = _Locator(shown, text, prefix)
    values: dict[str, Setting] = {}
    for name, value in table.items():
        key = KEYS.get(name)
        if key is None:
            raise locate.error((), name, f"unknown key {name!r} (known: {', '.join(sorted(KEYS))})")
        problem = key.check(value)
        if problem is not None:
            raise locate.error((), name, f"{name} {problem}")
        if name == "severity":
            value = _severities(value, locate)
        elif name in ("select", "ignore"):
            _rules(name, value, locate)
        elif name == "glossary":
            names = [value] if isinstance(value, str) else value
            value = [str(_relative(path, v)) for v in names]
        elif name == "max-file-size" and isinstance(value, str):
            value = parse_size(value)
        values[name] = Setting(value, f"{shown}:{locate.line((), name)}")
    return Config(path, values)


def _relative(config: Path, name: str) -> Path:
    target = Path(name).expanduser()
    return target if target.is_absolute() else config.parent / target


def _severities(table: dict[str, Any], locate: _Locator) -> dict[str, str]:
    from glossary_check.rules import registry
    from glossary_check.suppress import UNUSED_RULE

    known = [*registry(), UNUSED_RULE]
    for rule, level in table.items():
        if rule not in known:
            raise locate.error(("severity",), rule,
                               f"unknown rule {rule!r} (known: {', '.join(known)})")
        if level not in SEVERITIES:
            raise locate.error(("severity",), rule,
                               f"severity.{rule} must be one of {', '.join(SEVERITIES)}")
    return dict(table)


def _rules(name: str, value: list[str], locate: _Locator) -> None:
    from glossary_check.rules import registry

    known = registry()
    bad = [rule for rule in value if rule not in known]
    if bad:
        raise locate.error((), name,
                           f"unknown rule {bad[0]!r} in {name} (known: {', '.join(known)})")


class _Locator:
    """Line (and column) of a key inside a table of a TOML text, found by scanning."""

    def __init__(self, shown: str, text: str, prefix: tuple[str, ...]) -> None:
        self.shown, self.text, self.prefix = shown, text, prefix

    def line(self, table: tuple[str, ...], key: str) -> int:
        return int(_locate(self.text, (*self.prefix, *table), key).split(":")[0])

    def error(self, table: tuple[str, ...], key: str, message: str) -> ConfigError:
        where = _locate(self.text, (*self.prefix, *table), key)
        return ConfigError(f"{self.shown}:{where}: {message}")


_HEADER = re.compile(r"^\s*\[\[?\s*(?P<name>[^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_BARE = r"[A-Za-z0-9_-]+"


def _split_key(text: str) -> tuple[str, ...]:
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|(' + _BARE + ")", text)
    return tuple(a or b or c for a, b, c in parts)


def _locate(text: str, table: tuple[str, ...], key: str) -> str:
    """`line:column` of `key` in `table` (dotted keys and inline tables too); else the header's."""
    current: tuple[str, ...] = ()
    header_at: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            current = _split_key(header["name"])
            if current == (*table, key):
                return f"{number}:{line.index('[') + 1}"
            if current == table:
                header_at = f"{number}:{line.index('[') + 1}"
            continue
        assign = re.match(r"^(\s*)(?P<key>[^=#]+?)\s*=", line)
        if not assign:
            continue
        path = (*current, *_split_key(assign["key"]))
        column = len(assign.group(1)) + 1
        if path == (*table, key):
            return f"{number}:{column}"
        if len(path) < len(table) + 1 and (*table, key)[: len(path)] == path:
            # an inline table: `severity = { inconsistent = "error" }`
            inner = re.search(r"(?:\{|,)\s*(?P<k>[\"']?" + re.escape(key) + r"[\"']?)\s*=", line)
            if inner:
                return f"{number}:{inner.start('k') + 1}"
            return f"{number}:{column}"
    return header_at or "1:1"


# --- merging with the command line -------------------------------------------------------------


_UNSET = object()


def given_on_command_line(parser: argparse.ArgumentParser, argv: Sequence[str]) -> set[str]:
    """Destinations the user set on the command line (argparse fills the rest with defaults)."""
    dests = {a.dest for a in parser._actions if a.dest != argparse.SUPPRESS}
    probe = argparse.Namespace(**{d: _UNSET for d in dests})
    parser.parse_args(argv, probe)
    return {d for d in dests if getattr(probe, d) is not _UNSET}


@dataclass(slots=True)
class Effective:
    """What the run uses: the configuration file (if any) and every key with its origin."""

    path: Path | None
    settings: dict[str, Setting]


def resolve(
    args: argparse.Namespace, parser: argparse.ArgumentParser, argv: Sequence[str],
) -> Effective:
    """Fill `args` from the configuration file where the command line left a key unset.

    Adds `args.severities` (rule -> level name). Raises ConfigError for a bad file.
    """
    given = given_on_command_line(parser, argv)
    path: Path | None = None
    if getattr(args, "config", None):
        path = Path(args.config)
    elif not getattr(args, "no_config", False):
        path = find_config(Path.cwd())
    config = load_config(path) if path is not None else Config()
    settings: dict[str, Setting] = {}
    for name, key in KEYS.items():
        from_file = config.values.get(name)
        if key.dest in given:
            value = getattr(args, key.dest)
            if name == "glossary":
                value = [value]
            settings[name] = Setting(not value if key.inverted else value, "command line")
        elif from_file is not None:
            settings[name] = from_file
            if name == "glossary":
                args.glossaries = list(from_file.value)
                args.glossary = from_file.value[0]
            else:
                setattr(args, key.dest, not from_file.value if key.inverted else from_file.value)
        else:
            default = parser.get_default(key.dest) if key.dest in _dests(parser) else None
            if name == "severity":
                default = {}
            if key.inverted and default is None:
                default = False
            if not hasattr(args, key.dest):
                setattr(args, key.dest, default)
            settings[name] = Setting(not default if key.inverted else default, "default")
    if not hasattr(args, "glossaries") or args.glossaries is None:
        args.glossaries = [args.glossary] if args.glossary else None
    if args.severities is None:
        args.severities = {}
    return Effective(path, settings)


def _dests(parser: argparse.ArgumentParser) -> set[str]:
    return {a.dest for a in parser._actions}


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    return '""' if value is None else _toml(str(value))


def describe(effective: Effective, glossary_origin: tuple[list[str], str] | None = None) -> str:
    """`glossary-check config`: the effective values as TOML, each with where it came from."""
    head = f"# configuration file: {_shown(effective.path) if effective.path else 'none'}"
    rows: list[tuple[str, str]] = []
    for name, setting in effective.settings.items():
        value, origin = setting.value, setting.origin
        if name == "glossary" and glossary_origin is not None and origin == "default":
            value, origin = glossary_origin
        rows.append((f"# {name}: not set" if value is None else f"{name} = {_toml(value)}", origin))
    width = max(len(r[0]) for r in rows) if rows else 0
    body = [f"{text:<{width}}  # {origin}" for text, origin in rows]
    return "\n".join([head, "[tool.glossary-check]", *body]) + "\n"


def load_glossaries(paths: Sequence[str | Path]) -> Glossary:
    """One glossary, or several merged as if one file included the others (same conflict rules)."""
    from glossary_check.glossary import Glossary, _resolve_conflicts, load_glossary

    if len(paths) == 1:
        return load_glossary(paths[0])
    loaded = [load_glossary(p) for p in paths]
    entries = _resolve_conflicts([(entry, 0) for g in loaded for entry in g.entries])
    digest = hashlib.sha256("\0".join(g.digest for g in loaded).encode()).hexdigest()
    transliteration: dict[str, str] = {}
    for g in loaded:
        for lang, system in g.transliteration.items():
            transliteration.setdefault(lang, system)
    return Glossary(
        entries=tuple(entries), path=" + ".join(g.path for g in loaded),
        files=tuple(f for g in loaded for f in g.files), digest=digest,
        language=loaded[0].language, transliteration=transliteration,
    )
