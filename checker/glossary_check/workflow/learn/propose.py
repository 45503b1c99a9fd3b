"""The archive-wide steps: which rendering each name received, and the entries to propose.

A word aligner's two signals, over every aligned paragraph of the archive:

- transliteration: a source name and a run of as many capitalised English words read
  as one another word by word, under any romanisation system the checker knows (the
  best of every nominative the analyser can make of each source word, so the reading
  that fits the translation is the one taken: Києві → Київ, not the given name Кий);
  where a model is installed, the machine translation of the name counts the same;
- co-occurrence: for names English translates rather than transliterates (Греция,
  Greece), the Dice coefficient of a source name and an English name over all paragraph
  pairs, with a minimum count, linked only where each is the other's best partner.

Within a paragraph pair, links are made greedily, best first (competitive linking): a
word of either side belongs to one link, longer names before their parts,
transliterations before co-occurrences. Each name's renderings are then counted across
the archive and become a proposed entry. Everything is sorted before it is counted or
written, so the output is the same whatever order the pairs were read in.
"""

from __future__ import annotations

import functools
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import regex

from glossary_check.workflow.learn.extract import PairNames, Reading, Unit

#: A word of a transliterated name must read this much like the source word (0..1) ...
WORD_MIN = 0.6
#: ... and the name as a whole this much.
NAME_MIN = 0.78
#: Co-occurrence: paragraph pairs a source and an English name share at the least ...
COOC_MIN = 2
#: ... and their Dice coefficient.
DICE_MIN = 0.5
#: Readings whose similarity is this close to the best one's are told apart by the dictionary.
CLOSE = 0.15
PLACE_TAGS = ("Geox", "Orgn")
#: Capitals this long or shorter are an abbreviation (ЕС, ФБР, ШРНШ), not a name in capitals.
ACRONYM_MAX = 5
#: Endings of an English adjective or demonym made from a place name.
DEMONYM_SUFFIXES = ("ian", "an", "n", "ese", "ish")
_LETTERS = regex.compile(r"[^\p{L}]+")
_SPACES = regex.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Thresholds:
    """What a proposal must have: mentions of the name, and each rendering's share of them."""

    min_count: int = 2
    min_share: float = 0.1


@dataclass(frozen=True, slots=True)
class Mention:
    """One linked name: the original's name in its dictionary form, and its rendering."""

    language: str
    name: str
    written: str
    rendering: str
    how: str  # transliteration | machine translation | co-occurrence
    score: float
    tags: tuple[str, ...]
    original: str
    line: int
    column: int
    translation: str
    t_line: int
    t_column: int


@dataclass(frozen=True, slots=True)
class Rendering:
    text: str
    count: int
    articles: int
    how: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class NameEvidence:
    """One source name's renderings across the archive."""

    language: str
    name: str
    count: int
    renderings: tuple[Rendering, ...]
    desk: str  # the desk's transliteration of the name
    dropped: tuple[tuple[str, int], ...]  # renderings below --min-share
    examples: tuple[Mention, ...]


@dataclass(frozen=True, slots=True)
class Proposal:
    """A proposed glossary entry and why."""

    term: str
    kind: str | None
    variants: tuple[str, ...]
    sources: Mapping[str, tuple[str, ...]]
    count: int
    reason: str
    origin: str  # pairs | english
    names: tuple[NameEvidence, ...] = ()
    spellings: tuple[tuple[str, int], ...] = ()  # english: every spelling and its count
    notes: tuple[str, ...] = ()
    #: full names folded into a surname's entry (Donald Trump under Trump)
    aliases: tuple[str, ...] = ()
    #: variant -> its own fix where that is not the term (Donald Tramp: Donald Trump)
    fixes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GlossaryNote:
    """What the archive says about an entry of the current glossary."""

    kind: str  # contradicted | lacking | sources | unused | known
    term: str
    location: str
    message: str
    renderings: tuple[tuple[str, int], ...] = ()


