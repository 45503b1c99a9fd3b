"""Shared fixtures: glossaries written to a temporary folder, checks run in-process, and the
command line run as a subprocess exactly as a user or CI step runs it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Protocol

import pytest

from glossary_check.core.findings import Finding
from glossary_check.documents import read_document
from glossary_check.engine.compiled import Compiled, compile_all
from glossary_check.engine.glossary import Glossary, load_glossary
from glossary_check.rules.pipeline import Settings, check_document
from glossary_check.workflow.files import bundled_glossary

#: Rules whose language modules are written separately; the core tests leave them out.
LANGUAGE_RULES = frozenset({"untranslated", "source-form"})
#: What the core tests of the glossary leave out: those, and `typography`, which reads no
#: glossary (tests/rules/test_rule_typography.py tests it).
CORE_IGNORED = LANGUAGE_RULES | {"typography"}
CORE = Settings(ignore=CORE_IGNORED)
#: The same, for the command line.
CORE_ARGS = ("--ignore", ",".join(sorted(CORE_IGNORED)))

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "coalition-of-the-willing.txt"


class WriteGlossary(Protocol):
    def __call__(self, yaml_text: str, name: str = ..., folder: Path | None = ...) -> Path: ...


class RunCli(Protocol):
    def __call__(
        self, *args: str, cwd: Path | None = ..., input: str | bytes | None = ...,
        env: dict[str, str] | None = ...,
    ) -> tuple[int, str, str]: ...


@pytest.fixture
def write_glossary(tmp_path: Path) -> WriteGlossary:
    """Write (dedented) YAML as a glossary file under tmp_path and return its path."""

    def write(yaml_text: str, name: str = "glossary.yaml", folder: Path | None = None) -> Path:
        path = (folder or tmp_path) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(yaml_text).lstrip("\n"), encoding="utf-8")
        return path

    return write


@pytest.fixture
def load(write_glossary: WriteGlossary) -> Callable[[str], Glossary]:
    """YAML text to a loaded Glossary."""
    return lambda yaml_text: load_glossary(write_glossary(yaml_text))


def check_text(
    compiled: Compiled, text: str, settings: Settings = CORE, path: str = "article.txt"
) -> list[Finding]:
    """Findings for `text` as a plain-text file, checked in-process."""
    document = read_document(path, text.encode("utf-8"))
    return check_document(document, compiled, settings)


@pytest.fixture
def check(
    load: Callable[[str], Glossary],
) -> Callable[..., list[Finding]]:
    """check(yaml_text, article_text, settings=CORE) -> findings."""

    def run(yaml_text: str, text: str, settings: Settings = CORE) -> list[Finding]:
        return check_text(compile_all(load(yaml_text)), text, settings)

    return run


@pytest.fixture(scope="session")
def bundled() -> Compiled:
    """The bundled newsroom glossary (with the SpellingUkraine list), compiled once."""
    return compile_all(load_glossary(bundled_glossary()))


def wordfreq_buckets(language: str, wordlist: str) -> list[tuple[int, list[bytes]]]:
    """wordfreq's list as its file stores it: each non-empty bucket's number and words, read
    apart from `english.Wordlist`, to sample words from and to check it against."""
    import zlib

    import msgpack

    from glossary_check.engine import english

    path = english.list_path(language, wordlist)
    assert path is not None, "wordfreq's lists are installed with the package"
    with open(path, "rb") as f:
        data = msgpack.unpackb(zlib.decompress(f.read(), 16 + zlib.MAX_WBITS), raw=True)
    return [(i, bucket) for i, bucket in enumerate(data[1:]) if bucket]


def spans(findings: Iterable[Finding], rule: str | None = None) -> list[tuple[str, str]]:
    """(rule, text) of each finding, or just the texts of one rule's findings."""
    return [(f.rule, f.text) for f in findings if rule is None or f.rule == rule]


def texts(findings: Iterable[Finding], rule: str | None = None) -> list[str]:
    return [f.text for f in findings if rule is None or f.rule == rule]


def _clean_env(extra: dict[str, str] | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra or {})
    return env


def python_output(code: str, *args: str, env: dict[str, str] | None = None) -> str:
    """What `python -c CODE ARGS` prints in a fresh process (one that has imported nothing of
    the package yet, or that runs under `env`); a failure fails the test."""
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env, check=True).stdout


@pytest.fixture
def run_cli(tmp_path: Path) -> RunCli:
    """Run `python -m glossary_check ARGS` in a subprocess: (exit status, stdout, stderr).

    The working directory defaults to tmp_path, where no glossary lies, so the
    bundled one is found unless a test writes its own.
    """

    def run(
        *args: str, cwd: Path | None = None, input: str | bytes | None = None,
        env: dict[str, str] | None = None,
    ) -> tuple[int, str, str]:
        data = input.encode("utf-8") if isinstance(input, str) else input
        proc = subprocess.run(
            [sys.executable, "-m", "glossary_check", *args],
            cwd=cwd or tmp_path, input=data if data is not None else b"",
            capture_output=True, env=_clean_env(env), timeout=300, check=False,
        )
        return (
            proc.returncode,
            proc.stdout.decode("utf-8"),
            proc.stderr.decode("utf-8"),
        )

    return run


@pytest.fixture(autouse=True)
def _lists_read_whole() -> Iterator[None]:
    """A run through the command line installs its cache's wordfreq indexes and its kept
    answers process-wide (`session.read_lists`, `session.read_answers`): each test starts
    and ends with the lists read whole and no answer kept."""
    from glossary_check.engine import english, remembered

    yield
    if english.lists_source() is not None:
        english.read_lists_with(None)
    if remembered.answers_source() is not None:
        remembered.keep_answers(None)
