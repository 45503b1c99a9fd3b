"""`typography`: quotation marks, one convention an article, and the source language's
typography left in a translation."""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import regex

from glossary_check.core.findings import Applicability, Severity
from glossary_check.rules import Context, Example, Hit, Rule, RuleDoc

DOC = RuleDoc(
    what="""Flags quotation marks and spaces a reader notices and a spell checker does
    not. Quotation marks: a pair opened in one style and closed in another ("…” or
    «…”) or with a curly mark turned the wrong way (“…“); a closing mark with no
    opening one, a quotation never closed, a double mark inside a word (coup d"état);
    guillemets «» and low quotes „“ in English prose, except beside a run of Russian
    or Ukrainian (the span `untranslated` reports), whose marks they are. Apostrophes
    (don't, Kyiv's, ’90s) are not quotation marks, single quotes are not balanced,
    and a quotation running over several paragraphs (each opened again, only the last
    closed, or opened once and closed paragraphs later) is one quotation. One article,
    one convention: straight or curly marks, a comma or full stop inside or outside a
    closing mark after a quoted fragment, and one kind of dash; the house style comes
    from `[tool.glossary-check.typography]` (`quotes`, `punctuation`, `dash`), and
    without it the article's own majority is the style and the minority is flagged. A
    quoted whole sentence ("We will win," he said) fits either punctuation style. In
    English, the source language's typography: №, a decimal comma where it can only
    be one (3,5 billion, 0,7; never 3,500 or 1,2,3), digits grouped by a no-break or
    thin space (1 500), a spaced hyphen used as a dash in an article set with curly
    quotes or dashes (a plain-ASCII article writes its dashes so; a configured `dash`
    flags them anyway). In every language: a no-break or thin space left at the end
    of a line or paragraph, doubled, or a thin space inside a word, and a soft hyphen
    or zero-width character inside a word (one written as an entity, `&shy;`, is a
    deliberate hint and stays). Only prose is read: never code, HTML tags and their
    attributes, or link targets.""",
    why="""Translated copy carries the original's typography with it (« », „ “, №, 3,5,
    spaced hyphens, no-break spaces), and copy edited in several tools mixes straight
    and curly marks; readers see both as sloppiness, and invisible characters inside a
    word break search and hyphenation.""",
    flagged=(Example('"Twenty-six countries have agreed”, Zelensky said.'),
             Example("The loan is worth €3,5 billion."),
             Example("He called it «a farce» on Monday."),
             Example("It was “a farce”, he said; “a joke,” she said; “a shame”, they said."),
             Example("Talks resumed in Paris.\u00a0\n\nThey ended on Friday.\n")),
    clean=(Example("“Twenty-six countries have agreed,” Zelensky said."),
           Example("Kyiv's mayor said the ’90s were over and 3,500 people left."),
           Example("Том Мастерс, специально для «Новой газеты Европа»"),
           Example("“We will win.\n\n“We will not stop.”\n")),
    fix="""Safe where the intent is certain: a straight or curly mark turned to the
    article's style when its direction is clear, a stray no-break or thin space at a
    line's end removed, a doubled one made single, a zero-width character or soft
    hyphen inside a word removed, a decimal comma made a point. Unsafe otherwise:
    guillemets and low quotes replaced, punctuation moved across a closing mark, № as
    No., a spaced hyphen or the minority dash as the article's dash, thin-space
    groups as 1,500.""",
)

QUOTES = ("curly", "straight")
PUNCTUATION = ("inside", "outside", "any")
DASHES = ("em", "spaced-en")


@dataclass(frozen=True, slots=True)
class Typography:
    """A desk's house style, `[tool.glossary-check.typography]`; None: each article's majority."""

    quotes: str | None = None
    punctuation: str | None = None
    dash: str | None = None