@dataclass(slots=True)
class Learned:
    proposals: list[Proposal] = field(default_factory=list)
    glossary: list[GlossaryNote] = field(default_factory=list)
    pairs: int = 0
    paragraphs: int = 0
    mentions: int = 0
    errors: list[str] = field(default_factory=list)
    systems: Mapping[str, str] = field(default_factory=dict)
    thresholds: Thresholds = Thresholds()


# --- similarity --------------------------------------------------------------------------


def latin_key(text: str) -> str:
    """Letters only, case and accents folded (Zelens'kyĭ -> zelenskyi)."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _LETTERS.sub("", plain)


def ratio(a: str, b: str) -> float:
    """1 - edit distance / the longer length: 1 for the same string, 0 for nothing shared."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        previous = current
    return 1.0 - previous[-1] / max(len(a), len(b))


@functools.lru_cache(maxsize=100_000)
def romanisations(form: str, language: str) -> tuple[str, ...]:
    """The word under every system of its language (and the other's, for a word both
    alphabets can write), as comparison keys."""
    from glossary_check.engine.transliteration import SYSTEMS, transliterate

    out = set()
    for lang in dict.fromkeys((language, "ru", "uk")):
        for system in SYSTEMS.get(lang, ()):
            try:
                out.add(latin_key(transliterate(form, lang, system, plain=True)))
            except Exception:  # a letter one system cannot write: the others still count
                continue
    return tuple(sorted(k for k in out if k and k.isascii()))


#: English spellings and the romanisations' for one sound, brought to one form: дж is
#: dzh where English writes j (Джон, John), х is kh where English writes h (Хаммел,
#: Hammel), a silent h after a vowel, w for в and initial у before a vowel (Вудс, Woods;
#: Уэст, West), c and ck for к, doubled letters for one.
_SOUNDS = (
    (regex.compile(r"dzh|dz|dj"), "j"), (regex.compile(r"kh"), "h"),
    (regex.compile(r"ph"), "f"), (regex.compile(r"th"), "t"), (regex.compile(r"ck|q"), "k"),
    (regex.compile(r"x"), "ks"), (regex.compile(r"w"), "v"), (regex.compile(r"^u(?=[aeio])"), "v"),
    (regex.compile(r"(?<=[aeiouy])h(?![aeiouy])"), ""), (regex.compile(r"ee|ea"), "i"),
    (regex.compile(r"oo|ou"), "u"), (regex.compile(r"y"), "i"),
    (regex.compile(r"c(?=[aou]|$)"), "k"), (regex.compile(r"(.)\1"), r"\1"),
)


def sound(key: str) -> str:
    """A comparison key of how a Latin spelling sounds (see `_SOUNDS`)."""
    for pattern, replacement in _SOUNDS:
        key = pattern.sub(replacement, key)
    return key


@functools.lru_cache(maxsize=400_000)
def word_similarity(form: str, language: str, latin: str) -> float:
    """How well an English word reads as a romanisation of a Cyrillic word, 0..1: as
    written, or as both sound (`sound`)."""
    from glossary_check.engine.transliteration import reads_as

    key = latin_key(latin)
    heard = sound(key)
    best = max((max(ratio(r, key), ratio(sound(r), heard))
                for r in romanisations(form, language)), default=0.0)
    if best < 1.0 and best >= WORD_MIN and reads_as(latin, form):
        return 1.0
    return best


# --- the archive-wide counts -------------------------------------------------------------


def fold(text: str) -> str:
    from glossary_check.engine.morphology import fold as morph_fold

    return _SPACES.sub(" ", morph_fold(text)).strip()


def _english_key(text: str) -> str:
    return _SPACES.sub(" ", text.casefold()).strip()


