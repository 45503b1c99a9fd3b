"""Installed Argos Translate packages, run through CTranslate2 with argostranslate's exact output.

`argostranslate.translate` imports spaCy, stanza and torch (seconds of start-up)
and translates one text, one paragraph, at a time. This module reproduces its
pipeline for argostranslate 1.11 step by step (sentence splitter choice,
tokenisation, beam settings, target prefix, detokenisation, how sentences and
paragraphs are joined, pivoting through a third language), so results are
byte-identical, but it loads only CTranslate2, the package's tokenizer and its
sentence splitter, and keeps every CTranslate2 worker busy: each paragraph is
submitted as soon as it is split, with the same sub-batching argostranslate
uses (batching across paragraphs would change CTranslate2's padding and could
change a beam search result).
"""

from __future__ import annotations

import hashlib
import importlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from glossary_check.translate import TranslationUnavailable
from glossary_check.translate.models import fingerprint, packages_dirs

__all__ = ["ArgosTranslator", "RunSettings", "plan_routes", "splitter_kind"]

# argostranslate/translate.py, apply_packaged_translation
LENGTH_PENALTY = 0.2
# argostranslate/sbd.py, MiniSBDSentencizer and StanzaSentencizer
MINISBD_LANGUAGE_CODES = {
    "zt": "zh-hant",
    "zh": "zh-hans",
    "pb": "pt",
    "az": "tr",
    "bn": "hi",
    "eo": "en",
    "ms": "en",
    "tl": "en",
}
STANZA_LANGUAGE_CODES = {"zt": "zh-hant", "pb": "pt"}

Route = tuple[int, ...]  # indices of packages applied in turn; () is the identity


@dataclass(frozen=True)
class RunSettings:
    """The argostranslate settings (environment or settings.json) that shape the output."""

    beam_size: int
    batch_size: int
    device: str
    compute_type: str
    chunk_type: str
    data_dir: Path
    cache_dir: Path

    @classmethod
    def from_argos(cls) -> RunSettings:
        from argostranslate import settings

        return cls(
            beam_size=int(settings.beam_size),
            batch_size=int(settings.batch_size),
            device=str(settings.device),
            compute_type=str(settings.compute_type),
            chunk_type=str(settings.chunk_type.name),
            data_dir=Path(settings.data_dir),
            cache_dir=Path(settings.cache_dir),
        )

    def identity(self) -> str:
        import importlib.metadata  # only where a model translates: a check without one needs none

        versions = []
        for dist in ("argostranslate", "ctranslate2", "sentencepiece", "minisbd"):
            try:
                versions.append(f"{dist}={importlib.metadata.version(dist)}")
            except importlib.metadata.PackageNotFoundError:
                versions.append(f"{dist}=none")
        return (
            f"beam={self.beam_size};batch={self.batch_size};device={self.device};"
            f"compute={self.compute_type};chunk={self.chunk_type};{';'.join(versions)}"
        )


def plan_routes(
    pairs: Sequence[tuple[str, str]], usable: Sequence[bool]
) -> dict[tuple[str, str], Route]:
    """Which packages translate each pair, chosen as argostranslate's get_installed_languages does.

    `pairs[i]` is package i's (from, to); `usable[i]` is False where argostranslate
    would skip the package (no sentence splitter for the configured chunk type).
    Direct packages come first, in installation-directory order, then pivots
    through other languages in the order argostranslate discovers them.
    """
    order: list[str] = []
    outgoing: dict[str, list[tuple[str, Route]]] = {}
    for index, (source, target) in enumerate(pairs):
        for code in (source, target):
            if code not in outgoing:
                order.append(code)
                outgoing[code] = []
        if usable[index]:
            outgoing[source].append((target, (index,)))
    for code in order:
        outgoing[code].append((code, ()))
    for code in order:
        grow = True
        while grow:
            grow = False
            # Iterating a list that grows, as argostranslate does: new routes are extended too.
            for middle, first in outgoing[code]:
                for target, second in outgoing[middle]:
                    if all(known != target for known, _ in outgoing[code]):
                        grow = True
                        outgoing[code].append((target, first + second))
    routes: dict[tuple[str, str], Route] = {}
    for code in order:
        for target, route in outgoing[code]:
            routes.setdefault((code, target), route)
    return routes


