"""`number`: a number of the original that its translated paragraph does not give."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

import regex

from glossary_check.core.findings import Severity
from glossary_check.rules import Context, Example, Hit, Rule, RuleDoc

DOC = RuleDoc(
    what="""Runs with `--source ORIGINAL TRANSLATION`, on the paragraphs lined up as for
    `mistranslation`: every number a source paragraph gives must be in the translated
    paragraph, however it is written there: digits or words (двадцать пять, twenty-five,
    25), a decimal comma or point (3,5 and 3.5), thousands separated by a space, a
    no-break or thin space, or a comma (1 500, 1,500), a scale word or its abbreviation
    (3 млн, 3 мільйони, 3 million, 3m), a percentage, a date or a decade (3 сентября,
    September 3, 1990-х, 1990s), a range (5–7), a Roman numeral (XX век, 20th
    century). Number words are read in any case form through the morphology. `один`
    and `одна` alone (one of, a) are never required, nor two after between (между
    двумя странами: relations between the countries), nor a number inside a name
    (Ту-154, COVID-19, G7). Where the translated paragraph has exactly one number the
    original lacks, that number is pointed at as the likely wrong one; otherwise the
    finding is on the paragraph's first line.""",
    why="""A transposed figure (27 for 72), a dropped million or a lost date changes the
    story while reading perfectly well; an editor comparing by eye misses it.""",
    flagged=(Example("The storm killed 72 people.", source="Буря унесла жизни 27 человек."),
             Example("Prices rose on Monday.", source="3 сентября цены выросли на 5%.")),
    clean=(Example("The storm killed twenty-seven people.",
                   source="Буря унесла жизни двадцати семи человек."),
           Example("Prices rose 5 percent on Sept. 3.",
                   source="3 сентября цены выросли на 5%."),
           Example("One of the ministers resigned.", source="Один из министров ушёл в отставку.")),
    fix="None: which figure is right needs a person.",
)

_SPACE = "[ \u00a0\u202f\u2009]"
#: A number in digits: thousands grouped by a space (1 500) or a comma (1,500), a fraction.
_DIGITS = regex.compile(
    rf"(?<![\p{{N}}.,])(?:\d{{1,3}}(?:{_SPACE}\d{{3}})+(?!\d)|\d{{1,3}}(?:,\d{{3}})+(?![\d])|\d+)"
    r"(?:[.,]\d+(?![.,]\d))?"
)
_ROMAN = regex.compile(r"(?<![\p{L}\p{N}])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})"
                       r"(?:IX|IV|V?I{0,3})(?![\p{L}\p{N}])")
_ROMAN_VALUES = {"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}
#: Words after a Roman numeral that make even one letter (V век) a number.
_ROMAN_NOUNS = ("век", "вік", "столет", "століт", "съезд", "з'їзд", "созыв", "скликан")
_TOKEN = regex.compile(r"[\p{L}\p{M}]+(?:['’ʼ][\p{L}\p{M}]+)*")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'"})

_UNITS_RU = ("ноль один два три четыре пять шесть семь восемь девять десять одиннадцать "
             "двенадцать тринадцать четырнадцать пятнадцать шестнадцать семнадцать "
             "восемнадцать девятнадцать")
_UNITS_UK = ("нуль один два три чотири п'ять шість сім вісім дев'ять десять одинадцять "
             "дванадцять тринадцять чотирнадцять п'ятнадцять шістнадцять сімнадцять "
             "вісімнадцять дев'ятнадцять")
_UNITS_EN = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
             "fourteen fifteen sixteen seventeen eighteen nineteen")
_TENS_RU = "двадцать тридцать сорок пятьдесят шестьдесят семьдесят восемьдесят девяносто"
_TENS_UK = "двадцять тридцять сорок п'ятдесят шістдесят сімдесят вісімдесят дев'яносто"
_TENS_EN = "twenty thirty forty fifty sixty seventy eighty ninety"
_HUNDREDS_RU = "сто двести триста четыреста пятьсот шестьсот семьсот восемьсот девятьсот"
_HUNDREDS_UK = "сто двісті триста чотириста п'ятсот шістсот сімсот вісімсот дев'ятсот"