class Archive:
    """How often each nominative stands in the originals as written: a reading the archive
    writes is likelier the one meant."""

    def __init__(self, pairs: Sequence[PairNames]) -> None:
        self.attested: Counter[tuple[str, str]] = Counter()
        self.readings: dict[tuple[str, str], tuple[Reading, ...]] = {}
        for pair in pairs:
            for word, found in pair.readings.items():
                self.readings.setdefault((pair.language, word), found)
            for para in pair.paragraphs:
                for unit in para.source:
                    if len(unit.words) == 1:
                        self.attested[(pair.language, unit.words[0])] += 1

    def reading_key(self, language: str, word: str, reading: Reading) -> tuple[object, ...]:
        """Which nominative a word is, with nothing else to go on: one the archive writes as
        it stands, then one the dictionary knows as a name, then the likeliest."""
        inflected = reading.form != word or bool(reading.tags) or reading.score > 0
        attested = self.attested[(language, reading.form)] if reading.form != word else 0
        return (inflected, attested > 0, bool(reading.tags) and reading.known, reading.known,
                reading.score, reading.form)

    def word_readings(self, language: str, word: str) -> tuple[Reading, ...]:
        return self.readings.get((language, word), (Reading(word, (), False, 0.0),))

    def default_reading(self, language: str, word: str) -> Reading:
        return max(self.word_readings(language, word),
                   key=lambda r: self.reading_key(language, word, r))

    def default_name(self, language: str, unit: Unit) -> tuple[list[Reading], str]:
        chosen = [self.default_reading(language, w) for w in unit.words]
        return chosen, fold(_rebuild(unit, [r.form for r in chosen]))


#: What the transliterations leave of one paragraph pair: its language, the source names
#: (folded name, words, text as written) and the English name units.
Residue = tuple[str, list[tuple[str, int, str]], list[Unit]]


@dataclass(slots=True)
class _Counts:
    """The residue counted over the archive: the paragraph pairs each source name, each
    English name and each pair of them stand in; each name's words and first text."""

    source: Counter[tuple[str, str]] = field(default_factory=Counter)
    target: Counter[str] = field(default_factory=Counter)
    joint: Counter[tuple[tuple[str, str], str]] = field(default_factory=Counter)
    words: dict[str, int] = field(default_factory=dict)
    sizes: dict[tuple[str, str], int] = field(default_factory=dict)
    originals: dict[tuple[str, str], str] = field(default_factory=dict)
    originals_t: dict[str, str] = field(default_factory=dict)

    def add(self, language: str, sources: list[tuple[str, int, str]], targets: list[Unit]
            ) -> None:
        s_keys = {(language, key) for key, _, _ in sources}
        for key, size, text in sources:
            self.sizes[(language, key)] = size
            self.originals.setdefault((language, key), text)
        t_keys = {_english_key(u.text) for u in targets}
        for u in targets:
            self.words[_english_key(u.text)] = len(u.words)
            self.originals_t.setdefault(_english_key(u.text), u.text)
        self.source.update(s_keys)
        self.target.update(t_keys)
        self.joint.update((s, t) for s in s_keys for t in t_keys)

    def eligible(self, s: tuple[str, str], t: str, n: int) -> bool:
        """Seen together often enough; not an abbreviation written in capitals against an
        English name that is not (ЕС, Europe); not the name's adjective (Russian)."""
        written, english = self.originals[s], self.originals_t[t]
        if n < COOC_MIN or (acronym(s[1].upper()) and s[1].upper() == written
                            and not english.isupper()):
            return False
        return not (derived(english, written, s[0]) or derived(english, s[1], s[0]))

    def rank(self, s: tuple[str, str], t: str, n: int) -> tuple[float, int, int, float]:
        """Dice, then the count, then how near the word counts are, then how alike the
        English reads to the name's romanisation."""
        dice = 2 * n / (self.source[s] + self.target[t])
        fit = -abs(self.words[t] - self.sizes[s])
        alike = round(ratio(latin_key(self.originals_t[t]),
                            max(romanisations(self.originals[s], s[0]) or ("",))), 3)
        return dice, n, fit, alike


