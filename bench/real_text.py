"""Precision on real text: the bundled newsroom glossary over NTREX-128's development half.

    python bench/real_text.py                       # measure, compare with the judgements
    python bench/real_text.py --corpus DIR          # another copy of ntrex-dev
    python bench/real_text.py --write-unjudged      # append new findings with verdict null

The corpus is professionally edited English news with human Russian and Ukrainian
translations, so every finding is a real inconsistency or a false alarm. It is read in
two parts, in-process through the package's API (one compiled glossary for the run):

- English: every file of `en/`, all rules, no machine translation. Findings per 10,000
  words, where a word is a maximal run of letters, digits and combining marks, joined
  across an inner apostrophe or hyphen (`don't`, `Ivano-Frankivsk` are one word; `10,000`
  is two).
- Pairs: `--source ru/X.txt en/X.txt` and `--source uk/X.txt en/X.txt` for every article,
  as with `--no-translate` (paragraphs lined up without a model). Only the rules that
  read the original are counted here (`mistranslation`, `number`): the other rules read
  the same English as the first part. For each, the share of pairs with at least one.

`real_text_judgements.yaml` holds a person's verdict on each finding, keyed by file, rule,
text, line, column and (for pairs) the source language: `true` for a real inconsistency in the
published text (or the desk's rule differing from the translator's: a desk that writes
Kyiv where the translator wrote Kiev), `false` for a false alarm, with a one-line reason.
The run prints the false alarms per 10,000 English words and the share of pairs with a
false mistranslation against the targets, every finding not yet judged and every
judgement whose finding has gone. Exit status 1 when a target is missed or a finding is
unjudged.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex
import yaml

from glossary_check.core.findings import FileResult
from glossary_check.core.positions import LineIndex
from glossary_check.documents import read_document
from glossary_check.engine.compiled import Compiled, compile_all
from glossary_check.engine.glossary import load_glossary
from glossary_check.rules.align import pair_documents
from glossary_check.rules.pipeline import Settings
from glossary_check.workflow.files import bundled_glossary
from glossary_check.workflow.runner import check_file, check_files

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path("shared") / "corpus" / "ntrex-dev"


def default_corpus(root: Path = ROOT) -> Path:
    """`../shared/corpus/ntrex-dev` beside the clone; from a linked worktree (`.git` is a
    file naming its git directory), beside the main clone that owns it."""
    here = root.parent / CORPUS
    dot_git = root / ".git"
    if here.is_dir() or not dot_git.is_file():
        return here
    line = dot_git.read_text("utf-8", errors="replace").strip()
    if not line.startswith("gitdir:"):
        return here
    gitdir = (root / line.removeprefix("gitdir:").strip()).resolve()
    common = gitdir / "commondir"
    if common.is_file():
        gitdir = (gitdir / common.read_text("utf-8", errors="replace").strip()).resolve()
    main_root = gitdir.parent
    return main_root.parent / CORPUS


DEFAULT_CORPUS = default_corpus()
JUDGEMENTS = Path(__file__).resolve().parent / "real_text_judgements.yaml"
SOURCE_LANGUAGES = ("ru", "uk")
#: The targets: false alarms per 10,000 English words, and the share of pairs with a false
#: mistranslation, for each source language.
MAX_FALSE_PER_10K = 0.5
MAX_FALSE_PAIR_SHARE = 0.02
#: The rules that read the original, counted in the pairs; `number` may fire (true or false)
#: in at most this share of each language's pairs.
PAIR_RULES = ("mistranslation", "number")
MAX_NUMBER_PAIR_SHARE = 0.03
#: `typography` (English) and `number` (pairs) together: false alarms per 10,000 English words.
MAX_FALSE_TYPOGRAPHY_NUMBER_PER_10K = 1.0

#: A finding's identity in the judgements: file, rule, text, line, column, source language.
Key = tuple[str, str, str, int, int, str]

WORD = regex.compile(r"[\p{L}\p{N}\p{M}]+(?:['’\-][\p{L}\p{N}\p{M}]+)*")


def count_words(text: str) -> int:
    return sum(1 for _ in WORD.finditer(text))


@dataclass(frozen=True, slots=True)
class Seen:
    """One finding as printed and judged; `language` is the source language of a pair."""

    file: str
    line: int
    column: int
    rule: str
    text: str
    message: str
    language: str | None = None

    @property
    def key(self) -> Key:
        return (self.file, self.rule, self.text, self.line, self.column, self.language or "")

    def show(self) -> str:
        where = f"{self.language}->en " if self.language else ""
        at = f"{self.file}:{self.line}:{self.column}"
        return f"{where}{at}: {self.rule} {self.text!r} {self.message}"


@dataclass(slots=True)
class Measurement:
    files: int = 0
    words: int = 0
    english: list[Seen] = field(default_factory=list)
    #: source language -> findings of the PAIR_RULES in its pairs
    pairs: dict[str, list[Seen]] = field(default_factory=dict)
    pair_counts: dict[str, int] = field(default_factory=dict)
    seconds_english: float = 0.0
    seconds_pairs: dict[str, float] = field(default_factory=dict)

    def pair_findings(self) -> list[Seen]:
        return [s for lang in SOURCE_LANGUAGES for s in self.pairs.get(lang, [])]

    def findings(self) -> list[Seen]:
        return [*self.english, *self.pair_findings()]

    def per_10k(self, count: int) -> float:
        return 10_000 * count / self.words if self.words else 0.0

    def pair_share(self, language: str, keep: Any = None, rule: str = "mistranslation") -> float:
        """Share of the language's pairs with a finding of `rule` (`keep` filters which count)."""
        hit = {s.file for s in self.pairs.get(language, [])
               if s.rule == rule and (keep is None or keep(s))}
        total = self.pair_counts.get(language, 0)
        return len(hit) / total if total else 0.0


