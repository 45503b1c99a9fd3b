"""Foreign spans of an article and the language each is in.

`spans` cuts the text in another script than the article's into the units a
reader sees (a rubric, a byline, a quotation, a sentence), never single
words out of them. `identify` names a span's language among closely related
Cyrillic ones. Letters decide first where only some candidates have them
(і ї є ґ: Ukrainian or Belarusian; ў: Belarusian; ы э: Russian or
Belarusian; ђ ћ: Serbian; ѓ ќ ѕ: Macedonian). Among the rest, a language
model for short text decides (lingua, restricted to the candidates); where
it is unsure, as on a one-word rubric that reads the same in Russian,
Bulgarian and Serbian, a language whose dictionary knows every word wins, as
a desk translating Russian and Ukrainian expects; on a text of a few words
(a name: Игоря Терехова) the one dictionary that knows every word wins first.

The model and the dictionaries cost a process a tenth of a second to load, for an
answer that depends on the text and the installed versions alone: so the answers a
model or a dictionary gave are kept between runs (`engine.remembered`), and a later run
asks neither about a text seen before.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import regex

from glossary_check.engine.matching import Token
from glossary_check.engine.remembered import recall, remember

#: The Cyrillic languages a span is told apart among, most expected first.
CANDIDATES = ("ru", "uk", "be", "bg", "sr", "mk")

#: Each language's lower-case letters: a text with a letter outside an alphabet is not in it.
ALPHABETS: dict[str, frozenset[str]] = {
    "ru": frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюя"),
    "uk": frozenset("абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"),
    "be": frozenset("абвгдеёжзійклмнопрстуўфхцчшыьэюя"),
    "bg": frozenset("абвгдежзийклмнопрстуфхцчшщъьюяѝ"),
    "sr": frozenset("абвгдђежзијклљмнњопрстћуфхцчџш"),
    "mk": frozenset("абвгдѓежзѕијклљмнњопрстќуфхцчџшѐѝ"),
}

#: Below this confidence (among the languages the letters allow) the model is taken as unsure.
CONFIDENT = 0.6

#: Texts of at most this many words go by a dictionary first, where only one knows them all.
SHORT = 3

#: Languages with a dictionary to consult when the model is unsure (pymorphy3's).
DICTIONARIES = ("ru", "uk")

_CYRILLIC_WORD = regex.compile(r"[\p{Script=Cyrillic}'’ʼ]+")
_SCRIPTS = tuple(
    (name, regex.compile(rf"\p{{Script={name}}}"))
    for name in ("Latin", "Cyrillic", "Greek", "Arabic", "Hebrew", "Armenian", "Georgian", "Han")
)
_LETTER = regex.compile(r"\p{L}")
#: Languages whose articles are written in another script than Latin.
_ARTICLE_SCRIPT = {
    "ru": "Cyrillic", "uk": "Cyrillic", "be": "Cyrillic", "bg": "Cyrillic", "sr": "Cyrillic",
    "mk": "Cyrillic", "kk": "Cyrillic", "el": "Greek", "ar": "Arabic", "he": "Hebrew",
    "hy": "Armenian", "ka": "Georgian", "zh": "Han",
}
#: Separators that set rubrics apart ("Новости · Политика") rather than join words of a sentence.
_RUBRIC_SEPARATORS = frozenset("·•|/\\")
_SENTENCE_END = regex.compile(r"[.!?…]")
_LINE_BREAK = regex.compile(r"[\n\r\u2028\u2029]")
_BLANK_LINE = regex.compile(r"\n[^\S\n]*\n")
#: Abbreviations after which a full stop does not end a sentence (г. Киев, ул. Крещатик).
_ABBREVIATIONS = frozenset({
    "г", "гг", "ул", "пр", "просп", "пл", "им", "св", "т", "д", "др", "проф", "акад", "обл",
    "р", "ст", "тов", "вул", "м", "с", "див", "напр", "рис", "см", "стр", "ген", "полк",
})


def answer_key(text: str, candidates: Sequence[str]) -> str:
    """What an answer is kept under (see `engine.remembered`): the candidates in order, and
    the text."""
    return f"identify|{','.join(candidates)}|{text}"


def letter_candidates(text: str, candidates: Sequence[str] = CANDIDATES) -> tuple[str, ...]:
    """The candidates whose alphabet has every Cyrillic letter of `text`, in the given order."""
    letters = {c for c in text.lower() if "\u0400" <= c <= "\u04ff"}
    return tuple(c for c in candidates if c not in ALPHABETS or letters <= ALPHABETS[c])


@functools.cache
def _detector(candidates: tuple[str, ...]) -> Any:
    """A lingua detector for these languages, built once per process (its models load lazily).

    Low-accuracy mode (trigram models) loads in about 0.15 s against 2 to 4 s for
    the full models, which every editor's run would pay; the short spans where
    the full models do better are decided by letters and dictionaries first.

    This cache and morphology's analysers are the only state kept between calls.
    """
    from lingua import LanguageDetectorBuilder

    languages = _languages(candidates)
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


@functools.cache
def _languages(candidates: tuple[str, ...]) -> tuple[Any, ...]:
    """lingua's languages for the codes (no model loaded); ValueError for a code it lacks."""
    from lingua import IsoCode639_1, Language

    languages = []
    for code in candidates:
        iso = getattr(IsoCode639_1, code.upper(), None)
        if iso is None:
            raise ValueError(f"language identification does not know {code!r}")
        languages.append(Language.from_iso_code_639_1(iso))
    return tuple(languages)