class Cooccurrence:
    """Names and English names left over by the transliterations, counted over the aligned
    paragraphs; a pair is a partner where each is the other's best by Dice coefficient."""

    def __init__(self, residue: Iterable[Residue]) -> None:
        counts = _Counts()
        for language, sources, targets in residue:
            counts.add(language, sources, targets)
        best_t: dict[tuple[str, str], tuple[float, int, int, float, int, str]] = {}
        best_s: dict[str, tuple[float, int, int, float, tuple[str, str]]] = {}
        for (s, t), n in counts.joint.items():
            if not counts.eligible(s, t, n):
                continue
            rank = counts.rank(s, t, n)
            mine = (*rank, counts.words[t], t)
            if mine > best_t.get(s, (-1.0, 0, -99, 0.0, 0, "")):
                best_t[s] = mine
            theirs = (*rank, s)
            if theirs > best_s.get(t, (-1.0, 0, -99, 0.0, ("", ""))):
                best_s[t] = theirs
        #: (language, folded name) -> (English key, Dice)
        self.partner: dict[tuple[str, str], tuple[str, float]] = {
            s: (best[5], best[0]) for s, best in best_t.items()
            if best[0] >= DICE_MIN and best_s[best[5]][4] == s
        }


def _rebuild(unit: Unit, forms: Sequence[str]) -> str:
    """The unit's text with each word replaced by a form (gaps as written)."""
    out, at = [], 0
    for word, form in zip(unit.words, forms, strict=True):
        i = unit.text.find(word, at)
        if i < 0:  # a possessive cut off the last word: the rest is not a gap
            break
        out.append(unit.text[at:i])
        out.append(form)
        at = i + len(word)
    return "".join(out) if len(out) == 2 * len(forms) else " ".join(forms)


# --- linking -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Candidate:
    score: float
    how: str
    source: Unit
    target: Unit
    readings: tuple[Reading, ...]


#: English head nouns that make a name before them another name: Mexico City is not Mexico,
#: Red Cross not Red, Columbia University not Columbia (the Russian has its own word for
#: the head, or one word for the whole, as Мехико).
HEADS = frozenset({
    "city", "cross", "house", "sea", "ocean", "river", "lake", "bay", "island", "islands",
    "street", "square", "avenue", "tower", "bridge", "university", "college", "school",
    "airport", "station", "hall", "palace", "church", "cathedral", "park", "valley",
    "mountains", "peninsula", "county", "district", "province", "region", "state",
})


def part_of_another_name(unit: Unit) -> bool:
    """An English name followed, in its run, by a head noun that makes it another name
    (`HEADS`): the first words are not this name's rendering."""
    return unit.after is not None and unit.after.casefold() in HEADS


def _transliterated(archive: Archive, language: str, s: Unit, t: Unit) -> _Candidate | None:
    if len(s.words) != len(t.words) or part_of_another_name(t):
        return None
    chosen: list[Reading] = []
    scores = []
    for word, latin in zip(s.words, t.words, strict=True):
        options = []
        for r in archive.word_readings(language, word):
            similarity = word_similarity(r.form, language, latin)
            # a nominative the analyser made before the word as written, whose ending may
            # happen to be English's (Сенате, Senate)
            nominative = r.form != word or bool(r.tags)
            options.append((similarity >= WORD_MIN, nominative, similarity,
                            archive.reading_key(language, word, r), r))
        best = max(options, key=lambda o: o[:4])
        if not best[0] or derived(latin, best[4].form, language):
            return None
        # readings that read about as well: a place or organisation the dictionary knows
        # wins over a common word (Германии: Германия, not германий, germanium)
        close = [o for o in options if o[0] and o[1] == best[1] and o[2] >= best[2] - CLOSE]
        best = max(close, key=lambda o: (any(t in PLACE_TAGS for t in o[4].tags) and o[4].known,
                                         o[2], o[3]))
        scores.append(best[2])
        chosen.append(best[4])
    score = sum(scores) / len(scores)
    if score < NAME_MIN or (len(latin_key(t.text)) <= 3 and score < 1.0):
        return None
    return _Candidate(score, "transliteration", s, t, tuple(chosen))


def _overlaps(unit: Unit, taken: list[tuple[int, int]]) -> bool:
    return any(unit.first < b and a < unit.last for a, b in taken)


def acronym(word: str) -> bool:
    return 1 < len(word) <= ACRONYM_MAX and word.isupper()