def _seen(result: FileResult, name: str, rules: Iterable[str] | None,
          language: str | None) -> list[Seen]:
    if result.error is not None:
        raise RuntimeError(result.error)
    index = LineIndex(result.text)
    wanted = None if rules is None else set(rules)
    out = []
    for f in result.findings:
        if wanted is not None and f.rule not in wanted:
            continue
        line, column = index.line_col(f.offset)
        out.append(Seen(name, line, column, f.rule, f.text, f.message, language))
    return out


def compile_glossary(path: Path | None = None) -> Compiled:
    return compile_all(load_glossary(path or bundled_glossary()))


def measure(corpus: Path, compiled: Compiled | None = None) -> Measurement:
    """The whole corpus, both parts, with one compiled glossary."""
    compiled = compiled or compile_glossary()
    settings = Settings()
    english = sorted((corpus / "en").glob("*.txt"))
    if not english:
        raise FileNotFoundError(f"{corpus / 'en'}: no articles")
    m = Measurement(files=len(english))
    start = time.perf_counter()
    results = check_files([str(p) for p in english], compiled, settings, jobs=1)
    m.seconds_english = time.perf_counter() - start
    for path, result in zip(english, results, strict=True):
        m.words += count_words(result.text)
        m.english.extend(_seen(result, f"en/{path.name}", None, None))
    for language in SOURCE_LANGUAGES:
        found: list[Seen] = []
        count = 0
        start = time.perf_counter()
        for path in english:
            source_path = corpus / language / path.name
            if not source_path.exists():
                continue
            count += 1
            source = read_document(str(source_path), source_path.read_bytes())
            data = path.read_bytes()
            translation = read_document(str(path), data)
            pairing = pair_documents(source, translation, compiled, None, language)
            result = check_file(str(path), compiled, settings, data=data, pairing=pairing)
            found.extend(_seen(result, f"en/{path.name}", PAIR_RULES, language))
        m.seconds_pairs[language] = time.perf_counter() - start
        m.pairs[language] = found
        m.pair_counts[language] = count
    return m


# --- judgements ---------------------------------------------------------------------------

def load_judgements(path: Path = JUDGEMENTS) -> dict[Key, dict[str, Any]]:
    """Verdicts by finding key; a duplicate key or a verdict other than true, false or null
    is an error naming the entry."""
    if not path.exists():
        return {}
    raw = yaml.safe_load(path.read_text("utf-8")) or {}
    out: dict[Key, dict[str, Any]] = {}
    for i, item in enumerate(raw.get("findings") or [], 1):
        key: Key = (item["file"], item["rule"], item["text"], int(item["line"]),
                    int(item["column"]), item.get("language") or "")
        if key in out:
            raise ValueError(f"{path}: finding {i} is judged twice: {key}")
        if item.get("verdict") not in (True, False, None):
            raise ValueError(f"{path}: finding {i}: verdict must be true, false or null")
        out[key] = item
    return out