def confidences(text: str, candidates: Sequence[str] = CANDIDATES) -> dict[str, float]:
    """The model's confidence in each candidate for `text` (they sum to 1)."""
    if len(candidates) < 2:
        return dict.fromkeys(candidates, 1.0)
    detector = _detector(tuple(candidates))
    out: dict[str, float] = {}
    for value in detector.compute_language_confidence_values(text):
        code = value.language.iso_code_639_1.name.lower()
        out[code] = float(value.value)
    return out


def _dictionary_knows(text: str, language: str) -> bool:
    """Whether the language's dictionary has every word of `text` (no guessing)."""
    from glossary_check.engine.morphology import analyzer, spelling

    morph = analyzer(language)
    words = _CYRILLIC_WORD.findall(text)
    return morph is not None and bool(words) and all(
        morph.word_is_known(spelling(w)) for w in words
    )


def identify(text: str, candidates: Sequence[str] = CANDIDATES) -> str:
    """The likeliest of `candidates` for a short text: letters, then model, then dictionary."""
    ordered = tuple(dict.fromkeys(c.lower() for c in candidates))
    if not ordered:
        raise ValueError("identify needs at least one candidate language")
    allowed = letter_candidates(text, ordered)
    if len(allowed) == 1:
        return allowed[0]
    pool = allowed or ordered
    if not _LETTER.search(text):
        return pool[0]
    if len(ordered) > 1:
        _languages(ordered)  # candidates the model does not know are refused all the same
    key = answer_key(text, ordered)
    kept = recall(key)
    if kept in pool:
        return kept
    found = _identify(text, ordered, pool)
    remember(key, found)
    return found


def _identify(text: str, ordered: tuple[str, ...], pool: tuple[str, ...]) -> str:
    """`identify` where letters do not decide: a dictionary, the model, a dictionary."""
    if len(_CYRILLIC_WORD.findall(text)) <= SHORT:
        # a name or two (Игоря Терехова) is where the trigram model guesses worst; decided
        # so, the model (a fortieth of a second to load) is not asked at all
        known = [c for c in pool if c in DICTIONARIES and _dictionary_knows(text, c)]
        if len(known) == 1:
            return known[0]
    scores = confidences(text, ordered)
    total = sum(scores.get(c, 0.0) for c in pool) or 1.0
    share = {c: scores.get(c, 0.0) / total for c in pool}
    best = max(pool, key=lambda c: (share[c], -pool.index(c)))
    if share[best] >= CONFIDENT:
        return best
    known = [c for c in pool if c in DICTIONARIES and _dictionary_knows(text, c)]
    if known:
        return max(known, key=lambda c: (share[c], -pool.index(c)))
    return best


def _script(word: str) -> str | None:
    """The one script of a word's letters; "" for a word of several (mixed), None for none."""
    if word.isascii():  # most words of an English article: Latin letters or none at all
        return "Latin" if any(ch.isalpha() for ch in word) else None
    found = ""
    for ch in word:
        if not _LETTER.match(ch):
            continue
        name = next((n for n, rx in _SCRIPTS if rx.match(ch)), "Other")
        if found and name != found:
            return ""
        found = name
    return found or None


def _breaks(gap: str, before: str, after: str) -> bool:
    """Whether the text between two words ends the unit the first belongs to."""
    if _BLANK_LINE.search(gap) or _RUBRIC_SEPARATORS.intersection(gap):
        return True
    starts_upper = after[:1].isupper() or after[:1].isdigit()
    if _LINE_BREAK.search(gap) and starts_upper:
        return True  # a new line (heading, byline, list item) unless a wrapped sentence goes on
    if _SENTENCE_END.search(gap) and starts_upper:
        stop = gap.lstrip()[:1]
        abbreviated = stop == "." and (len(before) == 1 or before.lower() in _ABBREVIATIONS)
        return not abbreviated
    return False


def spans(
    view: str, tokens: Sequence[Token], article_language: str = "en"
) -> list[tuple[int, int]]:
    """Runs of words in another script than the article's, cut at sentence and line ends.

    A span starts and ends at a word of the foreign script; digits inside it
    stay, punctuation and quotes at its edges are left out. A word mixing
    scripts, or in the article's script, ends a span.
    """
    home = _ARTICLE_SCRIPT.get(article_language.lower().split("-")[0], "Latin")
    out: list[tuple[int, int]] = []
    current: tuple[int, int, str] | None = None  # start, end, script
    last: Token | None = None
    scripts: dict[str, str | None] = {}  # per distinct word: an article repeats its words
    latin_home = home == "Latin"
    for token in tokens:
        if current is None and latin_home and token.text.isascii():
            last = token  # Latin letters or none, outside a span: nothing starts or ends
            continue
        script = scripts.get(token.text, "?")
        if script == "?":
            script = scripts[token.text] = _script(token.text)
        foreign = script is not None and script not in ("", home)
        if current is not None and last is not None and (
            script == "" or script == home or (foreign and script != current[2])
            or _breaks(view[last.end : token.start], last.text, token.text)
        ):
            out.append(current[:2])
            current = None
        last = token
        if not foreign or script is None:
            continue
        if current is None:
            current = (token.start, token.end, script)
        else:
            current = (current[0], token.end, script)
    if current is not None:
        out.append(current[:2])
    return out