def translated_kind(archive: Archive, language: str, unit: Unit) -> bool:
    """A name English may translate rather than transliterate: a place or an organisation
    the dictionary knows (Греция, Greece; Северная Македония), or an abbreviation (ЕС, EU).
    People's names, words the dictionary does not know (foreign names, read by their
    letters) and capitalised common words (Палата, Верховний, Що) are left to
    transliteration: a co-occurrence says nothing about which of them is which."""
    if len(unit.words) == 1 and acronym(unit.words[0]):
        return True
    placed = False
    for word in unit.words:
        found = archive.word_readings(language, word)
        if not any(r.known for r in found):
            return False
        if any(r.known and set(r.tags) & {"Name", "Surn", "Patr"} for r in found) and not any(
            r.known and set(r.tags) & {"Geox", "Orgn"} for r in found
        ):
            return False
        placed = placed or any(r.known and set(r.tags) & {"Geox", "Orgn"} for r in found)
    return placed


def derived(latin: str, form: str, language: str) -> bool:
    """An English adjective or demonym of the name (Indonesian, Korean, Russian): the word
    less its suffix reads better as the name than the word does."""
    key = latin_key(latin)
    for suffix in DEMONYM_SUFFIXES:
        if key.endswith(suffix) and len(key) - len(suffix) >= 3:
            stem = key[: -len(suffix)]
            full = max((ratio(r, key) for r in romanisations(form, language)), default=0.0)
            cut = max((ratio(r, stem) for r in romanisations(form, language)), default=0.0)
            if cut > full:
                return True
    return False


@dataclass(slots=True)
class Linking:
    """One pair's links so far, and what is left for co-occurrence, paragraph by paragraph."""

    pair: PairNames
    accepted: list[list[_Candidate]]
    taken: list[tuple[list[tuple[int, int]], list[tuple[int, int]]]]

    def residue(self, archive: Archive) -> Iterable[Residue]:
        language = self.pair.language
        for para, (src_taken, tgt_taken) in zip(self.pair.paragraphs, self.taken, strict=True):
            sources = [(archive.default_name(language, u)[1], len(u.words), u.text)
                       for u in para.source
                       if u.maximal and not _overlaps(u, src_taken)
                       and translated_kind(archive, language, u)]
            targets = [u for u in para.target if u.whole and not _overlaps(u, tgt_taken)]
            if sources and targets:
                yield language, sources, targets


def link_transliterations(archive: Archive, pair: PairNames,
                          machine: Mapping[tuple[str, str], str]) -> Linking:
    """The first round: names that read as their rendering (or the model renders so)."""
    language = pair.language
    linking = Linking(pair, [], [])
    for para in pair.paragraphs:
        candidates: list[_Candidate] = []
        for s in para.source:
            translated = machine.get((language, s.text))
            for t in para.target:
                found = _transliterated(archive, language, s, t)
                if translated is not None and _english_key(translated) == _english_key(t.text):
                    readings = tuple(archive.default_name(language, s)[0])
                    mt = _Candidate(0.9, "machine translation", s, t, readings)
                    found = mt if found is None or found.score < mt.score else found
                if found is not None:
                    candidates.append(found)
        candidates.sort(key=lambda c: (-len(c.source.words), -c.score, c.source.first,
                                       c.target.first, c.target.last))
        src_taken: list[tuple[int, int]] = []
        tgt_taken: list[tuple[int, int]] = []
        accepted: list[_Candidate] = []
        for c in candidates:
            if _overlaps(c.source, src_taken) or _overlaps(c.target, tgt_taken):
                continue
            accepted.append(c)
            src_taken.append((c.source.first, c.source.last))
            tgt_taken.append((c.target.first, c.target.last))
        linking.accepted.append(accepted)
        linking.taken.append((src_taken, tgt_taken))
    return linking


