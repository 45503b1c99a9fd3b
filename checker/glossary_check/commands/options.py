"""One run's options: defaults, then the configuration file, then the command line.

Commands declare the flags a configuration file may also set with
`default=argparse.SUPPRESS`, so the namespace holds exactly what the user
typed; `resolve` lays that over the file over the defaults (`config.KEYS`)
and returns a frozen `Options` that remembers where each value came from.
Every command (check, archive, test, audit) reads the same object.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glossary_check.core.errors import UsageError
from glossary_check.core.findings import Severity
from glossary_check.core.inputs import DEFAULT_MAX_FILE_SIZE

if TYPE_CHECKING:
    from glossary_check.rules.pipeline import Settings
    from glossary_check.rules.typography import Typography

SUPPRESS = argparse.SUPPRESS
FAIL_ON = ("error", "warning", "info", "never")
#: What `--fail-on` and `fail-on` default to.
DEFAULT_FAIL_ON = "error"


def csv_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def is_positive(value: object) -> bool:
    """A whole number >= 1: the one test for counts, on the command line and in a config file."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def positive(text: str) -> int:
    """A whole number >= 1 (processes, workers, threads, batch sizes)."""
    try:
        value: object = int(text)
    except ValueError:
        value = None
    if not is_positive(value):
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return int(text)


def number_between(low: float, high: float, what: str) -> Callable[[str], float]:
    """An argparse type: a number from `low` to `high` (NaN and infinities refused)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value

    return parse


def file_size(text: str) -> int:
    """A size in bytes, or with K, M or G (powers of 1024): `--max-file-size 64M`."""
    from glossary_check.core.inputs import parse_size

    value = parse_size(text)
    if value is None:
        raise argparse.ArgumentTypeError(
            f"expected a size such as 16777216, 512K or 64M, got {text!r}")
    return value


def add_rule_selection(parser: argparse.ArgumentParser) -> None:
    """Which rules run."""
    parser.add_argument("--select", type=csv_list, metavar="RULES", default=SUPPRESS,
                        help="only these rules (comma-separated)")
    parser.add_argument("--ignore", type=csv_list, metavar="RULES", default=SUPPRESS,
                        help="skip these rules")


def add_selection(parser: argparse.ArgumentParser) -> None:
    """Which rules run, what fails the run, and which files a directory walk takes."""
    add_rule_selection(parser)
    parser.add_argument("--fail-on", choices=FAIL_ON, default=SUPPRESS,
                        help="lowest severity that makes the exit status 1 "
                        f"(default: {DEFAULT_FAIL_ON})")
    parser.add_argument("--include", type=csv_list, metavar="GLOBS", default=SUPPRESS,
                        help="file globs picked up in directories "
                        "(default: *.txt,*.md,*.html,...)")
    parser.add_argument("--exclude", type=csv_list, metavar="GLOBS", default=SUPPRESS,
                        help="file globs to skip")


def add_glossary(parser: argparse.ArgumentParser) -> None:
    """`-g FILE`: the one way every command is told its glossary (the `glossary` key)."""
    parser.add_argument("-g", "--glossary", metavar="FILE", default=SUPPRESS,
                        help="glossary YAML (default: the nearest glossary-check.yaml or "
                        "glossary.yaml upwards from here, else the bundled newsroom glossary)")


def add_compiled(parser: argparse.ArgumentParser) -> None:
    """`--compiled FILE`: the glossary compiled ahead (`glossary-check compile`), a build
    artefact a CI job caches or a desk publishes beside its glossary (the `compiled` key)."""
    parser.add_argument("--compiled", metavar="FILE", default=SUPPRESS,
                        help="read the glossary compiled into FILE by 'glossary-check compile'; "
                        "if FILE is missing, stale, or another version's or glossary's, the "
                        "glossary is compiled afresh and FILE rewritten (a notice says so)")


def add_configuration(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument("--config", metavar="FILE",
                        help="configuration file (default: the nearest glossary-check.toml or "
                        "pyproject.toml with [tool.glossary-check], upwards from here)")
    parser.add_argument("--no-config", action="store_true", help="read no configuration file")


@dataclass(frozen=True, slots=True)
class Options:
    """Everything a command was told. Fields a configuration file can set come first."""

    glossaries: tuple[str, ...] = ()  # empty: the nearest glossary-check.yaml, else bundled
    compiled: str | None = None  # the glossaries compiled ahead into this file
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    fail_on: str = DEFAULT_FAIL_ON
    format: str = "text"
    language: str | None = None
    translate: bool = True
    threads: int | None = None
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    report_unused_ignores: bool = False
    severities: Mapping[str, Severity] = field(default_factory=dict)
    typography: Typography | None = None  # the house style; None: each article's majority
    # the command line only
    paths: tuple[str, ...] = ()
    output: str | None = None
    quiet: bool = False
    use_cache: bool = True
    jobs: int | None = None
    stdin_filename: str | None = None
    color: str = "auto"
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    changed_lines: str | None = None
    source: str | None = None
    source_language: str | None = None
    # where the configurable values came from: key -> "default", "FILE:LINE" or "command line"
    origins: Mapping[str, str] = field(default_factory=dict)
    config_path: Path | None = None

    def settings(self) -> Settings:
        from glossary_check.rules.pipeline import Settings
        from glossary_check.rules.typography import Typography

        return Settings(select=None if self.select is None else frozenset(self.select),
                        ignore=frozenset(self.ignore), severities=dict(self.severities),
                        report_unused_ignores=self.report_unused_ignores,
                        typography=self.typography or Typography())

    def failing(self, severity: Severity) -> bool:
        """Whether a finding of this severity makes the exit status 1."""
        return self.fail_on != "never" and severity >= Severity.parse(self.fail_on)

    def value(self, key: str) -> Any:
        """A configurable value as the configuration file would write it (for `config`)."""
        from glossary_check.commands.config import KEYS

        return KEYS[key].shown(getattr(self, KEYS[key].field))


#: Command-line flags whose destination is not the Options field of the same name.
_RENAMED = {"no_cache": "use_cache"}


def resolve(args: argparse.Namespace) -> Options:
    """The options of a run, from the flags given (`args`), the configuration file and defaults.

    Raises ConfigError for a bad file, UsageError for an unknown rule on the command line.
    """
    from glossary_check.commands.config import KEYS, Config, find_config, load_config

    given = vars(args)
    path: Path | None = None
    if given.get("config"):
        path = Path(given["config"])
    elif not given.get("no_config"):
        path = find_config(Path.cwd())
    config = load_config(path) if path is not None else Config()
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for name, key in KEYS.items():
        if key.flag is not None and key.flag in given:
            check_rules(given[key.flag] if name in ("select", "ignore") else ())
            values[key.field], origins[name] = key.convert(given[key.flag]), "command line"
        elif name in config.values:
            setting = config.values[name]
            values[key.field], origins[name] = key.convert(setting.value), setting.origin
        else:
            values[key.field], origins[name] = key.convert(key.default), "default"
    names = {f.name for f in dataclasses.fields(Options)}
    for dest, value in given.items():
        target = _RENAMED.get(dest, dest)
        if target in names and target not in values:
            values[target] = tuple(value) if isinstance(value, list) else value
    if "no_cache" in given:
        values["use_cache"] = not given["no_cache"]
    return Options(**values, origins=origins, config_path=path)


def check_rules(names: Any) -> None:
    """Every rule named on the command line must exist."""
    from glossary_check.rules import unknown_rule

    for name in names or ():
        problem = unknown_rule(name)
        if problem:
            raise UsageError(problem)