def _table(units: str, tens: str, hundreds: str = "") -> dict[str, float]:
    out: dict[str, float] = {w: float(i) for i, w in enumerate(units.split())}
    out.update({w: float(20 + 10 * i) for i, w in enumerate(tens.split())})
    out.update({w: float(100 * (i + 1)) for i, w in enumerate(hundreds.split())})
    return out


#: Scale words and their abbreviations (with or without a full stop).
SCALES: dict[str, float] = {
    "тысяча": 1e3, "тыс": 1e3, "тисяча": 1e3, "тис": 1e3, "миллион": 1e6, "мільйон": 1e6,
    "млн": 1e6, "миллиард": 1e9, "мільярд": 1e9, "млрд": 1e9, "триллион": 1e12,
    "трильйон": 1e12, "трлн": 1e12,
    "thousand": 1e3, "k": 1e3, "million": 1e6, "mln": 1e6, "m": 1e6, "billion": 1e9,
    "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12, "trn": 1e12,
}
#: Lemma -> value for Russian and Ukrainian number words. Collectives (трое, двоє) are left
#: out: "трое мужчин" is as often "men" as "three men".
LEMMAS: dict[str, float] = {
    **_table(_UNITS_RU, _TENS_RU, _HUNDREDS_RU), **_table(_UNITS_UK, _TENS_UK, _HUNDREDS_UK),
    "полтора": 1.5, "півтора": 1.5,
}
#: English number words, cardinal and ordinal, and words that give a number in passing.
ENGLISH: dict[str, float] = {
    **_table(_UNITS_EN, _TENS_EN), "hundred": 100, "dozen": 12, "half": 0.5,
    "both": 2, "twice": 2, "double": 2, "couple": 2, "pair": 2, "once": 1, "single": 1,
    "triple": 3, "thrice": 3, "first": 1, "second": 2, "third": 3, "fifth": 5, "eighth": 8,
    "ninth": 9, "twelfth": 12, "decade": 10, "decades": 10, "biennial": 2,
    "noon": 12, "midnight": 12,
}
#: Forms the dictionary reads only as another word (сорока, a magpie, in Ukrainian).
_OBLIQUE = {"сорока": "сорок"}
_CARDINALS = frozenset((_UNITS_EN + " " + _TENS_EN + " hundred").split())
#: English compounds led by a number word (fourballs, twofold, threesome).
_COMPOUND_TAILS = ("balls", "ball", "somes", "some", "fold")
for _word, _value in list(ENGLISH.items()):
    if _value >= 4 and _word in (_UNITS_EN + " " + _TENS_EN).split():
        ENGLISH.setdefault(_word[:-1] + "ieth" if _word.endswith("y") else _word + "th", _value)
#: Words a number group may run across (three hundred and fifty).
_JOINERS = frozenset({"and", "и", "і", "й"})
#: The words for one, which alone are a pronoun or an article far more often than a count.
_ONE = 1.0


@dataclass(frozen=True, slots=True)
class Number:
    """A number as written, with every value it can stand for (3 млн: 3 and 3,000,000)."""

    start: int
    end: int
    values: frozenset[float]
    #: digits or cardinal words, which a mistyped figure is; not first, both, fourballs
    pointable: bool = True
    #: inside a name (Ту-154, COVID-19, G7) or a measure a translation may convert (6 метров,
    #: 20 feet): never required, never the wrong one
    loose: bool = False


def _key(value: float) -> float:
    return round(value, 6)


def _digits_values(text: str, english: bool) -> set[float]:
    """3,5 is 3.5 in the original and 1,500 is 1500 in English; a lone ,NNN is both."""
    plain = regex.sub(_SPACE, "", text)
    values: set[float] = set()
    if "," in plain:
        head, _, tail = plain.rpartition(",")
        grouped = len(tail) == 3 and "." not in plain
        if english or grouped:
            values.add(float(plain.replace(",", "")) if grouped else float(head.replace(",", "")))
        if not english or not grouped:
            values.add(float(head.replace(",", "") + "." + tail))
    else:
        values.add(float(plain))
    return values


