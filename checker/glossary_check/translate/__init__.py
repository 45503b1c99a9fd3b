"""Machine translation behind a small interface, so the checker never depends on a backend.

Importing this package is cheap: the Argos Translate backend (CTranslate2,
SentencePiece, the sentence splitters) is imported only by `open_backend`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol, runtime_checkable

from glossary_check.core.errors import GlossaryCheckError

__all__ = [
    "IdentifiedTranslator",
    "TranslationUnavailable",
    "Translator",
    "default_threads",
    "open_backend",
]


class TranslationUnavailable(GlossaryCheckError):
    """Translation cannot run here: extra not installed, model missing, or a download needed."""


@runtime_checkable
class Translator(Protocol):
    """What the checker needs from machine translation."""

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[str | None]:
        """Translate every text of a run at once; None for each text when no model has the pair."""
        ...

    def pairs(self) -> set[tuple[str, str]]:
        """The (source, target) language pairs that can be translated."""
        ...


@runtime_checkable
class IdentifiedTranslator(Translator, Protocol):
    """A translator that can name the model behind a pair, so its output can be cached."""

    def model_id(self, source: str, target: str) -> str | None:
        """A string that changes whenever the output for the pair could change; None: no model."""
        ...


def default_threads() -> int:
    """Two CTranslate2 workers on the usual two-core machine, never more than four."""
    return max(1, min(os.cpu_count() or 1, 4))


def open_backend(*, threads: int | None = None) -> IdentifiedTranslator:
    """The installed Argos Translate packages, uncached (`cache.translations` wraps them).

    `threads` is the number of CTranslate2 workers (each with one thread), default
    `default_threads()`. Where no package is installed the backend is not loaded: a check
    that only has to say so does not pay for CTranslate2 and SentencePiece.
    """
    from glossary_check.translate.models import packages_dirs

    dirs = packages_dirs()
    if not any(_holds_anything(d) for d in dirs):
        from importlib.util import find_spec

        if find_spec("argostranslate") is None or find_spec("ctranslate2") is None:
            raise TranslationUnavailable(_EXTRA)
        from glossary_check.translate.argos import ArgosTranslator, RunSettings

        return ArgosTranslator([], settings=RunSettings.from_argos())
    try:
        import argostranslate.package  # noqa: F401
        import ctranslate2  # noqa: F401
    except ImportError as exc:
        raise TranslationUnavailable(_EXTRA) from exc
    from glossary_check.translate.argos import ArgosTranslator

    return ArgosTranslator.from_installed(threads=threads or default_threads(), dirs=dirs)


_EXTRA = "machine translation needs the 'translate' extra: pip install 'glossary-check[translate]'"


def _holds_anything(directory: Path) -> bool:
    """Whether a package directory has any entry (argostranslate makes a package of each);
    one that cannot be listed is left to argostranslate to report."""
    try:
        with os.scandir(directory) as entries:
            return next(entries, None) is not None
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:
        return True
