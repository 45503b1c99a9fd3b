"""What reading wordfreq through a prebuilt index would cost, against wordfreq itself.

One article with a few Cyrillic names makes the `inconsistent` rule ask wordfreq for a few
dozen words in the English, Russian and Ukrainian "large" lists, and wordfreq answers the
first question of each list by building a dictionary of all of it (321,000, 713,000 and
444,000 words): two thirds of the run. This measures the alternative: every word of a
list, sorted, in blocks of a few hundred compressed one by one, with the first word of
each block in a small table; a lookup reads the table once, then one block.

    python bench/wordfreq_index.py [--out DIR]

It prints, per list: wordfreq's cost (import, then its dictionary), the index's size and
the time to build it, to open it and to answer the article's lookups; and checks that the
index gives wordfreq's Zipf value for every word of a sample of each list and for words
absent from it. Only words wordfreq's tokenizer keeps as they are (case-folded, letters
only, NFC) are indexed; any other word is for wordfreq itself.
"""

from __future__ import annotations

import argparse
import bisect
import math
import random
import struct
import sys
import tempfile
import time
import unicodedata
import zlib
from pathlib import Path

#: The article's lookups (art-000.txt, the bundled glossary): (word, language, list).
ARTICLE = [
    ("shpika", "en"), ("kheshany", "en"), ("кгесгани", "uk"), ("кгешани", "uk"),
    ("хесгани", "uk"), ("хешани", "uk"), ("хешанй", "ru"), ("хешаны", "ru"), ("хэшанй", "ru"),
    ("хэшаны", "ru"), ("кгесганй", "uk"), ("кгесгані", "uk"), ("кгесганї", "uk"),
    ("кгешанй", "uk"), ("кгешані", "uk"), ("кгешанї", "uk"), ("хесганй", "uk"),
    ("хесгані", "uk"), ("хесганї", "uk"), ("хешани", "ru"), ("хешанй", "uk"), ("хешані", "uk"),
    ("хешанї", "uk"), ("хэшани", "ru"), ("сгпйка", "uk"), ("сгпіка", "uk"), ("сгпїка", "uk"),
    ("шпика", "ru"), ("шпйка", "uk"), ("шпіка", "uk"), ("шпїка", "uk"), ("сгпика", "uk"),
    ("шпика", "uk"), ("шпйка", "ru"), ("шпыка", "ru"), ("в", "ru"),
]
BLOCK = 256
MAGIC = b"WFIX1\n"


def plain(word: str) -> bool:
    """A word wordfreq's tokenizer leaves as it is, so the index can answer for it."""
    return word.isalpha() and word == word.casefold() and unicodedata.is_normalized("NFC", word)


def zipf_of_bucket(bucket: int) -> float:
    """wordfreq's arithmetic for a one-token word in centibel bucket `bucket`."""
    freq = 10 ** (-bucket / 100)
    freq = round(freq, math.floor(-math.log(freq, 10)) + 3)
    return round(math.log(freq, 10) + 9, 2)


def build(language: str, wordlist: str, file: Path) -> int:
    """The index of one list; returns the number of words in it."""
    from wordfreq import get_frequency_list

    words = sorted((w, b) for b, bucket in enumerate(get_frequency_list(language, wordlist))
                   for w in bucket if plain(w))
    firsts, blocks = [], []
    for at in range(0, len(words), BLOCK):
        chunk = words[at : at + BLOCK]
        firsts.append(chunk[0][0])
        blocks.append(zlib.compress("".join(f"{w}\t{b}\n" for w, b in chunk).encode(), 6))
    table = "\n".join(firsts).encode()
    offsets = [0]
    for block in blocks:
        offsets.append(offsets[-1] + len(block))
    with file.open("wb") as out:
        out.write(MAGIC + struct.pack("<II", len(table), len(blocks)))
        out.write(table)
        out.write(struct.pack(f"<{len(offsets)}I", *offsets))
        out.write(b"".join(blocks))
    return len(words)


class Index:
    """One list's index, opened: the first words and block offsets read, blocks on demand."""

    def __init__(self, file: Path) -> None:
        self.data = file.read_bytes()
        head = len(MAGIC) + 8
        table_size, count = struct.unpack("<II", self.data[len(MAGIC) : head])
        self.firsts = self.data[head : head + table_size].decode().split("\n")
        at = head + table_size
        self.offsets = struct.unpack(f"<{count + 1}I", self.data[at : at + 4 * (count + 1)])
        self.base = at + 4 * (count + 1)
        self.blocks: dict[int, dict[str, int]] = {}

    def zipf(self, word: str) -> float:
        i = bisect.bisect_right(self.firsts, word) - 1
        if i < 0:
            return 0.0
        block = self.blocks.get(i)
        if block is None:
            raw = zlib.decompress(self.data[self.base + self.offsets[i] :
                                            self.base + self.offsets[i + 1]]).decode()
            block = self.blocks[i] = {
                w: int(b) for w, b in (line.split("\t") for line in raw.splitlines())}
        bucket = block.get(word)
        return 0.0 if bucket is None else zipf_of_bucket(bucket)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="where to write the indexes")
    parser.add_argument("--sample", type=int, default=3000, help="words checked per list")
    a = parser.parse_args()
    out = a.out or Path(tempfile.mkdtemp())
    out.mkdir(parents=True, exist_ok=True)
    t = time.process_time()
    import wordfreq

    print(f"import wordfreq: {time.process_time() - t:.3f} s CPU")
    rng = random.Random(20261203)
    for language in ("en", "ru", "uk"):
        file = out / f"{language}-large.wfix"
        t = time.process_time()
        wordfreq.get_frequency_dict(language, "large")
        dict_s = time.process_time() - t
        t = time.process_time()
        count = build(language, "large", file)
        build_s = time.process_time() - t
        t = time.process_time()
        index = Index(file)
        asked = [w for w, lang in ARTICLE if lang == language]
        answers = [index.zipf(w) for w in asked]
        lookup_s = time.process_time() - t
        assert answers == [wordfreq.zipf_frequency(w, language, "large") for w in asked]
        listed = [w for bucket in wordfreq.get_frequency_list(language, "large")
                  for w in bucket if plain(w)]
        sample = rng.sample(listed, min(a.sample, len(listed)))
        absent = [w + "щъ" for w in sample[:200]] + [w[::-1] for w in sample[:200]]
        for word in sample + [w for w in absent if plain(w)]:
            expected = wordfreq.zipf_frequency(word, language, "large")
            assert index.zipf(word) == expected, (language, word, expected)
        print(f"{language} large: wordfreq's dictionary {dict_s:.3f} s CPU; index of {count:,} "
              f"words {file.stat().st_size / 1e6:.1f} MB, built in {build_s:.1f} s; opened "
              f"and the article's {len(asked)} lookups answered in {lookup_s * 1000:.1f} ms; "
              f"{len(sample)} listed and {len(absent)} unlisted words agree with wordfreq")
    return 0


if __name__ == "__main__":
    sys.exit(main())