def link_cooccurrences(archive: Archive, cooc: Cooccurrence, linking: Linking) -> list[Mention]:
    """The second round, on what the first left; then every link as a mention."""
    pair = linking.pair
    language = pair.language
    out: list[Mention] = []
    for para, accepted, (src_taken, tgt_taken) in zip(
        pair.paragraphs, linking.accepted, linking.taken, strict=True
    ):
        accepted = list(accepted)
        by_key = {_english_key(t.text): t for t in para.target if t.whole}
        for s in para.source:
            if not s.maximal or _overlaps(s, src_taken):
                continue
            if not translated_kind(archive, language, s):
                continue
            readings, key = archive.default_name(language, s)
            partner = cooc.partner.get((language, key))
            if partner is None:
                continue
            t = by_key.get(partner[0])
            if t is None or _overlaps(t, tgt_taken):
                continue
            accepted.append(_Candidate(partner[1], "co-occurrence", s, t, tuple(readings)))
            src_taken = [*src_taken, (s.first, s.last)]
            tgt_taken = [*tgt_taken, (t.first, t.last)]
        for c in accepted:
            name = _rebuild(c.source, [r.form for r in c.readings])
            tags = tuple(sorted({tag for r in c.readings for tag in r.tags}))
            out.append(Mention(
                language, name, c.source.text, c.target.text, c.how, round(c.score, 3), tags,
                pair.original, c.source.line, c.source.column,
                pair.translation, c.target.line, c.target.column,
            ))
    return out


# --- proposals ---------------------------------------------------------------------------


def kind_of(tags: Iterable[str], name: str) -> str | None:
    """person for a name, surname or patronymic; place; organization; else unknown."""
    present = set(tags)
    for group, kind in ((("Name", "Patr"), "person"), (("Geox",), "place"),
                        (("Orgn",), "organization"), (("Surn",), "person")):
        if present.intersection(group):
            return kind
    if len(name) > 1 and name.isupper():
        return "organization"
    return None


def desk_transliteration(name: str, language: str, systems: Mapping[str, str]) -> str:
    from glossary_check.engine.transliteration import transliterate

    try:
        return transliterate(name, language, systems.get(language), plain=True)
    except Exception:
        return name


@dataclass(slots=True)
class _Group:
    language: str
    mentions: list[Mention] = field(default_factory=list)


def name_evidence(group: _Group, thresholds: Thresholds, systems: Mapping[str, str]
                  ) -> NameEvidence:
    mentions = group.mentions
    names = Counter(m.name for m in mentions)
    name = min(names, key=lambda n: (-names[n], n))
    counts = Counter(m.rendering for m in mentions)
    total = sum(counts.values())
    kept, dropped = [], []
    for text, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        if n / total + 1e-9 >= thresholds.min_share:
            hows = Counter(m.how for m in mentions if m.rendering == text)
            articles = len({m.original for m in mentions if m.rendering == text})
            kept.append(Rendering(text, n, articles, tuple(sorted(hows.items()))))
        else:
            dropped.append((text, n))
    examples = tuple(sorted(mentions, key=lambda m: (m.original, m.line, m.column))[:3])
    return NameEvidence(group.language, name, total, tuple(kept),
                        desk_transliteration(name, group.language, systems), tuple(dropped),
                        examples)


def choose_term(evidence: NameEvidence) -> tuple[str, str]:
    """The desk's transliteration where the archive has it, else the commonest rendering."""
    renderings = evidence.renderings
    desk = next((r for r in renderings if r.text.casefold() == evidence.desk.casefold()), None)
    top = renderings[0]
    if desk is not None:
        why = (f"the desk's transliteration of {evidence.name} ({evidence.language}), "
               f"seen {desk.count} of {evidence.count} times")
        if desk is not top:
            why += f"; the commonest rendering is {top.text} ({top.count})"
        return desk.text, why
    tied = [r for r in renderings if r.count == top.count]
    if len(tied) > 1:
        top = max(tied, key=lambda r: (
            max((word_similarity(w, evidence.language, r.text) for w in [evidence.name]),
                default=0.0), -len(r.text), r.text))
    return top.text, (f"the commonest rendering of {evidence.name} ({evidence.language}), "
                      f"{top.count} of {evidence.count} times; the desk's transliteration "
                      f"would be {evidence.desk}, which the archive does not write")