#: Spaces that are not the space bar's: no-break, figure, thin, hair, narrow no-break.
_SPECIAL = "\u00a0\u2007\u2009\u200a\u202f"
_THIN = "\u2009\u200a\u202f"
#: Characters no reader sees: soft hyphen, zero-width space, non-joiner, joiner, word joiner,
#: a byte order mark inside the text.
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_NAMES = {"\u00a0": "no-break space", "\u2007": "figure space", "\u2009": "thin space",
          "\u200a": "hair space", "\u202f": "narrow no-break space", "\u00ad": "soft hyphen",
          "\u200b": "zero-width space", "\u200c": "zero-width non-joiner",
          "\u200d": "zero-width joiner", "\u2060": "word joiner",
          "\ufeff": "zero-width no-break space"}

_TAG = regex.compile(r"<[^<>]*>")
_PARAGRAPH_BREAK = regex.compile(r"\n(?:[^\S\n]*\n)+")
_DOUBLE = regex.compile('["“”„«»]')
_STYLE = {'"': "straight", "“": "curly", "”": "curly", "„": "low", "«": "guillemet",
          "»": "guillemet"}
#: What may stand before an opening mark and after a closing one, besides a space.
_OPEN_BEFORE = frozenset("([{—–-/‘“«„")
_CLOSE_AFTER = frozenset(".,;:!?)]}—–-/…”»")
_SINGLE = regex.compile("['‘’]")

_TRAILING = regex.compile(r"(?<=\S)[^\S\n]+(?=\n|\Z)")
_DOUBLED = regex.compile(r"(?<=\S)[^\S\r\n]{2,}(?=\S)")
_THIN_IN_WORD = regex.compile(rf"(?<=\p{{L}})[{_THIN}](?=\p{{L}})")
_INVISIBLE_IN_WORD = regex.compile(
    rf"(?<=[\p{{Latin}}\p{{Cyrillic}}\p{{M}}\p{{N}}])[{_INVISIBLE}]+"
    rf"(?=[\p{{Latin}}\p{{Cyrillic}}\p{{N}}])")
_GROUPED = regex.compile(
    rf"(?<![\d.,{_SPECIAL}])\d{{1,3}}(?:[{_SPECIAL}]\d{{3}})+(?![\d{_SPECIAL}])")

#: After a decimal comma: a scale, a percentage, a currency or a unit makes it certain.
_AFTER_DECIMAL = regex.compile(
    r"[ \u00a0]?(?:%|per[ \u00a0]?cent\b|percent\b|million\b|billion\b|trillion\b|thousand\b"
    r"|bn\b|mln\b|m\b|k\b|km\b|kg\b|cm\b|mm\b|ha\b|tonnes?\b|tons?\b|metres?\b|meters?\b"
    r"|kilomet(?:re|er)s?\b|hectares?\b|degrees?\b|°|euros?\b|dollars?\b"
    r"|roubles?\b|rubles?\b|hryvnias?\b|hryvnyas?\b|UAH\b|USD\b|EUR\b|RUB\b)",
    regex.IGNORECASE,
)
_DECIMAL = regex.compile(r"(?<![\d.,])(?<!\d,)(\d+),(\d+)(?![\d,]|\.\d)")
_CURRENCY = frozenset("$€£₽₴¥")
_NUMERO = regex.compile("№")
_SPACED_HYPHEN = regex.compile(
    r"(?<=[^\s\d])[ \u00a0](--?)[ \u00a0](?=[^\s\d])|(?<=\p{L})(--)(?=\p{L})")
_SPACED_EN = regex.compile(r"(?<=[^\s\d])[ \u00a0\u202f\u2009](–)[ \u00a0\u202f\u2009](?=[^\s\d])")
_EM = regex.compile("—")


@dataclass(slots=True)
class Mark:
    """A double quotation mark in the prose, read as opening or closing."""

    at: int
    char: str
    style: str  # straight, curly, guillemet, low
    opening: bool
    #: an opening mark that begins a sentence (after a colon, at a paragraph's start)
    sentence: bool = False
    #: still open when its paragraph ended
    carried: bool = False
    #: its direction read from its neighbours, not guessed from what is open
    sure: bool = True