#: Units of measure a translation converts (metres to feet, Celsius to Fahrenheit).
_MEASURE = regex.compile(
    rf"(?:\s*(?:to|or|до|или|або|[-–—])\s*[\d.,]+)?"
    rf"(?:{_SPACE}|-)?(?:(?:млн|млрд|тыс|тис)\.?{_SPACE}?)?(?:°|(?:км|см|мм|м|кг|га)(?![\p{{L}}])|"
    r"(?:кило|кіло|санти|милли|мілі)?метр|километр|кілометр|килограм|кілограм|градус|тонн|"
    r"литр|літр|гектар|мил[ьия]|мил[ья]|фут|дюйм|фунт|"
    r"mph|miles?\b|inch|inches\b|feet\b|foot\b|ft\b|pounds?\b|lbs?\b|degrees?\b|yards?\b"
    r"|gallons?\b|acres?\b|ounces?\b|km\b|kg\b|cm\b|mm\b|metres?\b|meters?\b)",
    regex.IGNORECASE,
)
#: A time of day: 13:00, 19.00 (a point only before 00 or 30: 7.5 is a fraction), 19 часов.
_TIME = regex.compile(r"(?<![\d.,:])([01]?\d|2[0-3])(?::([0-5]\d)|\.(00|30)|"
                      rf"(?={_SPACE}(?:час|годин)))(?![\d]|[.,]\d)")


def _measured(view: str, end: int) -> bool:
    return _MEASURE.match(view, end) is not None


def _hours(hour: int) -> frozenset[float]:
    """13:00 is 1 p.m.; 0:00 is midnight, 12."""
    return frozenset(float(h) for h in {hour, hour % 12 or 12, hour + 12 if hour < 12 else hour})


def _in_name(view: str, start: int, end: int) -> bool:
    """A number joined to a name: Ту-154, COVID-19, G7, 5G, F-16."""
    before = view[max(0, start - 2) : start]
    if before[-1:].isalpha() or (before[-1:] in "-‐" and before[:1].isalpha() and before):
        return True
    after = view[end : end + 1]
    return after.isalpha() and after.isupper()


def _roman(text: str) -> float:
    total = 0
    for a, b in zip(text, text[1:] + " ", strict=True):
        v = _ROMAN_VALUES[a]
        total += -v if b != " " and _ROMAN_VALUES[b] > v else v
    return float(total)


def _scale_after(view: str, end: int, scale_of: dict[str, float]) -> float | None:
    """The scale word or abbreviation right after a number (3 млн., 3 million, 3bn)."""
    m = regex.compile(rf"{_SPACE}?([\p{{L}}']+)").match(view, end)
    if m is None:
        return None
    word = m.group(1).casefold()
    return scale_of.get(word)


def _english_value(key: str) -> tuple[float, bool] | None:
    if key in SCALES and len(key) > 2:
        return SCALES[key], True
    value = ENGLISH.get(key)
    if value is None and key.endswith(_COMPOUND_TAILS):
        value = next((ENGLISH[key[: -len(t)]] for t in _COMPOUND_TAILS
                      if key.endswith(t) and key[: -len(t)] in ENGLISH), None)
    return None if value is None else (value, False)


