"""What English usage says of a word, from wordfreq's frequency lists (loaded on first use).

wordfreq folds case, so "an ordinary English word" is read from how much
more often English writes the word than other languages that write names in
Latin letters: a name (Paris, Kiev, Vladimir) is spelled alike across them
and about as frequent in all, while a common word (luck, hope) is frequent in
English alone.
"""

from __future__ import annotations

import functools

#: Languages whose texts write foreign names in Latin letters as English does.
_OTHERS = ("de", "fr", "es", "it", "nl", "pt", "pl", "sv")
#: Once a million words: below this no word is common (the small lists stop here too).
COMMON_ZIPF = 3.0
#: Ten times more frequent in English than in any of the others.
ENGLISH_LIFT = 1.0
#: Three times in ten million words: a spelling English writing has settled on.
ESTABLISHED_ZIPF = 2.5
#: Seen in English text at all (the large list reaches down to 1.0).
ATTESTED_ZIPF = 1.5


@functools.cache
def _zipf(word: str, language: str, wordlist: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, language, wordlist=wordlist))


def ordinary_word(word: str) -> bool:
    """A common English word (luck, hope, march), not a name that English shares (Kiev)."""
    key = word.casefold()
    english = _zipf(key, "en", "small")
    if english < COMMON_ZIPF:
        return False
    # A word missing from another language's small list is below its floor there.
    elsewhere = max(max(_zipf(key, lang, "small") for lang in _OTHERS), COMMON_ZIPF)
    return english - elsewhere >= ENGLISH_LIFT


def established(word: str) -> bool:
    """A spelling English text uses in its own right (Stevens, Stephens; Smith, Smyth)."""
    return _zipf(word.casefold(), "en", "large") >= ESTABLISHED_ZIPF


def attested(word: str) -> bool:
    """A word English text writes at all: a misspelling of a name is not one (Zelenksy)."""
    return _zipf(word.casefold(), "en", "large") >= ATTESTED_ZIPF


def frequency(word: str, language: str) -> float:
    """The word's Zipf frequency in `language` (0 for a word the lists do not have)."""
    return _zipf(word.casefold(), language, "large")
