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
import unicodedata
from collections.abc import Callable, Iterator, Mapping

import regex

from glossary_check.core.errors import GlossaryCheckError, did_you_mean, hint
from glossary_check.engine.remembered import remembered, table, truth

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


class TransliterationError(GlossaryCheckError, ValueError):
    """An unknown language or system; str() is a message fit for the glossary's error."""


def check_system(language: str, system: str) -> None:
    """Raise TransliterationError unless `system` is one this checker has for `language`."""
    known = SYSTEMS.get(language)
    if known is None:
        guess = did_you_mean(language, SYSTEMS)
        raise TransliterationError(
            f"no transliteration systems for language {language!r} ("
            + (f"did you mean {guess!r}?" if guess else
               f"languages with systems: {', '.join(sorted(SYSTEMS))}") + ")"
        )
    if system not in known:
        raise TransliterationError(
            f"unknown transliteration system {system!r} for {language!r} ({hint(system, known)})"
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


# --- back to Cyrillic: one name in two romanisations --------------------------------------

_UK_LETTERS = "абвгґдеєжзиіїйклмнопрстуфхцчшщюя"
_RU_LETTERS = "абвгдеёжзийклмнопрстуфхцчшщыэюя"
#: Names written in the French, German or Polish manner (Tchaïkovski, Chruschtschow,
#: Czajkowski), and spellings English keeps from them: none of the systems above has these.
_FOREIGN_STYLES = (
    ("tch", "ч"), ("tsch", "ч"), ("cz", "ч"), ("sch", "ш"), ("ch", "ш"), ("sz", "ш"),
    ("ou", "у"), ("j", "й"), ("j", "ж"), ("dj", "дж"), ("w", "в"), ("rz", "ж"), ("c", "ц"),
    ("c", "к"), ("ck", "к"), ("x", "кс"), ("ks", "кс"), ("ł", "л"), ("ie", "е"), ("ch", "х"),
)
#: Endings the systems write as a whole (-ий, -ія), and the soft sign's apostrophe.
_ENDINGS = ("ий", "ый", "ій", "ия", "ія")


def _chunks(convert: Callable[[str], str], letters: str) -> Iterator[tuple[str, str]]:
    """(Latin, Cyrillic) pairs a system writes: each letter first, inside and last in a
    word (the systems' only contexts), and the endings it writes as a whole."""
    for c in letters:
        for before, after in (("", "а"), ("а", "а"), ("а", "")):
            latin = convert(before + c + after)
            if latin.startswith("a" * len(before)) and latin.endswith("a" * len(after)):
                yield latin[len(before) : len(latin) - len(after)], c
    for ending in _ENDINGS:
        latin = convert("а" + ending)
        if latin.startswith("a"):
            yield latin[1:], ending


@functools.cache
@remembered("reverse", __file__, table)
def _reverse() -> dict[str, tuple[str, ...]]:
    """Latin chunk -> the Cyrillic letters it stands for under any system this checker
    knows, for Ukrainian and Russian, and in the foreign styles; sorted, because
    `readings` stops at a limit and must stop at the same place in every process."""
    table: dict[str, set[str]] = {}
    for language, letters in (("uk", _UK_LETTERS), ("ru", _RU_LETTERS)):
        for system in SYSTEMS[language]:
            own = _OWN.get((language, system))
            convert = (lambda w, e=own: "".join(e(w))) if own else _library(language, system)
            for latin, cyrillic in _chunks(convert, letters):
                key = unicodedata.normalize("NFC", latin.casefold()).replace("’", "")
                key = key.replace("”", "").replace("'", "")
                if key:
                    table.setdefault(key, set()).add(cyrillic)
    for latin, cyrillic in _FOREIGN_STYLES:
        table.setdefault(latin, set()).add(cyrillic)
    return {k: tuple(sorted(v)) for k, v in table.items()}


@functools.lru_cache(maxsize=65536)
def _latin_key(word: str) -> str:
    """Case, apostrophes (the soft sign's) and accents the tables do not know folded off."""
    table = _reverse()
    out = []
    for ch in unicodedata.normalize("NFC", word.casefold()):
        if ch in "'’ʼ`\"”":
            continue
        if ch not in table and not any(k.startswith(ch) for k in table):
            ch = unicodedata.normalize("NFD", ch)[0]
        out.append(ch)
    return "".join(out)


@functools.lru_cache(maxsize=65536)
def _readings(word: str, i: int) -> tuple[tuple[int, str], ...]:
    """(next position, Cyrillic) for each way to read `word` from position i; a doubled
    letter may be one (Zelenskyy, Hanna), and a last i or y may be -ий with its й unwritten
    (-ski). Kept per process: comparing a spelling with others reads it from the same
    positions again and again."""
    return tuple(_each_reading(word, i))


def _each_reading(word: str, i: int) -> Iterator[tuple[int, str]]:
    table = _reverse()
    for size in range(1, 5):
        chunk = word[i : i + size]
        if len(chunk) < size:
            break
        for cyrillic in table.get(chunk, ()):
            yield i + size, cyrillic
            if size == 1 and word[i + 1 : i + 2] == chunk:
                yield i + 2, cyrillic
        if i + size == len(word) and chunk in ("i", "y"):
            for ending in ("ий", "ый", "ій"):
                yield i + size, ending


def _meet(a: str, b: str) -> bool:
    """Whether two Latin words read as one Cyrillic string: the product of their readings,
    walked with the text one side has produced ahead of the other."""
    seen: set[tuple[int, int, str, str]] = set()
    stack = [(0, 0, "", "")]
    while stack:
        state = stack.pop()
        if state in seen:
            continue
        seen.add(state)
        i, j, ahead_a, ahead_b = state
        if i == len(a) and j == len(b) and not ahead_a and not ahead_b:
            return True
        if not ahead_a and i < len(a):
            for i2, out in _readings(a, i):
                stack.extend(_advance(i2, j, out, ahead_b))
        elif not ahead_b and j < len(b):
            for j2, out in _readings(b, j):
                stack.extend(_advance(i, j2, ahead_a, out))
    return False


def _advance(i: int, j: int, ahead_a: str, ahead_b: str) -> list[tuple[int, int, str, str]]:
    """The state after one side read more, the common start of what both produced cut off."""
    n = min(len(ahead_a), len(ahead_b))
    if ahead_a[:n] != ahead_b[:n]:
        return []
    return [(i, j, ahead_a[n:], ahead_b[n:])]


@functools.lru_cache(maxsize=65536)
def same_name(a: str, b: str) -> bool:
    """Whether two Latin spellings can be one Cyrillic name under the romanisations this
    checker knows (national, BGN/PCGN, scientific, ISO 9, ...), or the French, German and
    Polish ways of writing it: Sobyanin and Sobianin, Zelenskiy and Zelenski, Volkov and
    Wolkow, Hanna and Ganna; not Stevens and Stephens, nor Zorica and Zoria."""
    ka, kb = _latin_key(a), _latin_key(b)
    return ka == kb or _meet(ka, kb)


@functools.lru_cache(maxsize=65536)
def name_keys(latin: str) -> frozenset[tuple[str, str]]:
    """Keys two spellings share whenever `same_name` holds for them: the first and last
    letters of a Cyrillic string the spelling can be read as, or of the spelling itself
    (folded as `same_name` folds it). Spellings with no key in common are not one name,
    so a long list of names is compared only where keys meet."""
    word = _latin_key(latin)
    if not word:
        return frozenset({("", "")})
    firsts = {"=" + word[0]} | {out[0] for _, out in _readings(word, 0)}
    lasts = {"=" + word[-1]}
    for i in range(max(0, len(word) - 4), len(word)):
        lasts.update(out[-1] for end, out in _readings(word, i) if end == len(word))
    return frozenset((a, b) for a in firsts for b in lasts)


@functools.lru_cache(maxsize=65536)
@remembered("reads-as", __file__, truth)
def reads_as(latin: str, cyrillic: str) -> bool:
    """Whether a Latin spelling can be a romanisation of a Cyrillic word (soft signs off).

    Kept per process: a check asks it of every unknown Latin word against every
    Cyrillic name of the article, and articles repeat both."""
    target = _unsoftened(cyrillic)
    word = _latin_key(latin)
    if word and target and (target[0], target[-1]) not in name_keys(latin):
        return False  # no reading starts and ends as the word does
    seen: set[tuple[int, int]] = set()
    stack = [(0, 0)]
    while stack:
        i, j = stack.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(word) and j == len(target):
            return True
        for i2, out in _readings(word, i):
            if target.startswith(out, j):
                stack.append((i2, j + len(out)))
    return False


def _unsoftened(cyrillic: str) -> str:
    return "".join(c for c in cyrillic.casefold() if c not in "ьъ'’ʼ")


def reading_ends(cyrillic: str) -> tuple[str, str] | None:
    """The key `name_keys(latin)` must hold for `reads_as(latin, cyrillic)` to be true:
    the first and last letters of the word as read (None: any spelling may be asked)."""
    target = _unsoftened(cyrillic)
    return (target[0], target[-1]) if target else None


def readings(latin: str, limit: int = 256) -> list[str]:
    """Cyrillic strings a Latin spelling can be read back as (at most `limit` of them)."""
    word = _latin_key(latin)
    out: list[str] = []

    def walk(i: int, prefix: str) -> None:
        if len(out) >= limit:
            return
        if i == len(word):
            out.append(prefix)
            return
        for i2, cyrillic in _readings(word, i):
            walk(i2, prefix + cyrillic)

    walk(0, "")
    return out


def desk_renders(latin: str, systems: Mapping[str, str]) -> list[tuple[str, str]]:
    """(language, Cyrillic) whose romanisation by the desk's system is exactly `latin`."""
    alphabets = {"uk": frozenset(_UK_LETTERS), "ru": frozenset(_RU_LETTERS)}
    found = []
    for cyrillic in dict.fromkeys(readings(latin)):
        for language, letters in alphabets.items():
            if not set(cyrillic) <= letters:
                continue
            written = transliterate(cyrillic.capitalize(), language, systems.get(language))
            if written.casefold() == latin.casefold():
                found.append((language, cyrillic))
    return found