def propose_from_pairs(mentions: Sequence[Mention], thresholds: Thresholds,
                       systems: Mapping[str, str]) -> list[Proposal]:
    groups: dict[tuple[str, str], _Group] = {}
    for m in mentions:
        groups.setdefault((m.language, fold(m.name)), _Group(m.language)).mentions.append(m)
    chosen: list[tuple[NameEvidence, str, str, Counter[str]]] = []
    for key in sorted(groups):
        group = groups[key]
        if len(group.mentions) < thresholds.min_count:
            continue
        evidence = name_evidence(group, thresholds, systems)
        if not evidence.renderings:
            continue
        term, why = choose_term(evidence)
        chosen.append((evidence, term, why, Counter(t for m in group.mentions for t in m.tags)))
    # names one term renders (Киев and Київ, Kyiv) make one entry
    by_term: dict[str, list[tuple[NameEvidence, str, str, Counter[str]]]] = defaultdict(list)
    for item in chosen:
        by_term[item[1].casefold()].append(item)
    proposals = []
    for folded in sorted(by_term):
        items = sorted(by_term[folded], key=lambda it: (-it[0].count, it[0].language, it[0].name))
        main = items[0]
        term = main[1]
        sources: dict[str, list[str]] = defaultdict(list)
        variants: Counter[str] = Counter()
        tags: Counter[str] = Counter()
        for evidence, _, _, t in items:
            sources[evidence.language].append(evidence.name)
            tags.update(t)
            for r in evidence.renderings:
                if r.text != term:
                    variants[r.text] += r.count
        proposals.append(Proposal(
            term=term,
            kind=kind_of(tags.elements(), main[0].name),
            variants=tuple(sorted(variants, key=lambda v: (-variants[v], v))),
            sources={lang: tuple(sorted(set(names))) for lang, names in sorted(sources.items())},
            count=sum(it[0].count for it in items),
            reason=main[2],
            origin="pairs",
            names=tuple(it[0] for it in items),
        ))
    return proposals


def _last_words(names: Iterable[str]) -> set[str]:
    return {fold(n.split()[-1]) for n in names if n.split()}


def _surname_entry(i: int, p: Proposal, proposals: Sequence[Proposal],
                   by_term: Mapping[str, int]) -> int | None:
    """The index of the surname entry a person's full name folds into, if any: both are
    people, and the full name's source ends in one of the surname's sources."""
    words = p.term.split()
    if p.origin != "pairs" or p.kind != "person" or len(words) < 2:
        return None
    j = by_term.get(words[-1].casefold())
    if j is None or j == i or proposals[j].kind != "person":
        return None
    q = proposals[j]
    if any(_last_words(p.sources.get(lang, ())) & {fold(n) for n in q.sources.get(lang, ())}
           for lang in p.sources):
        return j
    return None


def _with_full_names(q: Proposal, members: Sequence[Proposal]) -> Proposal:
    """A surname's entry with full names as aliases: their sources added, their variants
    listed with the full name as the fix, and a note on each."""
    import dataclasses

    sources = {lang: set(names) for lang, names in q.sources.items()}
    variants, fixes, notes = list(q.variants), dict(q.fixes), list(q.notes)
    for p in members:
        for lang, names in p.sources.items():
            sources.setdefault(lang, set()).update(names)
        for v in p.variants:
            if v not in variants:
                variants.append(v)
                fixes[v] = p.term
        notes.append(f"{p.term} ({p.count} times) is folded in as an alias: {p.reason}")
    return dataclasses.replace(
        q, aliases=(*q.aliases, *(p.term for p in members)),
        sources={lang: tuple(sorted(names)) for lang, names in sorted(sources.items())},
        variants=tuple(variants), fixes=fixes, notes=tuple(notes),
        count=q.count + sum(p.count for p in members),
        names=(*q.names, *(n for p in members for n in p.names)),
    )


