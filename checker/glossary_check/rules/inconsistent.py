"""`inconsistent`: near misses of glossary terms, and one unknown name spelled two ways."""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator

import regex

from glossary_check.compiled import NEAR_MIN, deletions
from glossary_check.findings import Applicability, Severity
from glossary_check.matching import Token, word_key
from glossary_check.rules import Context, Hit, Rule, with_note

EXPLAIN = """\
Flags a capitalised word one edit (a letter added, dropped, changed or two
swapped) away from a word of a glossary term or alias (Zelenksy for
Zelensky), and a name the glossary does not know that one article spells
two ways (Sobyanin and Sobianin): every occurrence of the less frequent
spelling is flagged, with the more frequent one as the suggestion. To keep
ordinary words out, only capitalised words of five letters or more count,
near misses must start with the same letter, and two spellings must agree
on a phonetic skeleton (y/i/j, w/v, doubled letters, kh/h, ks/x)."""

_SKELETON = (
    (regex.compile(r"kh"), "h"), (regex.compile(r"ks|cks|x"), "x"), (regex.compile(r"ph"), "f"),
    (regex.compile(r"ck"), "k"), (regex.compile(r"[yjí]"), "i"), (regex.compile(r"w"), "v"),
    (regex.compile(r"ie|iy|ii"), "i"), (regex.compile(r"(.)\1+"), r"\1"),
)
_LATIN_NAME = regex.compile(r"^\p{Lu}[\p{Latin}\p{M}'’]+$")


def damerau1(a: str, b: str) -> bool:
    """True when a and b are exactly one insertion, deletion, substitution or transposition apart."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def skeleton(word: str) -> str:
    key = "".join(ch for ch in unicodedata.normalize("NFD", word.casefold()) if not unicodedata.combining(ch))
    for pattern, repl in _SKELETON:
        key = pattern.sub(repl, key)
    return key


def _free_names(ctx: Context) -> list[Token]:
    """Capitalised Latin words outside every glossary match, long enough to judge."""
    spans = [(m.start, m.end) for m in ctx.matches]
    out, j = [], 0
    for token in ctx.tokens:
        while j < len(spans) and spans[j][1] <= token.start:
            j += 1
        if j < len(spans) and spans[j][0] < token.end:
            continue
        if len(token.text) >= NEAR_MIN and _LATIN_NAME.match(token.text) and not token.text.isupper():
            out.append(token)
    return out


def _possessive(text: str) -> str:
    return text[:-2] if text[-2:] in ("'s", "’s") else text


def check(ctx: Context) -> Iterator[Hit]:
    compiled = ctx.compiled
    free = _free_names(ctx)
    unknown: list[tuple[Token, str]] = []
    for token in free:
        word = _possessive(token.text)
        key = word_key(word)
        if key in compiled.known:
            continue
        candidates = {c for k in (key, *deletions(key)) for c in compiled.near.get(k, ())}
        near = sorted(c for c in candidates if c[0][0] == word[0] and damerau1(key, word_key(c[0])))
        if near:
            target, index = near[0]
            entry = ctx.entry(index)
            yield Hit(
                token.start, token.start + len(word),
                with_note(f"'{word}' looks like a misspelling of '{target}'", entry),
                entry=entry, suggestion=target, language=ctx.glossary.language,
                applicability=Applicability.UNSAFE,
            )
        else:
            unknown.append((token, word))
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    first_seen: dict[str, int] = {}
    for token, word in unknown:
        groups[skeleton(word)][word] += 1
        first_seen.setdefault(word, token.start)
    for token, word in unknown:
        spellings = groups[skeleton(word)]
        if len(spellings) < 2:
            continue
        main = max(spellings, key=lambda w: (spellings[w], -first_seen[w]))
        if word == main:
            continue
        yield Hit(
            token.start, token.start + len(word),
            f"'{word}' is spelled '{main}' elsewhere in this article "
            f"({spellings[main]} time{'s' if spellings[main] != 1 else ''}).",
            suggestion=main, language=ctx.glossary.language, applicability=Applicability.UNSAFE,
        )


RULE = Rule("inconsistent", Severity.WARNING, "one name spelled two ways, or a near miss of a term",
            EXPLAIN, check, Applicability.UNSAFE)