class _Foreign:
    """The article's runs of another script, and the marks and signs that belong to them."""

    def __init__(self, view: str, spans: list[tuple[int, int]]) -> None:
        self.view = view
        self.starts = [s for s, _ in spans]
        self.ends = [e for _, e in spans]

    def inside(self, i: int) -> bool:
        k = bisect.bisect_right(self.starts, i) - 1
        return k >= 0 and i < self.ends[k]

    def beside(self, start: int, end: int | None = None) -> bool:
        """Whether [start, end) is in a foreign run or next to one, with nothing but spaces,
        digits and punctuation between them on its line."""
        end = start + 1 if end is None else end
        if not self.starts:
            return False
        view = self.view
        for i in range(start, end):
            if self.inside(i):
                return True
        i = start - 1
        while i >= 0 and start - i <= 4 and view[i] != "\n" and not view[i].isalpha():
            i -= 1
        if i >= 0 and view[i].isalpha() and self.inside(i):
            return True
        j = end
        while j < len(view) and j - end <= 4 and view[j] != "\n" and not view[j].isalpha():
            j += 1
        return j < len(view) and view[j].isalpha() and self.inside(j)


def paragraphs(view: str) -> list[tuple[int, int]]:
    """Stretches between blank lines (the readers end every block with one), blank ones left
    out."""
    out, at = [], 0
    for m in _PARAGRAPH_BREAK.finditer(view):
        out.append((at, m.start()))
        at = m.end()
    out.append((at, len(view)))
    return [(a, b) for a, b in out if view[a:b].strip()]


def _direction(view: str, i: int, start: int, end: int, straight_open: bool) -> tuple[str, bool]:
    """A straight mark's direction (open, close, or word: inside one) from its neighbours, or
    where they do not tell, from whether a straight quotation is open; and whether it is sure."""
    before = view[i - 1] if i > start else " "
    after = view[i + 1] if i + 1 < end else " "
    opens = before.isspace() or before in _OPEN_BEFORE
    closes = after.isspace() or after in _CLOSE_AFTER
    if opens != closes:
        return "open" if opens else "close", True
    if not opens and before.isalnum() and after.isalnum():
        return "word", True
    return "close" if straight_open else "open", False


def _last_before(view: str, start: int, i: int) -> str:
    """The last character before i in [start, i) that is not a space; "" if none."""
    j = i - 1
    while j >= start and view[j].isspace():
        j -= 1
    return view[j] if j >= start else ""


def _starts_sentence(view: str, start: int, i: int) -> bool:
    """Whether the quotation opened at i reads as a whole sentence: at a paragraph's start,
    after a colon or a full stop, or beginning with a capital (He said "We will win.")."""
    last = _last_before(view, start, i)
    return not last or last in ":.!?" or view[i + 1 : i + 2].isupper()


@dataclass(slots=True)
class Quotations:
    pairs: list[tuple[Mark, Mark]]
    strays: list[Mark]  # closing marks with nothing open
    unclosed: list[Mark]
    in_word: list[int]


#: Marks whose shape tells their direction: « and „ open, » closes.
_SHAPED = {"«": "open", "„": "open", "»": "close"}