def fold_full_names(proposals: list[Proposal]) -> list[Proposal]:
    """A person's full name folded into the entry of their surname, as an alias, its
    sources added and its variants fixed to the full name (Volodymyr Zelenskyy: Volodymyr
    Zelensky), as the glossary format's own example has it: where both are people and
    the full name's source ends in one of the surname's sources."""
    by_term = {p.term.casefold(): i for i, p in enumerate(proposals)}
    into: dict[int, list[int]] = defaultdict(list)
    for i, p in enumerate(proposals):
        j = _surname_entry(i, p, proposals, by_term)
        if j is not None:
            into[j].append(i)
    folded = {i for members in into.values() for i in members}
    return [_with_full_names(q, [proposals[i] for i in into[j]]) if j in into else q
            for j, q in enumerate(proposals) if j not in folded]


def _owners(proposals: Sequence[Proposal]) -> dict[str, int]:
    """Each wrong text (case folded) -> the proposal it stays under: the one whose
    renderings and spellings write it most, the first on a tie."""
    counts: Counter[tuple[int, str]] = Counter()
    for i, p in enumerate(proposals):
        for n in p.names:
            for r in n.renderings:
                counts[(i, r.text)] += r.count
        for s, c in p.spellings:
            counts[(i, s)] += c
    owner: dict[str, int] = {}
    for i, p in enumerate(proposals):
        for v in p.variants:
            held = owner.get(v.casefold())
            if held is None or (counts[(i, v)], -i) > (counts[(held, v)], -held):
                owner[v.casefold()] = i
    return owner


@dataclass(frozen=True, slots=True)
class _Refusals:
    """What the glossary loader would refuse of a proposal's variants and aliases."""

    proposals: Sequence[Proposal]
    #: every proposal's term and aliases, case folded
    terms: frozenset[str]
    #: the current glossary's terms and aliases, case folded
    outside: frozenset[str]
    owner: Mapping[str, int]

    def variant(self, i: int, p: Proposal, v: str) -> str | None:
        """Why variant `v` of proposal `i` cannot be listed as wrong, or None."""
        key = v.casefold()
        if key in {t.casefold() for t in (p.term, *p.aliases)}:
            return f"{v} differs from {p.term} only in letter case (the case rule)"
        if key in self.terms:
            return f"{v} is the term of another proposal, so not listed as wrong"
        if key in self.outside:
            return f"{v} is a term of the current glossary, so not listed as wrong"
        if self.owner[key] != i:
            other = self.proposals[self.owner[key]].term
            return f"{v} is listed under {other}, where the archive writes it more"
        return None

    def alias(self, alias: str) -> str | None:
        """Why `alias` cannot be an alias here, or None."""
        if alias.casefold() in self.outside:
            return f"{alias} is a term of the current glossary, so not an alias here"
        return None

    def resolve(self, i: int, p: Proposal) -> Proposal:
        """The proposal less what is refused, each refusal said in its notes; a fix stays
        only with its variant and its alias."""
        import dataclasses

        kept, aliases, notes = [], [], list(p.notes)
        for v in p.variants:
            refused = self.variant(i, p, v)
            if refused is None:
                kept.append(v)
            else:
                notes.append(refused)
        for alias in p.aliases:
            refused = self.alias(alias)
            if refused is None:
                aliases.append(alias)
            else:
                notes.append(refused)
        fixes = {v: r for v, r in p.fixes.items() if v in kept and r in aliases}
        return dataclasses.replace(p, variants=tuple(kept), notes=tuple(notes),
                                   aliases=tuple(aliases), fixes=fixes)


def resolve_conflicts(proposals: list[Proposal], taken: Iterable[str] = ()) -> list[Proposal]:
    """What the glossary loader would refuse, taken out and said: a variant that differs
    from its term only in case (the `case` rule's business), a variant that is another
    entry's term, one wrong text under two entries (kept where it was seen most)."""
    refusals = _Refusals(
        proposals,
        terms=frozenset(t.casefold() for p in proposals for t in (p.term, *p.aliases)),
        outside=frozenset(t.casefold() for t in taken),
        owner=_owners(proposals),
    )
    return [refusals.resolve(i, p) for i, p in enumerate(proposals)]