def _entry(seen: Seen) -> dict[str, Any]:
    item: dict[str, Any] = {"file": seen.file, "line": seen.line, "column": seen.column,
                            "rule": seen.rule, "text": seen.text}
    if seen.language:
        item["language"] = seen.language
    item["message"] = seen.message
    item["verdict"] = None
    item["reason"] = ""
    return item


HEADER = """\
# Verdicts on every finding bench/real_text.py prints on ntrex-dev with the bundled
# newsroom glossary. Key: file, line, column, rule, text, and language for a --source pair.
# verdict: true = a real inconsistency (or the desk's rule differs from the translator's),
# false = a false alarm. `message` is what the finding said when it was judged.
# New findings: python bench/real_text.py --write-unjudged, then fill in verdict and reason.
"""


def write_judgements(path: Path, items: Sequence[dict[str, Any]]) -> None:
    ordered = sorted(items, key=lambda i: (i.get("language") or "", i["file"], i["line"],
                                           i["column"], i["rule"], i["text"]))
    body = yaml.safe_dump({"findings": ordered}, allow_unicode=True, sort_keys=False,
                          width=100)
    path.write_text(HEADER + body, encoding="utf-8")


@dataclass(slots=True)
class Comparison:
    false_english: list[Seen]
    false_pairs: dict[str, list[Seen]]
    unjudged: list[Seen]
    pending: list[Seen]  # judged with verdict null
    stale: list[Key]
    false_per_10k: float
    false_pair_share: dict[str, float]
    #: false `number` findings in the pairs, counted with the English false alarms
    false_number: list[Seen] = field(default_factory=list)
    #: the share of each language's pairs where `number` fires at all
    number_pair_share: dict[str, float] = field(default_factory=dict)
    #: false `typography` findings in English
    false_typography: list[Seen] = field(default_factory=list)
    #: false `typography` and `number` findings together per 10,000 English words
    typography_number_per_10k: float = 0.0

    @property
    def failures(self) -> list[str]:
        out = []
        if self.unjudged or self.pending:
            out.append(f"{len(self.unjudged) + len(self.pending)} findings not judged")
        if self.false_per_10k > MAX_FALSE_PER_10K:
            out.append(f"{self.false_per_10k:.2f} false alarms per 10,000 English words "
                       f"(target at most {MAX_FALSE_PER_10K})")
        for language, share in self.false_pair_share.items():
            if share > MAX_FALSE_PAIR_SHARE:
                out.append(f"false mistranslation in {share:.1%} of {language}->en pairs "
                           f"(target at most {MAX_FALSE_PAIR_SHARE:.0%})")
        if self.typography_number_per_10k > MAX_FALSE_TYPOGRAPHY_NUMBER_PER_10K:
            out.append(f"{self.typography_number_per_10k:.2f} false typography and number "
                       f"alarms per 10,000 English words (target at most "
                       f"{MAX_FALSE_TYPOGRAPHY_NUMBER_PER_10K})")
        for language, share in self.number_pair_share.items():
            if share > MAX_NUMBER_PAIR_SHARE:
                out.append(f"number fires in {share:.1%} of {language}->en pairs "
                           f"(target at most {MAX_NUMBER_PAIR_SHARE:.0%})")
        return out


def _false(found: Iterable[Seen], rule: str, verdict: Any) -> list[Seen]:
    return [s for s in found if s.rule == rule and verdict(s) is False]


def compare(m: Measurement, judged: dict[Key, dict[str, Any]]) -> Comparison:
    def verdict(s: Seen) -> Any:
        return judged[s.key].get("verdict") if s.key in judged else "unjudged"

    found = m.findings()
    false_english = [s for s in m.english if verdict(s) is False]
    false_pairs = {lang: _false(m.pairs.get(lang, []), "mistranslation", verdict)
                   for lang in SOURCE_LANGUAGES}
    false_number = _false(m.pair_findings(), "number", verdict)
    false_typography = _false(m.english, "typography", verdict)
    keys = {s.key for s in found}
    return Comparison(
        false_english=false_english,
        false_pairs=false_pairs,
        unjudged=[s for s in found if verdict(s) == "unjudged"],
        pending=[s for s in found if s.key in judged and verdict(s) is None],
        stale=sorted(k for k in judged if k not in keys),
        false_per_10k=m.per_10k(len(false_english) + len(false_number)),
        false_number=false_number,
        false_pair_share={lang: m.pair_share(lang, lambda s: verdict(s) is False)
                          for lang in SOURCE_LANGUAGES},
        number_pair_share={lang: m.pair_share(lang, rule="number") for lang in SOURCE_LANGUAGES},
        false_typography=false_typography,
        typography_number_per_10k=m.per_10k(len(false_typography) + len(false_number)),
    )


