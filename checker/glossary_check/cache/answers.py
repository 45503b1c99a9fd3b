"""Answers earlier runs worked out with a model or a dictionary (`engine.remembered`), kept in
the cache.

Telling Russian from Ukrainian in a rubric, or a name's dictionary form, takes a language
model and the analysers' dictionaries, a tenth of a second to load, for answers that
depend on the words and the installed versions alone. A run reads the answers earlier
runs kept (keyed by `remembered.fingerprint()`, so another version of lingua, of
pymorphy3's dictionaries, of wordfreq or of the code is asked afresh) and adds its own at
the end. The file is untrusted like
every cache file (`cache.compiled.Artefact`): refused as someone else's, damaged or of
another key, it is as if there were none; an answer that does not fit is worked out
again.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from glossary_check.cache.compiled import Artefact, turn
from glossary_check.engine import remembered

KIND = "answers"
#: Past this many answers, the kept ones start afresh (a long-shared cache stays small).
MAX = 100_000


def _artefact(directory: Path, notices: list[str]) -> Artefact:
    return Artefact(directory, KIND, remembered.fingerprint(), remembered.Answers, notices)


def load(directory: Path, notices: list[str]) -> Mapping[str, str]:
    """The answers earlier runs kept in `directory` (none where there is no usable file)."""
    found = _artefact(directory, notices).load()
    if not isinstance(found, remembered.Answers):
        return {}
    return found.answers


def save(directory: Path, new: Mapping[str, str], notices: list[str]) -> bool:
    """Keep `new` with what is kept already (runs sharing a cache take turns: a file is
    replaced whole); False if nothing was written."""
    if not new:
        return False
    artefact = _artefact(directory, notices)
    with turn(directory):  # what another run keeps meanwhile is merged, not written over
        kept = load(directory, notices)
        merged = dict(kept) if len(kept) + len(new) <= MAX else {}
        merged.update(new)
        return artefact.save(remembered.Answers(dict(sorted(merged.items()))))