class _Pairing:
    """`quotations` as a scanner: the marks still open (the innermost last), how many of them
    are straight (which tells a straight mark's direction where its neighbours do not), and
    the paragraph being read."""

    def __init__(self, view: str, english: bool) -> None:
        self.view, self.english = view, english
        self.q = Quotations([], [], [], [])
        self.stack: list[Mark] = []
        self.straight = 0
        self.start = self.end = 0

    def paragraph(self, start: int, end: int, markup: Callable[[int], bool] | None) -> None:
        """Reads one paragraph's marks; what is still open from the last one is carried."""
        self.start, self.end = start, end
        for m in self.stack:
            m.carried = True
        for found in _DOUBLE.finditer(self.view, start, end):
            if markup is None or not markup(found.start()):
                self.mark(found.start(), found.group())

    def mark(self, i: int, ch: str) -> None:
        """One mark: an apostrophe-like one inside a word, an opening or a closing one."""
        way, style, sure = self.read(i, ch)
        if way == "word":
            if not self.before(i).isdigit():
                self.q.in_word.append(i)
        elif way == "open":
            self.open(Mark(i, ch, style, True, _starts_sentence(self.view, self.start, i),
                           sure=sure))
        else:
            self.close(Mark(i, ch, style, False, sure=sure))

    def read(self, i: int, ch: str) -> tuple[str, str, bool]:
        """The mark's direction (open, close, or word: inside one), its style and whether the
        direction is sure."""
        if ch in _SHAPED:
            return _SHAPED[ch], _STYLE[ch], True
        if ch == '"':
            return self.read_straight(i)
        return self.read_right(i) if ch == "”" else self.read_left(i)

    def top(self) -> Mark | None:
        """The innermost quotation open."""
        return self.stack[-1] if self.stack else None

    def before(self, i: int) -> str:
        return self.view[i - 1] if i > self.start else " "

    def direction(self, i: int, straight_open: bool) -> tuple[str, bool]:
        return _direction(self.view, i, self.start, self.end, straight_open)

    def read_straight(self, i: int) -> tuple[str, str, bool]:
        top = self.top()
        if (top is not None and top.at == i - 1 and top.char == '"'
                and self.view[i + 1 : i + 2].isalnum()):
            return "open", "straight", False  # ""Peppa the pig," yes.": one inside another
        way, sure = self.direction(i, self.straight > 0)
        return way, "straight", sure

    def read_right(self, i: int) -> tuple[str, str, bool]:
        """”: closing, unless in English its neighbours say it opens (”a farce”)."""
        if self.english and self.direction(i, False) == ("open", True):
            return "open", "reversed", True
        return "close", "curly", True

    def read_left(self, i: int) -> tuple[str, str, bool]:
        """“: closing a low quotation („…“); else opening, unless in English it follows an
        open curly quotation and its neighbours say it closes (“a farce“)."""
        top = self.top()
        if top is not None and top.style == "low":
            return "close", "curly", True
        if (self.english and top is not None and top.style == "curly"
                and self.direction(i, True) == ("close", True)):
            return "close", "reversed", True
        return "open", "curly", True

    def open(self, mark: Mark) -> None:
        top = self.top()
        if top is not None and top.carried and not _last_before(self.view, self.start, mark.at):
            self.pop()  # a quotation over several paragraphs, opened again in each
        self.stack.append(mark)
        self.straight += mark.style == "straight"

    def close(self, mark: Mark) -> None:
        if self.stack:
            self.q.pairs.append((self.pop(), mark))
        elif not (mark.char == '"' and self.before(mark.at).isdigit()):  # 6'2": inches
            self.q.strays.append(mark)

    def pop(self) -> Mark:
        opener = self.stack.pop()
        self.straight -= opener.style == "straight"
        return opener


def quotations(view: str, spans: list[tuple[int, int]],
               markup: Callable[[int], bool] | None = None, english: bool = True) -> Quotations:
    """Double marks paired across the article, a quotation open at a paragraph's end going on
    into the next ones (reopened there or not) until a closing mark. `markup` tells the marks
    that are not prose (an HTML attribute's). In English a curly mark turned the wrong way
    (“a farce“, ”a farce”) is read by its place, with the style `reversed`."""
    scan = _Pairing(view, english)
    for start, end in spans:
        scan.paragraph(start, end, markup)
    scan.q.unclosed = scan.stack
    return scan.q


def _consistent(a: Mark, b: Mark) -> bool:
    return a.style == b.style or (a.style == "low" and b.style == "curly")


_CHARS = {("curly", True): "“", ("curly", False): "”", ("straight", True): '"',
          ("straight", False): '"', ("guillemet", True): "«", ("guillemet", False): "»",
          ("low", True): "„", ("low", False): "“"}


def _majority(counts: Counter[str], configured: str | None) -> str | None:
    """The configured style, else the one strictly more frequent than every other."""
    if configured is not None:
        return configured
    ranked = counts.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


