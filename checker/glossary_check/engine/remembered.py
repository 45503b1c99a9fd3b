"""Answers about words that cost a process a model or a dictionary to load, kept between runs.

Telling Russian from Ukrainian in a rubric, or finding a name's dictionary form, takes a
language model and the analysers' dictionaries: a tenth of a second to load, for answers
that depend on the words and the installed versions alone. A function of words whose
answer is plain data (`remembered`) answers from what earlier runs kept, where a run
installs it (`keep_answers`: the session reads the cache, see `cache.answers`), and
records what it works out, for the run to keep. An answer is kept under the function's
name, the source of the module that defines it, and its arguments; the whole under
`fingerprint` (the model's and the dictionaries' versions, and the source of the modules
the answers go through), so other code or other versions are asked afresh.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class Answers:
    """What earlier runs worked out: an answer (JSON) by `remembered`'s key. Plain typed
    data, so the on-disk cache stores it."""

    answers: Mapping[str, str] = field(default_factory=dict)


#: What reads the answers earlier runs kept (see `keep_answers`).
AnswerSource = Callable[[], Mapping[str, str]]
#: Where the answers earlier runs kept are read from, on first need (see `keep_answers`).
_SOURCE: list[AnswerSource] = []
#: ...and what it gave.
_KEPT: list[Mapping[str, str]] = []
#: The answers this process worked out since, for the run to keep.
_NEW: dict[str, str] = {}
#: At most this many new answers a process: a long-running one does not grow without end.
NEW_MAX = 100_000
#: An answer about a longer text (its key, in characters) is not kept: rubrics, bylines and
#: names are short, and a stream of articles with long foreign passages must not grow the
#: kept file that every later run reads.
KEY_MAX = 1_000


def keep_answers(source: AnswerSource | None) -> None:
    """Answer from what `source()` gives (earlier runs' answers, read when a function first
    needs them) and record new answers from now on; None: neither. The answers are the
    same either way; only what they cost differs."""
    _SOURCE[:] = [source] if source is not None else []
    _KEPT.clear()
    _NEW.clear()


def answers_source() -> AnswerSource | None:
    """The source installed by `keep_answers`."""
    return _SOURCE[0] if _SOURCE else None


def new_answers() -> dict[str, str]:
    """The answers worked out since `keep_answers`, for the cache to keep."""
    return dict(_NEW)


def take_new() -> dict[str, str]:
    """The answers worked out since the last take, no longer this process's to keep: a
    worker's, sent for the run's parent to keep (see `absorb`)."""
    taken = dict(_NEW)
    _NEW.clear()
    return taken


def absorb(answers: Mapping[str, str]) -> None:
    """Take in what a worker process worked out (`take_new`), for this run to keep."""
    if not _SOURCE:
        return
    for key, answer in answers.items():
        if len(_NEW) >= NEW_MAX:
            break
        _NEW[key] = answer


def recall(key: str) -> str | None:
    """The answer kept under `key` (None: none, or no answers installed)."""
    if not _SOURCE:
        return None
    found = _NEW.get(key)
    if found is not None:
        return found
    if not _KEPT:
        _KEPT.append(_SOURCE[0]())
    found = _KEPT[0].get(key)
    return found if isinstance(found, str) else None


def remember(key: str, answer: str) -> None:
    """Record an answer for the run to keep (where answers are installed)."""
    if _SOURCE and len(_NEW) < NEW_MAX and len(key) <= KEY_MAX:
        _NEW[key] = answer


@functools.cache
def _source_digest(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def text(value: Any) -> str:
    """A kept answer that is a string (ValueError otherwise)."""
    if type(value) is not str:
        raise ValueError("not a string")
    return value


def truth(value: Any) -> bool:
    """A kept answer that is true or false (ValueError otherwise)."""
    if type(value) is not bool:
        raise ValueError("not true or false")
    return value


def number(value: Any) -> float:
    """A kept answer that is a float (ValueError otherwise)."""
    if type(value) is not float:
        raise ValueError("not a float")
    return value


def texts(value: Any) -> list[str]:
    """A kept answer that is a list of strings (ValueError otherwise)."""
    if type(value) is not list or not all(type(v) is str for v in value):
        raise ValueError("not a list of strings")
    return value


def table(value: Any) -> dict[str, tuple[str, ...]]:
    """A kept answer that is a table of strings to tuples of strings (ValueError otherwise)."""
    if type(value) is not dict:
        raise ValueError("not a table")
    return {k: tuple(texts(v)) for k, v in value.items()}


def remembered(name: str, module_file: str,
               answer_of: Callable[[Any], Any]) -> Callable[[F], F]:
    """A function of strings (and tuples or lists of them: their `repr` is the key) whose
    answer is JSON data, made to answer from the kept answers where a run installs them.

    `module_file`: the source of the module that defines it, part of every key, so a
    change to it is asked afresh. `answer_of`: what a kept answer's JSON is as the
    function's answer (`text`, `truth`, `number`, `texts`, `table`); ValueError for one of
    another shape, which is worked out again like one that does not decode."""

    def wrap(f: F) -> F:
        @functools.wraps(f)
        def answer(*args: Any) -> Any:
            if not _SOURCE:
                return f(*args)
            key = f"{name}|{_source_digest(module_file)}|{args!r}"  # strings: one way
            found = recall(key)
            if found is not None:
                try:
                    return answer_of(json.loads(found))
                except (ValueError, RecursionError):
                    pass
            value = f(*args)
            remember(key, json.dumps(value, ensure_ascii=False))
            return value

        return answer  # type: ignore[return-value]

    return wrap


@functools.cache
def fingerprint() -> str:
    """What every answer depends on: the versions of the model, the dictionaries, the
    frequency lists and the transliteration libraries, and the source of the modules the
    answers go through (asked once per process)."""
    from glossary_check.engine import english, languages, morphology

    h = hashlib.sha256()
    for module in (languages, morphology, english):
        with open(module.__file__ or "", "rb") as f:
            h.update(f.read())
    versions = ";".join(f"{name}={morphology.installed_version(name, package)}" for name, package
                        in (("lingua-language-detector", "lingua"), ("wordfreq", None),
                            ("iuliia", None), ("translitua", None)))
    return f"{versions};{morphology.fingerprint()};{h.hexdigest()}"