# --- the command --------------------------------------------------------------------------

def report(m: Measurement, c: Comparison, out: Any = sys.stdout) -> None:
    def p(text: str = "") -> None:
        print(text, file=out)

    p(f"ntrex-dev: {m.files} English articles, {m.words} words")
    p(f"English: {len(m.english)} findings, {m.per_10k(len(m.english)):.2f} per 10,000 words")
    for s in m.english:
        p(f"  {s.show()}")
    for lang in SOURCE_LANGUAGES:
        n = m.pair_counts.get(lang, 0)
        found = m.pairs.get(lang, [])
        counts = ", ".join(
            f"{sum(1 for s in found if s.rule == rule)} {rule} findings in "
            f"{m.pair_share(lang, rule=rule):.1%} of pairs" for rule in PAIR_RULES)
        p(f"{lang}->en: {n} pairs, {counts}")
        for s in m.pairs.get(lang, []):
            p(f"  {s.show()}")
    p()
    p("Against the judgements:")
    p(f"  false alarms: {len(c.false_english)} in English and {len(c.false_number)} of number "
      f"in the pairs, {c.false_per_10k:.2f} per 10,000 words (target at most "
      f"{MAX_FALSE_PER_10K})")
    typography = sum(1 for s in m.english if s.rule == "typography")
    p(f"  typography: {typography} findings, {len(c.false_typography)} false; with number's "
      f"{len(c.false_number)}, {c.typography_number_per_10k:.2f} false per 10,000 words "
      f"(target at most {MAX_FALSE_TYPOGRAPHY_NUMBER_PER_10K})")
    for lang in SOURCE_LANGUAGES:
        p(f"  false mistranslation: {len(c.false_pairs[lang])} findings, in "
          f"{c.false_pair_share[lang]:.1%} of {lang}->en pairs "
          f"(target at most {MAX_FALSE_PAIR_SHARE:.0%})")
        p(f"  number: fires in {c.number_pair_share.get(lang, 0.0):.1%} of {lang}->en pairs "
          f"(target at most {MAX_NUMBER_PAIR_SHARE:.0%})")
    if c.unjudged or c.pending:
        p(f"  not judged ({len(c.unjudged) + len(c.pending)}):")
        for s in [*c.unjudged, *c.pending]:
            p(f"    {s.show()}")
    if c.stale:
        p(f"  judged but no longer found ({len(c.stale)}):")
        for file, rule, text, line, column, lang in c.stale:
            p(f"    {(lang + '->en ') if lang else ''}{file}:{line}:{column}: {rule} {text!r}")
    p()
    per_article = m.seconds_english / m.files if m.files else 0.0
    p(f"time: {1000 * per_article:.1f} ms per English article checked alone")
    for lang in SOURCE_LANGUAGES:
        n = m.pair_counts.get(lang, 0)
        per_pair = m.seconds_pairs.get(lang, 0.0) / n if n else 0.0
        ratio = per_pair / per_article if per_article else 0.0
        p(f"      {1000 * per_pair:.1f} ms per {lang}->en pair ({ratio:.1f}x the article alone)")
    failures = c.failures
    p("result: " + ("; ".join(failures) if failures else "all findings judged, targets met"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help=f"the ntrex-dev folder (default {DEFAULT_CORPUS})")
    parser.add_argument("--glossary", type=Path, default=None,
                        help="default: the bundled newsroom glossary")
    parser.add_argument("--judgements", type=Path, default=JUDGEMENTS)
    parser.add_argument("--write-unjudged", action="store_true",
                        help="append the findings not yet judged with verdict null")
    args = parser.parse_args(argv)
    if not (args.corpus / "en").is_dir():
        print(f"real_text: {args.corpus}: no ntrex-dev corpus there (give --corpus DIR)",
              file=sys.stderr)
        return 2
    m = measure(args.corpus, compile_glossary(args.glossary))
    judged = load_judgements(args.judgements)
    c = compare(m, judged)
    report(m, c)
    if args.write_unjudged and c.unjudged:
        write_judgements(args.judgements, [*judged.values(), *(_entry(s) for s in c.unjudged)])
        print(f"wrote {len(c.unjudged)} unjudged findings to {args.judgements}")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