@dataclass(slots=True)
class _Doubles:
    """The article's double quotation marks, paired, and what the checks of them share."""

    q: Quotations
    foreign: set[int]  # id() of the marks beside Russian or Ukrainian (both of a pair)
    native: list[Mark]  # curly and straight marks, alone or in a pair of one style
    style: str | None  # the house style or the article's majority; None: neither


def _apostrophe(style: str | None) -> str:
    """An apostrophe in the article's style."""
    return "’" if style == "curly" else "'"


class _Check:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.view = ctx.view
        self.style = ctx.typography or Typography()
        self.english = ctx.glossary.language.lower().split("-")[0] == "en"
        self.foreign = _Foreign(self.view, ctx.foreign_spans)
        self.spans = paragraphs(self.view)
        #: whether the article sets its quotation marks curly (found by `quotes`)
        self.curly = False
        document = ctx.document
        self.opens: list[int] = []
        self.closes: list[int] = []
        if document.format == "html" and "<" in document.text:
            self.opens = [m.start() for m in regex.finditer("<", document.text)]
            self.closes = [m.start() for m in regex.finditer(">", document.text)]

    def in_tag(self, i: int) -> bool:
        """Whether view character i comes from inside an HTML tag (an attribute's value, which
        the reader gives as a block of its own): markup, not prose."""
        if not self.opens:
            return False
        at = self.ctx.document.raw_span(i, i + 1)[0]
        lt = bisect.bisect_left(self.opens, at)
        gt = bisect.bisect_left(self.closes, at)
        return lt > 0 and (gt == 0 or self.opens[lt - 1] > self.closes[gt - 1])

    def hit(self, start: int, end: int, message: str, suggestion: str | None = None,
            safe: bool = False) -> Hit:
        fix = Applicability.SAFE if safe else Applicability.UNSAFE
        message = message if message.endswith(("?", "!", ".")) else message + "."
        return Hit(start, end, message, suggestion=suggestion,
                   applicability=fix if suggestion is not None else Applicability.NONE)

    def touching(self, i: int, j: int) -> bool:
        """Whether view characters i < j stand in the file with nothing a reader sees left
        out between them (tags and white space only; no code span, no element's text)."""
        document = self.ctx.document
        if document.starts is None:
            return True
        gap = document.text[document.raw_span(i, i + 1)[1] : document.raw_span(j, j + 1)[0]]
        if document.format == "html":
            gap = _TAG.sub("", gap)
        return not gap.strip()

    # --- quotation marks -----------------------------------------------------------------

    def quotes(self) -> Iterator[Hit]:
        """Each check of the quotation marks, in the order their findings claim a span."""
        doubles = self.doubles()
        yield from self.mixed(doubles)
        yield from self.unbalanced(doubles)
        for i in doubles.q.in_word:
            yield self.hit(i, i + 1, f"{self.view[i]} inside a word: an apostrophe?",
                           _apostrophe(doubles.style))
        if not self.english:
            return
        yield from self.not_english(doubles)
        if doubles.style is not None:
            yield from self.quote_style(doubles.native, doubles.style)
        yield from self.singles()
        yield from self.punctuation(doubles.q, doubles.foreign)

    def doubles(self) -> _Doubles:
        """The double marks paired, those beside Russian or Ukrainian, and the article's style
        (which also tells `dashes` whether the article is typeset)."""
        q = quotations(self.view, self.spans, self.in_tag, self.english)
        beside = self.foreign.beside
        foreign = {id(m) for pair in q.pairs for m in pair if any(beside(x.at) for x in pair)}
        foreign |= {id(m) for m in [*q.strays, *q.unclosed] if beside(m.at)}
        native = [m for pair in q.pairs if _consistent(*pair) for m in pair
                  if m.style in QUOTES]
        native += [m for m in [*q.strays, *q.unclosed] if m.style in QUOTES]
        style = _majority(Counter(m.style for m in native), self.style.quotes)
        self.curly = self.curly or style == "curly"
        return _Doubles(q, foreign, native, style)

    def mixed(self, doubles: _Doubles) -> Iterator[Hit]:
        """Pairs opened in one style and closed in another; the odd mark is the one not in the
        article's style (in English its majority, else curly; in other languages guillemets)."""
        home = (doubles.style or "curly") if self.english else "guillemet"
        for a, b in doubles.q.pairs:
            if _consistent(a, b):
                continue
            wrong, other = (a, b) if a.style != home else (b, a)
            # safe only where the other mark is already the article's: then the pair matches
            safe = other.style == home and wrong.sure and (
                {a.style, b.style} == {"straight", "curly"} or wrong.style == "reversed")
            message = f"quotation opened with {a.char} and closed with {b.char}"
            if other.style == home:
                message += f"; write {_CHARS[home, wrong.opening]} to match {other.char}"
            yield self.hit(wrong.at, wrong.at + 1, message, _CHARS[home, wrong.opening], safe)

    def unbalanced(self, doubles: _Doubles) -> Iterator[Hit]:
        """Closing marks with nothing open, then quotations never closed; neither beside
        Russian or Ukrainian, where the quotation belongs to the untranslated text."""
        for m in doubles.q.strays:
            if id(m) in doubles.foreign:
                continue
            what = f"closing {m.char} with no quotation open before it"
            if self.view[m.at - 1 : m.at].isalpha():  # Dragons" Den
                yield self.hit(m.at, m.at + 1, f"{what}: an apostrophe typed as a quotation "
                               "mark?", _apostrophe(doubles.style))
            else:
                yield self.hit(m.at, m.at + 1, f"{what}: its opening mark is missing")
        for m in doubles.q.unclosed:
            if id(m) not in doubles.foreign:
                yield self.hit(m.at, m.at + 1, f"quotation opened with {m.char} is never closed")

    def not_english(self, doubles: _Doubles) -> Iterator[Hit]:
        """Guillemets and low quotes (and the “ that closes „) in English prose, each to be
        written as the article's English mark."""
        style = doubles.style or "curly"
        for a, b in doubles.q.pairs:
            for m in (a, b):
                low_close = a.style == "low" and m is b and m.char == "“"  # „…“
                if (m.style in ("guillemet", "low") or low_close) and id(m) not in doubles.foreign:
                    yield self.hit(m.at, m.at + 1,
                                   f"{m.char} is not an English quotation mark; English "
                                   f"writes {_CHARS[style, m.opening]}",
                                   _CHARS[style, m.opening])

    def quote_style(self, marks: list[Mark], style: str) -> Iterator[Hit]:
        why = "the house style" if self.style.quotes else "the rest of the article"
        for m in marks:
            if m.style != style and not self.foreign.beside(m.at):
                yield self.hit(m.at, m.at + 1, f"{m.style} {m.char} where {why} uses {style} "
                               "quotation marks", _CHARS[style, m.opening], m.sure)

    def singles(self) -> Iterator[Hit]:
        view = self.view
        found = [m.start() for m in _SINGLE.finditer(view) if not self.foreign.beside(m.start())]
        counts = Counter("straight" if view[i] == "'" else "curly" for i in found)
        style = _majority(counts, self.style.quotes)
        self.curly = self.curly or style == "curly"
        if style is None:
            return
        why = "the house style" if self.style.quotes else "the rest of the article"
        for i in found:
            if ("straight" if view[i] == "'" else "curly") == style:
                continue
            if view[i - 1 : i].isdigit():
                continue  # 5'11": feet, not an apostrophe
            if style == "straight":
                yield self.hit(i, i + 1, f"curly {view[i]} where {why} uses straight ones",
                               "'", True)
                continue
            before = view[i - 1] if i else " "
            after = view[i + 1] if i + 1 < len(view) else " "
            opening = (before.isspace() or before in _OPEN_BEFORE) and after.isalpha()
            yield self.hit(i, i + 1, f"straight ' where {why} uses curly ones",
                           "‘" if opening else "’", not opening)

    def punctuation(self, q: Quotations, foreign: set[int]) -> Iterator[Hit]:
        """A comma or full stop inside or outside a closing mark, judged where the two styles
        differ: after a quoted fragment, or outside after anything."""
        view = self.view
        seen: list[tuple[str, int, int]] = []
        for a, b in q.pairs:
            if id(a) in foreign or a.style not in QUOTES or not _consistent(a, b):
                continue
            j = b.at
            before, after = view[j - 1 : j], view[j + 1 : j + 2]
            if before in (",", ".") and view[j - 2 : j - 1] != "." and not a.sentence:
                seen.append(("inside", j - 1, j + 1))
            elif after in (",", ".") and view[j + 2 : j + 3] != ".":
                seen.append(("outside", j, j + 2))
        wanted = self.style.punctuation
        if wanted == "any":
            return
        style = _majority(Counter(s for s, _, _ in seen), wanted)
        if style is None:
            return
        example = next((view[lo:hi] for s, lo, hi in seen if s == style), None)
        why = (f"the house style puts it {style}" if wanted else
               f"the article puts it {style} elsewhere ({example})")
        for where, lo, hi in seen:
            if where == style:
                continue
            text = view[lo:hi]
            what = "comma" if "," in text else "full stop"
            yield self.hit(lo, hi, f"{what} {where} the closing quotation mark ({text}) where "
                           f"{why}", text[::-1])

    # --- dashes and the source language's signs -----------------------------------------

    def dashes(self) -> Iterator[Hit]:
        view = self.view
        spaced = "--" in view or " -" in view or "\u00a0-" in view  # the pattern's own text
        hyphens = [m for m in _SPACED_HYPHEN.finditer(view)
                   if not self.foreign.beside(*m.span())] if spaced else []
        ens = [m for m in _SPACED_EN.finditer(view) if not self.foreign.beside(*m.span())]
        ems = [m for m in _EM.finditer(view) if not self.foreign.beside(*m.span())]
        configured = self.style.dash
        # a spaced hyphen is a plain-ASCII article's dash; in one set with curly marks or
        # dashes it is a leftover
        typeset = configured is not None or bool(ems or ens) or self.curly
        style = _majority(Counter({"em": len(ems), "spaced-en": len(ens)}) + Counter(),
                          configured)
        dash = "–" if style == "spaced-en" else "—"
        why = "the house style" if configured else "the article"
        if typeset:
            for m in hyphens:
                group = 1 if m.group(1) else 2
                yield self.hit(m.start(group), m.end(group),
                               f"'{m.group(group)}' used as a dash; {why} writes {dash}", dash)
        if style == "em":
            for m in ens:
                yield self.hit(m.start(1), m.end(1),
                               f"spaced en dash where {why} writes an em dash (—)", "—")
        elif style == "spaced-en":
            for m in ems:
                spaced = view[m.start() - 1 : m.start()].isspace()
                yield self.hit(m.start(), m.end(),
                               f"em dash where {why} writes a spaced en dash ( – )",
                               "–" if spaced else " – ")

    def source_signs(self) -> Iterator[Hit]:
        view = self.view
        for m in _NUMERO.finditer(view):
            if self.foreign.beside(m.start()):
                continue
            after = view[m.end() : m.end() + 1]
            yield self.hit(m.start(), m.end(), "№ is not used in English; write No.",
                           "No." if after.isspace() or not after else "No. ")
        for m in _DECIMAL.finditer(view):
            head, tail = m.group(1), m.group(2)
            if len(tail) >= 3 and head != "0":  # 3,500 and 1,2500: not a decimal for sure
                continue
            before = view[m.start() - 1 : m.start()]
            certain = (head == "0" or before in _CURRENCY
                       or _AFTER_DECIMAL.match(view, m.end()) is not None)
            if not certain or self.foreign.beside(*m.span()):
                continue
            yield self.hit(m.start(), m.end(),
                           f"decimal comma in '{m.group()}'; English writes {head}.{tail}",
                           f"{head}.{tail}", True)
        for m in _GROUPED.finditer(view):
            if self.foreign.beside(*m.span()):
                continue
            plain = regex.sub(f"[{_SPECIAL}]", ",", m.group())
            yield self.hit(m.start(), m.end(), f"digits grouped by a {_NAMES[_space(m.group())]}"
                           f"; English writes {plain}", plain)

    # --- spaces and invisible characters ---------------------------------------------------

    def spaces(self) -> Iterator[Hit]:
        """Each check of the spaces and invisible characters, in the order they claim a span.
        Each finds only what has a no-break, thin or invisible character in it: most articles
        have none, and are not scanned for them."""
        view = self.view
        if any(ch in view for ch in _SPECIAL):
            yield from self.trailing_spaces()
            yield from self.doubled_spaces()
            for m in _THIN_IN_WORD.finditer(view):
                yield self.hit(m.start(), m.end(), f"{_NAMES[m.group()]} inside a word", " ")
        if any(ch in view for ch in _INVISIBLE):
            yield from self.invisible()

    def trailing_spaces(self) -> Iterator[Hit]:
        """No-break and thin spaces ending a line or a paragraph, from the first to the last of
        them; not where the file goes on with something the reader left out of the prose."""
        view = self.view
        for m in _TRAILING.finditer(view):
            special = [i for i in range(m.start(), m.end()) if view[i] in _SPECIAL]
            if not special:
                continue
            a, b = special[0], special[-1] + 1
            if m.end() < len(view) and not self.touching(b - 1, m.end()):
                continue  # a code span or an element the reader left out follows
            yield self.hit(a, b, f"{_NAMES[view[a]]} at the end of a {self.ended(m.end())}",
                           "", True)

    def ended(self, end: int) -> str:
        """What a line ending at `end` ends: a paragraph where the next line is blank or there
        is none, else a line."""
        view = self.view
        stop = view.find("\n", end + 1)
        rest = view[end + 1 : len(view) if stop < 0 else stop]
        return "paragraph" if end == len(view) or not rest.strip() else "line"

    def doubled_spaces(self) -> Iterator[Hit]:
        """Two or more spaces in a row, one of them special, written so in the file (not two
        only in the view, around code the reader left out); made single safely when all are
        the same."""
        for m in _DOUBLED.finditer(self.view):
            run = m.group()
            if not any(ch in _SPECIAL for ch in run) or not all(
                    self.touching(i, i + 1) for i in range(m.start(), m.end() - 1)):
                continue
            one = next(ch for ch in run if ch in _SPECIAL)
            yield self.hit(m.start(), m.end(), f"doubled space ({_describe(run)})", one,
                           len(set(run)) == 1)

    def invisible(self) -> Iterator[Hit]:
        """Soft hyphens and zero-width characters inside a word, unless written as an entity
        (&shy;): a deliberate hint."""
        document = self.ctx.document
        for m in _INVISIBLE_IN_WORD.finditer(self.view):
            a, b = document.raw_span(m.start(), m.end())
            if document.text[a:b] != m.group():
                continue
            what = ", ".join(dict.fromkeys(_NAMES[ch] for ch in m.group()))
            yield self.hit(m.start(), m.end(), f"{what} inside a word", "", True)


def _space(text: str) -> str:
    return next(ch for ch in text if ch in _SPECIAL)


def _describe(run: str) -> str:
    return " + ".join(_NAMES.get(ch, "space") for ch in run)


def check(ctx: Context) -> Iterator[Hit]:
    """Every sub-check; the surer findings first, since one span gets one finding."""
    c = _Check(ctx)
    found: Iterator[Hit] = itertools.chain(c.quotes(), c.spaces())
    if c.english:  # after the quotes, which tell whether the article is typeset
        found = itertools.chain(found, c.source_signs(), c.dashes())
    for hit in found:
        if not c.in_tag(hit.start):
            yield hit


RULE = Rule("typography", Severity.WARNING,
            "quotation marks, spaces and signs out of place or against the article's style",
            DOC, check, Applicability.SAFE)
