"""Romanisation of Cyrillic names that no glossary entry lists, by the desk's system.

Systems are named per language (`SYSTEMS`); a glossary picks one a language
in its top-level `transliteration` field, and `check_system` is what its
loader calls on each. Ukrainian comes from translitua (the national system
of Cabinet of Ministers resolution 55 of 2010, which BGN/PCGN (2019) and
UNGEGN (2012) adopted too); Russian BGN/PCGN (1947) is a table here, since
no maintained library has it exactly (iuliia's writes a Cyrillic ё for ë and
adds the optional middle dots); the other Russian systems are iuliia's.
Serbian and Bulgarian have their official one-to-one systems.

BGN/PCGN marks the soft and hard signs (Igor’, Pod”yachev), which no English
news desk prints; `transliterate(..., plain=True)` leaves them out for a
suggestion. The scholarly systems (scientific, ISO 9, ALA-LC, GOST) keep
theirs: a desk that chose one wants them.

Letter case is kept a word at a time: a word in capitals comes out in
capitals (ЩЕРБУХИ → SHCHERBUKHY), a capitalised one capitalised (Щербухи →
Shcherbukhy), whatever the library does with a digraph's second letter.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

import regex

#: The default system of each language.
DEFAULTS: dict[str, str] = {
    "uk": "national-2010",
    "ru": "bgn-pcgn",
    "sr": "latin",
    "bg": "streamlined-2009",
}

_TRANSLITUA = {
    "national-2010": "UkrainianKMU",
    "bgn-pcgn": "UkrainianBGN2019",
    "ungegn": "UkrainianUNGEGN",
    "ala-lc": "UkrainianALALC",
    "iso-9": "UkrainianISO9",
    "dstu-9112-a": "UkrainianDSTU9112A",
    "dstu-9112-b": "UkrainianDSTU9112B",
}
_IULIIA = ("wikipedia", "scientific", "icao-doc-9303", "ala-lc", "gost-779", "ungegn-1987",
           "bs-2979", "mosmetro", "yandex-maps")

#: Every system a glossary may name, by language; the first is the default.
SYSTEMS: dict[str, tuple[str, ...]] = {
    "uk": tuple(_TRANSLITUA),
    "ru": ("bgn-pcgn", *_IULIIA),
    "sr": ("latin",),
    "bg": ("streamlined-2009",),
}


class TransliterationError(ValueError):
    """An unknown language or system; str() is a message fit for the glossary's error."""


def check_system(language: str, system: str) -> None:
    """Raise TransliterationError unless `system` is one this checker has for `language`."""
    known = SYSTEMS.get(language)
    if known is None:
        raise TransliterationError(
            f"no transliteration systems for language {language!r} "
            f"(languages with systems: {', '.join(sorted(SYSTEMS))})"
        )
    if system not in known:
        raise TransliterationError(
            f"unknown transliteration system {system!r} for {language!r} "
            f"(known: {', '.join(known)})"
        )


def validate(config: Mapping[str, str]) -> None:
    """Check a glossary's whole `transliteration` mapping (language -> system)."""
    for language, system in config.items():
        check_system(language, system)


# --- tables kept here -----------------------------------------------------------------

_RU_BGN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "ë", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "”", "ы": "y", "ь": "’", "э": "e", "ю": "yu", "я": "ya",
}
#: Letters whose marks a plain rendering leaves out, by (language, system).
_PLAIN_DROPS: dict[tuple[str, str], frozenset[str]] = {("ru", "bgn-pcgn"): frozenset("ьъ")}
#: BGN/PCGN: е and ё take a y word-initially and after these (vowels, й, ъ, ь).
_RU_YE_AFTER = frozenset("аеёиоуыэюяйъь")

_BG = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sht",
    "ъ": "a", "ь": "y", "ю": "yu", "я": "ya", "ѝ": "i",
}

_SR = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "đ", "е": "e", "ж": "ž", "з": "z",
    "и": "i", "ј": "j", "к": "k", "л": "l", "љ": "lj", "м": "m", "н": "n", "њ": "nj", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "ć", "у": "u", "ф": "f", "х": "h", "ц": "c",
    "ч": "č", "џ": "dž", "ш": "š",
}


