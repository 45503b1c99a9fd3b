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
compiled = ".glossary.compiled"    # the glossary compiled ahead (glossary-check compile)
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

[tool.glossary-check.typography]   # the house style; unset: each article's own majority
quotes = "curly"                   # curly | straight
punctuation = "inside"             # inside | outside | any (at a closing quotation mark)
dash = "em"                        # em | spaced-en
```

tomllib reports no positions for values, so an unknown key or a wrong type
is located by scanning the TOML text for the key inside its table (dotted
keys and inline tables included); where that finds nothing the table's
header line is given. Good enough to point an editor at the line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from glossary_check.commands.options import DEFAULT_FAIL_ON, FAIL_ON, Options, is_positive
from glossary_check.core.errors import GlossaryCheckError, display_path, hint
from glossary_check.core.findings import Severity
from glossary_check.core.inputs import DEFAULT_MAX_FILE_SIZE, InputRefused, parse_size, read_bounded
from glossary_check.report import FORMATS as REPORT_FORMATS

CONFIG_NAME = "glossary-check.toml"
TABLE = ("tool", "glossary-check")
SEVERITIES = tuple(s.label for s in sorted(Severity, reverse=True))

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


def _size_value(value: Any) -> int:
    """A size from a file (`"64M"` or a number) or a flag (already a number)."""
    return value if isinstance(value, int) else parse_size(value) or DEFAULT_MAX_FILE_SIZE


def _choice(options: Sequence[str]) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, str) and value in options:
            return None
        return f"must be one of {', '.join(options)}"

    return check


def _tuple(value: Any) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value or ())


def _severity_map(value: Any) -> Mapping[str, Severity]:
    return {rule: Severity.parse(level) for rule, level in (value or {}).items()}


def _same(value: Any) -> Any:
    return value


def _table(value: Any) -> str | None:
    return None if isinstance(value, dict) else "must be a table"


def _typography_value(value: Any) -> Any:
    """The `typography` table (checked by `_typography`) as the rule's house style."""
    from glossary_check.rules.typography import Typography

    if value is None or isinstance(value, Typography):
        return value
    return Typography(**value) if value else None


@dataclass(frozen=True, slots=True)
class Key:
    """A key of the configuration file: its check, default and the Options field it fills."""

    name: str  # as written in TOML
    field: str  # the Options field
    check: Check
    default: Any = None
    flag: str | None = None  # the argparse destination of the flag that sets it, if one does
    convert: Callable[[Any], Any] = _same  # file or flag value -> Options value

    def shown(self, value: Any) -> Any:
        """An Options value as the configuration file would write it."""
        if isinstance(value, tuple):
            return list(value)
        if isinstance(value, Mapping):
            return {k: v.label if isinstance(v, Severity) else v for k, v in value.items()}
        if self.name == "typography":
            return {f: getattr(value, f) for f in ("quotes", "punctuation", "dash")
                    if value is not None and getattr(value, f) is not None}
        return value


KEYS: dict[str, Key] = {k.name: k for k in (
    Key("glossary", "glossaries", _glossary, (), "glossary", _tuple),
    Key("compiled", "compiled", _string, None, "compiled"),
    Key("include", "include", _strings, (), "include", _tuple),
    Key("exclude", "exclude", _strings, (), "exclude", _tuple),
    Key("select", "select", _strings, None, "select", lambda v: None if v is None else _tuple(v)),
    Key("ignore", "ignore", _strings, (), "ignore", _tuple),
    Key("fail-on", "fail_on", _choice(FAIL_ON), DEFAULT_FAIL_ON, "fail_on"),
    Key("format", "format", _choice(REPORT_FORMATS), "text", "format"),
    Key("language", "language", _string, None, "language"),
    Key("translate", "translate", _bool, True, "translate"),
    Key("threads", "threads", _threads, None, "threads"),
    Key("max-file-size", "max_file_size", _size, DEFAULT_MAX_FILE_SIZE, "max_file_size",
        _size_value),
    Key("report-unused-ignores", "report_unused_ignores", _bool, False, "report_unused_ignores"),
    Key("severity", "severities", _table, {}, None, _severity_map),
    Key("typography", "typography", _table, None, None, _typography_value),
)}


class ConfigError(GlossaryCheckError):
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
    import tomllib  # only where there is a file to read

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


_DECODE_POS = re.compile(r"^(?P<msg>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)$")


def load_config(path: Path) -> Config:
    """Read and check one file; a ConfigError names file:line:column."""
    shown = display_path(path)
    text = _read(path, shown)
    data = _parse(text, shown)
    prefix = TABLE if path.name == "pyproject.toml" else ()
    table = _own_table(data, text, shown) if prefix else data
    if table is None:
        return Config(path)
    locate = _Locator(shown, text, prefix)
    values = {name: Setting(_value(name, value, locate, path),
                            f"{shown}:{locate.line((), name)}")
              for name, value in table.items()}
    return Config(path, values)


def _read(path: Path, shown: str) -> str:
    """The file's text (a BOM dropped); each way reading can fail is one line."""
    try:
        return read_bounded(path).decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{shown}: no such configuration file") from None
    except InputRefused as exc:
        raise ConfigError(f"{shown}: {exc.strerror}") from None
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{shown}: not valid UTF-8 (byte {exc.start})") from None


def _parse(text: str, shown: str) -> dict[str, Any]:
    """The TOML document; an error at the line and column tomllib gives in its message."""
    import tomllib  # only where there is a file to read

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _DECODE_POS.match(str(exc))
        if found:
            where = f"{shown}:{found['line']}:{found['col']}"
            raise ConfigError(f"{where}: bad TOML: {found['msg']}") from None
        raise ConfigError(f"{shown}: bad TOML: {exc}") from None


def _own_table(data: dict[str, Any], text: str, shown: str) -> dict[str, Any] | None:
    """A pyproject.toml's `[tool.glossary-check]`; None if it has none (or `tool` is no table,
    as `find_config` reads it)."""
    tool = data.get("tool")
    table = tool.get("glossary-check") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{shown}:{_locate(text, ('tool',), 'glossary-check')}: "
                          "tool.glossary-check must be a table")
    return table


def _value(name: str, value: Any, locate: _Locator, path: Path) -> Any:
    """One key's value checked, as Options takes it: glossaries relative to the file, sizes
    in bytes; rule names and house-style choices checked against what exists."""
    key = KEYS.get(name)
    if key is None:
        raise locate.error((), name, f"unknown key {name!r} ({hint(name, sorted(KEYS))})")
    problem = key.check(value)
    if problem is not None:
        raise locate.error((), name, f"{name} {problem}")
    if name == "severity":
        return _severities(value, locate)
    if name == "typography":
        _typography(value, locate)
    elif name in ("select", "ignore"):
        _rules(name, value, locate)
    elif name == "glossary":
        return [str(_relative(path, v)) for v in ([value] if isinstance(value, str) else value)]
    elif name == "compiled":
        return str(_inside(path, value, locate))
    elif name == "max-file-size" and isinstance(value, str):
        return parse_size(value)
    return value


def _inside(config: Path, name: str, locate: _Locator) -> Path:
    """A file the configuration lets the checker write: inside the configuration's own folder,
    so a repository's configuration (a pull request's) cannot aim a write anywhere else;
    `--compiled FILE` on the command line may name any place."""
    target = config.parent / name
    if not target.resolve().is_relative_to(config.parent.resolve()):
        raise locate.error((), "compiled", "compiled must name a file inside the configuration's "
                           "folder (a configuration may not write elsewhere; use --compiled FILE)")
    return target


def _relative(config: Path, name: str) -> Path:
    target = Path(name).expanduser()
    return target if target.is_absolute() else config.parent / target


def _severities(table: dict[str, Any], locate: _Locator) -> dict[str, str]:
    from glossary_check.rules import unknown_rule

    for rule, level in table.items():
        if problem := unknown_rule(rule):
            raise locate.error(("severity",), rule, problem)
        if level not in SEVERITIES:
            raise locate.error(("severity",), rule,
                               f"severity.{rule} must be one of {', '.join(SEVERITIES)}")
    return dict(table)


def _typography(table: dict[str, Any], locate: _Locator) -> None:
    from glossary_check.rules.typography import DASHES, PUNCTUATION, QUOTES

    choices = {"quotes": QUOTES, "punctuation": PUNCTUATION, "dash": DASHES}
    for key, value in table.items():
        if key not in choices:
            raise locate.error(("typography",), key, f"unknown key 'typography.{key}' "
                               f"(known: {', '.join(choices)})")
        if not isinstance(value, str) or value not in choices[key]:
            raise locate.error(("typography",), key,
                               f"typography.{key} must be one of {', '.join(choices[key])}")


def _rules(name: str, value: list[str], locate: _Locator) -> None:
    from glossary_check.rules import unknown_rule

    for rule in value:
        if problem := unknown_rule(rule, f"in {name}"):
            raise locate.error((), name, problem)


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


def describe(options: Options, glossary_origin: tuple[list[str], str] | None = None) -> str:
    """`glossary-check config`: the effective values as TOML, each with where it came from."""
    path = options.config_path
    head = f"# configuration file: {display_path(path) if path else 'none'}"
    rows: list[tuple[str, str]] = []
    for name in KEYS:
        value, origin = options.value(name), options.origins.get(name, "default")
        if name == "glossary" and glossary_origin is not None and origin == "default":
            value, origin = glossary_origin
        empty = value is None or (value == [] and name == "glossary")
        rows.append((f"# {name}: not set" if empty else f"{name} = {_toml(value)}", origin))
    width = max(len(r[0]) for r in rows) if rows else 0
    body = [f"{text:<{width}}  # {origin}" for text, origin in rows]
    return "\n".join([head, "[tool.glossary-check]", *body]) + "\n"