def splitter_kind(packaged_sbd_path: Path | None, chunk_type: str) -> str | None:
    """The sentence splitter argostranslate's PackageTranslation picks, or None to skip the package.

    The substring test on the whole path is argostranslate's: a package installed
    under a directory whose path contains "stanza" gets the stanza splitter.
    """
    if chunk_type in ("ARGOSTRANSLATE", "DEFAULT"):
        return "stanza" if "stanza" in str(packaged_sbd_path) else "minisbd"
    return {"STANZA": "stanza", "MINISBD": "minisbd", "SPACY": "spacy"}.get(chunk_type)


Splitter = Callable[[str], list[str]]


def _minisbd_splitter(package: Any, settings: RunSettings) -> Splitter:
    sbd_dir = Path(package.package_path) / "minisbd"
    model_file: str | None = None
    if sbd_dir.exists():
        onnx_files = [f for f in os.listdir(sbd_dir) if f.endswith(".onnx")]
        if onnx_files:
            model_file = str(sbd_dir / onnx_files[0])
    if model_file is None:
        models = importlib.import_module("minisbd.models")
        lang = MINISBD_LANGUAGE_CODES.get(package.from_code, package.from_code)
        if lang not in models.list_models():
            lang = "en"
        cached = settings.data_dir / "minisbd" / models.MODELS[lang]
        if not cached.is_file():
            raise TranslationUnavailable(
                f"the {package.from_code} sentence splitter (MiniSBD {lang}) is neither in the "
                f"package nor at {cached}; argostranslate would download it, this checker does not"
            )
        model_file = str(cached)
    minisbd = importlib.import_module("minisbd")
    detector = minisbd.SBDetect(model_file, use_gpu=settings.device == "cuda")

    def split(text: str) -> list[str]:
        sentences: list[str] = detector.sentences(text)
        return sentences

    return split


def _stanza_splitter(package: Any, settings: RunSettings) -> Splitter:
    stanza = importlib.import_module("stanza")
    lang = STANZA_LANGUAGE_CODES.get(package.from_code, package.from_code)
    try:
        pipeline = stanza.Pipeline(
            lang=lang,
            dir=str(Path(package.package_path) / "stanza"),
            processors="tokenize",
            use_gpu=settings.device == "cuda",
            logging_level="WARNING",
            download_method=None,  # argostranslate checks for updates online; same model either way
        )
    except Exception as exc:
        raise TranslationUnavailable(
            f"the stanza sentence splitter of {package.package_path} cannot load offline: {exc}"
        ) from exc

    def split(text: str) -> list[str]:
        return [sentence.text for sentence in pipeline(text).sentences]

    return split


def _spacy_splitter(package: Any, settings: RunSettings) -> Splitter:
    spacy = importlib.import_module("spacy")
    packaged = package.packaged_sbd_path
    if packaged is not None and "spacy" in str(packaged):
        model_path = Path(packaged)
    else:
        model_path = settings.cache_dir / "spacy"
        if not (model_path / "senter" / "model").exists():
            raise TranslationUnavailable(
                f"ARGOS_CHUNK_TYPE=SPACY needs spaCy's xx_sent_ud_sm at {model_path}; "
                "argostranslate would download it, this checker does not"
            )
    nlp = spacy.load(model_path, exclude=["parser"])
    nlp.add_pipe("sentencizer")

    def split(text: str) -> list[str]:
        return [sentence.text for sentence in nlp(text).sents]

    return split


_SPLITTERS: dict[str, Callable[[Any, RunSettings], Splitter]] = {
    "minisbd": _minisbd_splitter,
    "stanza": _stanza_splitter,
    "spacy": _spacy_splitter,
}