def _ru_bgn(word: str) -> list[str]:
    """BGN/PCGN (1947) for Russian, without the optional middle dot: one chunk a letter."""
    out = []
    for i, ch in enumerate(word):
        chunk = _RU_BGN.get(ch, ch)
        if ch in "её" and (i == 0 or word[i - 1] in _RU_YE_AFTER):
            chunk = "y" + chunk
        out.append(chunk)
    return out


def _bg(word: str) -> list[str]:
    """Bulgarian Streamlined System (Transliteration Act 2009): -ия at a word's end is -ia."""
    out = [_BG.get(ch, ch) for ch in word]
    if word.endswith("ия"):
        out[-1] = "a"
    return out


def _sr(word: str) -> list[str]:
    """Serbian Cyrillic to the official Latin alphabet, letter for letter."""
    return [_SR.get(ch, ch) for ch in word]


_OWN: dict[tuple[str, str], Callable[[str], list[str]]] = {
    ("ru", "bgn-pcgn"): _ru_bgn,
    ("bg", "streamlined-2009"): _bg,
    ("sr", "latin"): _sr,
}


# --- library systems ------------------------------------------------------------------


@functools.cache
def _library(language: str, system: str) -> Callable[[str], str]:
    """The library function for a system, imported on first use."""
    if language == "uk":
        import translitua

        table = getattr(translitua, _TRANSLITUA[system])
        return lambda text: str(translitua.translit(text, table))
    import iuliia

    schema = iuliia.schemas.get(system.replace("-", "_"))

    def translate(text: str) -> str:
        # iuliia writes the Cyrillic letter where its schemas mean ë
        return str(schema.translate(text)).replace("ё", "ë").replace("Ё", "Ë")

    return translate


_WORD = regex.compile(r"[\p{L}\p{M}]+(?:['’ʼ][\p{L}\p{M}]+)*")
_CYRILLIC = regex.compile(r"\p{Script=Cyrillic}")


def _capitals(word: str) -> bool:
    cased = [c for c in word if c.isupper() or c.islower()]
    return len(cased) > 1 and all(c.isupper() for c in cased)


def _own_word(engine: Callable[[str], list[str]], word: str, drop: frozenset[str]) -> str:
    lower = word.lower()
    chunks = engine(lower)
    if drop and len(chunks) == len(lower):
        chunks = ["" if ch in drop else c for ch, c in zip(lower, chunks, strict=True)]
    if len(chunks) != len(word):
        return "".join(chunks)
    if _capitals(word):
        return "".join(chunks).upper()
    return "".join(
        (c[:1].upper() + c[1:]) if ch.isupper() else c for ch, c in zip(word, chunks, strict=True)
    )


def _library_word(convert: Callable[[str], str], word: str) -> str:
    if _capitals(word):
        return convert(word.lower()).upper()
    if word[:1].isupper() and word[1:].islower():
        out = convert(word.lower())
        return out[:1].upper() + out[1:]
    return convert(word)


def transliterate(text: str, language: str, system: str | None = None, plain: bool = False
                  ) -> str:
    """`text` romanised by `system` (the language's default when None); `plain` for print.

    A language with no system at all (Belarusian, Macedonian) comes back as
    written; a system the language does not have raises TransliterationError.
    """
    if system is None:
        system = DEFAULTS.get(language)
        if system is None:
            return text
    check_system(language, system)
    own = _OWN.get((language, system))
    if own is not None:
        engine = own
        drop = _PLAIN_DROPS.get((language, system), frozenset()) if plain else frozenset()

        def convert_word(word: str) -> str:
            return _own_word(engine, word, drop)
    else:
        library = _library(language, system)

        def convert_word(word: str) -> str:
            return _library_word(library, word)

    out: str = _WORD.sub(
        lambda m: convert_word(m.group()) if _CYRILLIC.search(m.group()) else m.group(), text
    )
    return out