class Reader:
    """Numbers in one language: digits and Roman numerals everywhere, words by table."""

    def __init__(self, language: str) -> None:
        self.english = language == "en"
        self.morph = None
        if not self.english:
            from glossary_check.engine.morphology import analyzer

            self.morph = analyzer(language)

    def word_value(self, word: str, beside: bool = False) -> tuple[float, bool] | None:
        """A number word's value and whether it is a scale word (тысяч, million). Beside
        another number word, a less likely reading counts too (двадцяти п'яти: five, not a
        heel)."""
        key = word.casefold().translate(_APOSTROPHES)
        if self.english:
            return _english_value(key)
        if key in SCALES:
            return SCALES[key], True
        lemmas = {key}
        if self.morph is not None:
            # alone, the likeliest reading only: семью is family before it is seven
            parses = self.morph.parse(key)
            lemmas |= {p.normal_form.translate(_APOSTROPHES) for p in parses[: None if beside
                                                                              else 1]}
        if beside and key in _OBLIQUE:
            lemmas.add(_OBLIQUE[key])
        for lemma in lemmas:
            if lemma in SCALES:
                return SCALES[lemma], True
        for lemma in lemmas:
            if lemma in LEMMAS:
                return LEMMAS[lemma], False
        return None

    def numbers(self, view: str, start: int, end: int) -> list[Number]:
        found = self._digits(view, start, end) + self._romans(view, start, end)
        found += self._words(view, start, end)
        if not self.english:
            found = [_between_two(view, n) for n in found]
        return sorted(found, key=lambda n: n.start)

    def _times(self, view: str, start: int, end: int) -> list[Number]:
        out = []
        for m in _TIME.finditer(view, start, end):
            out.append(Number(m.start(1), m.end(1), _hours(int(m.group(1)))))
            minutes = m.group(2) or m.group(3) or "0"
            if int(minutes):
                out.append(Number(m.end(1) + 1, m.end(), frozenset({float(minutes)})))
        return out

    def _digits(self, view: str, start: int, end: int) -> list[Number]:
        out = self._times(view, start, end)
        taken = [m.span() for m in _TIME.finditer(view, start, end)]
        for m in _DIGITS.finditer(view, start, end):
            if any(a <= m.start() < b or m.start() <= a < m.end() for a, b in taken):
                continue
            values = self._values(view, m)
            loose = _in_name(view, m.start(), m.end()) or _measured(view, m.end())
            out.append(Number(m.start(), m.end(), frozenset(_key(v) for v in values),
                              loose=loose))
        return out

    def _values(self, view: str, m: regex.Match[str]) -> set[float]:
        """What a number in digits can stand for, with its scale (3 млн) and its century
        (90-х, the '90s: 1990)."""
        values = _digits_values(m.group(), self.english)
        scale = _scale_after(view, m.end(), SCALES) or self._scale_word(view, m.end())
        if scale:
            # the original's 3 млн is only 3 million; a translation's 3m is either
            scaled = {v * scale for v in values}
            values = scaled | values if self.english else scaled
        decade = regex.match(r"(?:-|–)?[хx]\b|s\b", view[m.end() : m.end() + 3]) or (
            self.english and view[m.start() - 1 : m.start()] in ("'", "’"))
        if decade and len(m.group()) == 2:
            values |= {1900 + v for v in values} | {2000 + v for v in values}
        return values

    def _scale_word(self, view: str, end: int) -> float | None:
        m = regex.compile(rf"(?:{_SPACE}|-)?(\p{{L}}+)").match(view, end)
        if m is None:
            return None
        found = self.word_value(m.group(1))
        if found and found[1]:
            return found[0]
        stem = m.group(1).casefold()
        for word, value in SCALES.items():
            if len(word) > 4 and stem.startswith(word[:-1]):
                return value  # 25-тысячная толпа, мільйонний
        return None

    def _romans(self, view: str, start: int, end: int) -> list[Number]:
        out = []
        for m in _ROMAN.finditer(view, start, end):
            text = m.group()
            if not text:
                continue
            after = view[m.end() : m.end() + 12].strip().casefold()
            if len(text) < 2 and not after.startswith(_ROMAN_NOUNS) and not self.english:
                continue
            if self.english and text == "I":
                continue
            out.append(Number(m.start(), m.end(), frozenset({_roman(text)})))
        return out

    def _words(self, view: str, start: int, end: int) -> list[Number]:
        """Runs of number words composed into one value (двадцати пяти тысяч: 25000)."""
        out: list[Number] = []
        run: list[tuple[int, int, float, bool]] = []
        tokens = list(_TOKEN.finditer(view, start, end))
        likely = [self.word_value(m.group()) for m in tokens]
        for i, m in enumerate(tokens):
            found = likely[i]
            if found is None and ((i and likely[i - 1]) or (i + 1 < len(tokens) and likely[i + 1])):
                found = self.word_value(m.group(), beside=True)
            if found is None:
                if m.group().casefold() in _JOINERS and run:
                    continue
                self._close(view, run, out)
                run = []
                continue
            gap = view[run[-1][1] : m.start()] if run else ""
            if run and not (_joins(run[-1][2:], found)
                            and regex.fullmatch(r"[\s\-‐]*(?:(?:and|и|і|й)\s+)?", gap)):
                self._close(view, run, out)
                run = []
            run.append((m.start(), m.end(), *found))
        self._close(view, run, out)
        return out

    def _close(self, view: str, run: list[tuple[int, int, float, bool]],
               out: list[Number]) -> None:
        if not run:
            return
        total = current = 0.0
        for _, _, value, scale in run:
            if scale:
                total += (current or 1.0) * value
                current = 0.0
            else:
                current += value
        total += current
        alone = len(run) == 1
        if alone and run[0][3]:
            return  # тысячи, millions: no figure alone
        if not self.english and all(value == _ONE for _, _, value, _ in run):
            return  # один из, одна, один одного: a pronoun or an article
        cardinal = all(view[a:b].casefold() in _CARDINALS or scale for a, b, _, scale in run)
        out.append(Number(run[0][0], run[-1][1], frozenset({_key(total)}),
                          pointable=cardinal or not self.english))