class _PackageEngine:
    """One package's model, tokenizer and sentence splitter, each loaded on first use."""

    def __init__(
        self, package: Any, kind: str, settings: RunSettings, inter_threads: int, intra_threads: int
    ) -> None:
        self._package = package
        self._kind = kind
        self._settings = settings
        self._inter_threads = inter_threads
        self._intra_threads = intra_threads
        self._translator: Any = None
        self._split: Splitter | None = None

    def _load(self) -> tuple[Any, Splitter]:
        if self._translator is None:
            import ctranslate2

            if getattr(self._package, "tokenizer", None) is None:
                raise TranslationUnavailable(
                    f"{self._package.package_path} has neither sentencepiece.model nor bpe.model"
                )
            self._split = _SPLITTERS[self._kind](self._package, self._settings)
            self._translator = ctranslate2.Translator(
                str(Path(self._package.package_path) / "model"),
                device=self._settings.device,
                inter_threads=self._inter_threads,
                intra_threads=self._intra_threads,
                compute_type=self._settings.compute_type,
            )
        assert self._split is not None
        return self._translator, self._split

    def translate(self, texts: Sequence[str]) -> list[str]:
        """argostranslate's CachedTranslation → PackageTranslation → apply_packaged_translation."""
        translator, split = self._load()
        tokenizer = self._package.tokenizer
        prefix: str = self._package.target_prefix
        settings = self._settings
        # Identical paragraphs translate identically: each is translated once.
        slots: dict[str, int] = {}
        pending: list[list[Any]] = []
        for text in texts:
            for paragraph in text.split("\n"):
                if paragraph in slots:
                    continue
                slots[paragraph] = len(pending)
                tokenized = [tokenizer.encode(sentence) for sentence in split(paragraph)]
                if not tokenized:
                    pending.append([])
                    continue
                pending.append(
                    translator.translate_batch(
                        tokenized,
                        target_prefix=[[prefix]] * len(tokenized) if prefix != "" else None,
                        replace_unknowns=True,
                        max_batch_size=settings.batch_size,
                        batch_type="tokens",
                        beam_size=max(1, settings.beam_size),
                        num_hypotheses=1,
                        length_penalty=LENGTH_PENALTY,
                        return_scores=True,
                        asynchronous=True,
                    )
                )
        values: list[str] = []
        for results in pending:
            tokens: list[str] = []
            for result in results:
                tokens.extend(result.result().hypotheses[0])
            value: str = tokenizer.decode(tokens)
            if prefix != "" and value.startswith(prefix):
                value = value[len(prefix) :]
            if len(value) > 0 and value[0] == " ":
                value = value[1:]
            values.append(value.lstrip("\n"))
        return [
            "\n".join(values[slots[p]] for p in text.split("\n")).lstrip("\n") for text in texts
        ]


class ArgosTranslator:
    """Every installed Argos package, direct or through a pivot, as argostranslate uses them."""

    def __init__(
        self,
        packages: Sequence[Any],
        *,
        settings: RunSettings,
        inter_threads: int = 2,
        intra_threads: int = 1,
    ) -> None:
        """`packages` are argostranslate.package.Package objects, in argostranslate's order."""
        self._packages = [p for p in packages if p.type == "translate"]
        self._settings = settings
        kinds = [splitter_kind(p.packaged_sbd_path, settings.chunk_type) for p in self._packages]
        self._engines = [
            None
            if kind is None
            else _PackageEngine(package, kind, settings, inter_threads, intra_threads)
            for package, kind in zip(self._packages, kinds, strict=True)
        ]
        self._routes = plan_routes(
            [(p.from_code, p.to_code) for p in self._packages], [k is not None for k in kinds]
        )
        self._fingerprints: dict[int, str] = {}

    @classmethod
    def from_installed(
        cls, *, threads: int = 2, dirs: Sequence[Path] | None = None
    ) -> ArgosTranslator:
        """Packages from ARGOS_PACKAGES_DIR (read now) or argostranslate's package directory."""
        from argostranslate import package

        found = []
        for directory in packages_dirs() if dirs is None else dirs:
            if directory.is_dir():
                found += [
                    p
                    for p in package.get_installed_packages([directory])
                    if (Path(p.package_path) / "metadata.json").is_file()
                ]
        return cls(found, settings=RunSettings.from_argos(), inter_threads=threads, intra_threads=1)

    def pairs(self) -> set[tuple[str, str]]:
        return {pair for pair in self._routes if pair[0] != pair[1]}

    def model_id(self, source: str, target: str) -> str | None:
        route = self._routes.get((source, target))
        if route is None:
            return None
        digest = hashlib.sha256(self._settings.identity().encode())
        for index in route:
            if index not in self._fingerprints:
                self._fingerprints[index] = fingerprint(Path(self._packages[index].package_path))
            digest.update(self._fingerprints[index].encode())
        return digest.hexdigest()

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[str | None]:
        route = self._routes.get((source, target))
        if route is None:
            return [None] * len(texts)
        out: list[str] = list(texts)
        for index in route:
            engine = self._engines[index]
            assert engine is not None  # routes only use usable packages
            out = engine.translate(out)
        return list(out)