#: Between (между, між): a relation of two, which the translation need not count.
_BETWEEN = regex.compile(r"(?:^|[^\p{L}])(?:между|меж|промеж|між|поміж|межи)[ \u00a0]+$",
                         regex.IGNORECASE)


def _between_two(view: str, n: Number) -> Number:
    """Two after between (отношения между двумя странами) is implied by the relation: a
    translation says 'relations between the countries' and loses nothing. Any other figure
    (между тремя странами) is still required."""
    if n.values == {2.0} and _BETWEEN.search(view, max(0, n.start - 12), n.start):
        return dataclasses.replace(n, loose=True)
    return n


def _joins(last: tuple[float, bool], word: tuple[float, bool]) -> bool:
    """Whether a number word continues the one before: twenty-five, сто двадцать, три
    тысячи, тысяча сто; not four and seven."""
    (before, before_scale), (value, scale) = last, word
    if scale:
        return not before_scale or value > before
    if before_scale:
        return True
    for place in (100.0, 10.0):
        if before >= place * (2 if place == 10 else 1) and before % place == 0:
            return value < place
    return False


def _matches(a: Number, b: Number) -> bool:
    return bool(a.values & b.values)


def _show(view: str, n: Number) -> str:
    return " ".join(view[n.start : n.end].split())


def check(ctx: Context) -> Iterator[Hit]:
    pairing = ctx.pairing
    if pairing is None:
        return
    source_reader, target_reader = Reader(pairing.language), Reader(ctx.glossary.language)
    source = pairing.source.view
    for (src_start, src_end), (tgt_start, tgt_end) in pairing.links:
        wanted = [n for n in source_reader.numbers(source, src_start, src_end) if not n.loose]
        if not wanted:
            continue
        given = target_reader.numbers(ctx.view, tgt_start, tgt_end)
        lost = [n for n in wanted if not any(_matches(n, g) for g in given)]
        if not lost:
            continue
        stray = [g for g in given
                 if g.pointable and not g.loose and not any(_matches(g, n) for n in wanted)]
        yield _hit(ctx.view, source, lost, stray, tgt_start, tgt_end)


def _hit(view: str, source: str, lost: list[Number], stray: list[Number], start: int,
         end: int) -> Hit:
    figures = ", ".join(dict.fromkeys(_show(source, n) for n in lost))
    if len(stray) == 1:
        wrong = stray[0]
        message = (f"the original gives {figures} where this paragraph gives "
                   f"'{_show(view, wrong)}'; check the figure.")
        return Hit(wrong.start, wrong.end, message)
    stop = view.find("\n", start, end)
    message = (f"the original gives {figures} but this paragraph has no such number; "
               f"check that no figure was lost or changed.")
    return Hit(start, end if stop < 0 else stop, message, exclusive=False)


RULE = Rule(
    "number",
    Severity.WARNING,
    "a number of the original its translated paragraph does not give",
    DOC,
    check,
)
