"""wordfreq's lists through an index kept in the cache (`cache.wordlists`): the same answers
as wordfreq to the last digit, built only where a run is worth it, and as untrusted as any
cache file: damaged, forged, short, someone else's or writable by others, it is refused
and built again."""

from __future__ import annotations

import json
import os
import pickle
import random
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import wordfreq_buckets
from glossary_check.cache import fileformat
from glossary_check.cache.wordlists import KIND, CachedLists, IndexedList, list_key
from glossary_check.engine import english

LISTS = ("ru", "uk", "en")


def _path(language: str) -> str:
    path = english.list_path(language, "large")
    assert path is not None, "wordfreq's large lists are installed with the package"
    return path


def _files(directory: Path) -> list[Path]:
    return sorted(directory.glob(f"{KIND}-*.bin"))


@pytest.fixture
def through(tmp_path: Path) -> Iterator[Path]:
    """The lists read through indexes in a fresh directory, built on first use."""
    english.read_lists_with(CachedLists(tmp_path, True))
    english._zipf.cache_clear()
    yield tmp_path
    english.read_lists_with(None)
    english._zipf.cache_clear()


def _sample(language: str, rng: random.Random) -> list[str]:
    words = [w.decode() for _, bucket in rng.sample(wordfreq_buckets(language, "large"), 40)
             for w in rng.sample(bucket, min(len(bucket), 4))]
    absent = [w + "щъ" for w in words[:40]] + [w[::-1] for w in words[:40]]
    return words + absent + [w.capitalize() for w in words[:30]] + [
        "хешани", "Москва", "КИЇВ", "Ґалаґан", "Stevens", "Zelenksy", "it's", "2024", "",
        "Нью-Йорк", "cafe\u0301", "\U0010ffff", "a", "zzzzzzzzzz", "аааааааа", "ӿ"]


def test_the_index_gives_wordfreqs_answers(through: Path) -> None:
    from wordfreq import zipf_frequency

    rng = random.Random(11)
    for language in LISTS:
        assert english._table(language, "large") is not None  # read whole, and indexed
    english.read_lists_with(CachedLists(through, False))
    for language in LISTS:
        table = english._table(language, "large")
        assert isinstance(table, IndexedList), "read in place from now on"
        for word in _sample(language, rng):
            english._zipf.cache_clear()
            assert english._zipf(word, language, "large") == zipf_frequency(
                word, language, wordlist="large"), (word, language)
    assert len(_files(through)) == len(LISTS)


def test_every_listed_word_has_its_bucket(through: Path) -> None:
    """Every word of the Ukrainian list, looked up in the list read whole and in its index,
    is in the last bucket the file lists it in (the first and last words too)."""
    whole = english._wordlist("uk", "large")
    table = CachedLists(through, True)(_path("uk")) and CachedLists(through, False)(_path("uk"))
    assert whole is not None and isinstance(table, IndexedList)
    last: dict[bytes, int] = {}
    for number, bucket in wordfreq_buckets("uk", "large"):
        last.update(dict.fromkeys(bucket, number))
    words = sorted(last)
    for raw in [*words[:50], *words[-50:], *words[:: max(1, len(words) // 3000)]]:
        word = raw.decode("utf-8", "surrogatepass")
        assert table.index(word) == whole.index(word) == last[raw], word


def _index_of(tmp_path: Path, lists: list[object]) -> tuple[english.Wordlist, IndexedList]:
    """A list of these buckets (after the header) read whole, and its index."""
    import msgpack

    source = tmp_path / "large_xx.msgpack.gz"
    source.write_bytes(zlib.compress(msgpack.packb([{"format": "cB", "version": 1}, *lists]),
                                     wbits=16 + zlib.MAX_WBITS))
    whole = english.read_wordlist(str(source))
    assert whole is not None
    key = list_key(str(source))
    assert key is not None
    from glossary_check.cache.wordlists import _write

    assert _write(tmp_path / "index.bin", key, whole)
    return whole, IndexedList.open(tmp_path / "index.bin", key, str(source))


def test_a_list_it_cannot_hold_exactly_is_left_to_wordfreq(tmp_path: Path) -> None:
    """A word with a NUL in it, an empty word, a bucket that is not a list, a file cut
    short: not read (None), so that wordfreq itself answers for that list."""
    import msgpack

    source = tmp_path / "large_xx.msgpack.gz"
    header = {"format": "cB", "version": 1}
    packed = [msgpack.packb([header, *lists]) for lists in (
        [[b"a", b"b\0c"]], [[b"", b"a"]], [[b"a"], 7], [[b"a"], [b"b", b"\0"]])]
    whole = msgpack.packb([header, [b"a", b"b"], [b"c"]])
    for data in [*packed, whole[:-3]]:
        source.write_bytes(zlib.compress(data, wbits=16 + zlib.MAX_WBITS))
        assert english.read_wordlist(str(source)) is None, data
    source.write_bytes(zlib.compress(whole, wbits=16 + zlib.MAX_WBITS))
    read = english.read_wordlist(str(source))
    assert read is not None and [read.index(w) for w in "abcd"] == [0, 0, 1, None]
    source.write_bytes(zlib.compress(msgpack.packb([header]), wbits=16 + zlib.MAX_WBITS))
    empty = english.read_wordlist(str(source))  # a header and no bucket: no word at all
    assert empty is not None and empty.index("a") is None


def test_a_word_in_two_buckets_keeps_the_last(tmp_path: Path) -> None:
    """wordfreq's dictionary keeps the last bucket a word is in: so does the index."""
    whole, index = _index_of(tmp_path, [[b"b", b"z"], [], [b"a", b"b"], [b"c"]])
    for word in ("a", "b", "c", "z", "", "bb", "y", "zz"):
        assert index.index(word) == whole.index(word), word
    assert index.index("b") == 2


def test_words_group_by_their_first_character(tmp_path: Path) -> None:
    """Words are searched among those of their first character: one- to four-byte
    characters, a character cut short, bytes that start none, the last byte value, and a
    word that is another's prefix or ends in another's first letters all answer as the
    list read whole does."""
    rng = random.Random(5)
    alphabet = ["a", "b", "я", "ё", "€", "\U0001f600", "\x7f", "\u00ff"]
    words = {"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4))).encode()
             for _ in range(400)}
    words |= {b"\xd0", b"\xd0\xb0", b"\xe2\x82", b"\xff", b"\xff\xff", b"\x80a", b"ab", b"ba"}
    ordered = sorted(words)
    buckets = [sorted(rng.sample(ordered, 60)) for _ in range(6)]
    whole, index = _index_of(tmp_path, buckets)
    probes = {w.decode("utf-8", "surrogateescape") for w in words}
    for word in [*sorted(probes), "", "c", "яя", "a\0b", "\U0001f601"]:
        try:
            word.encode("utf-8", "surrogatepass")
        except UnicodeEncodeError:
            continue
        assert index.index(word) == whole.index(word), word
    for raw in ordered:  # bytes a str does not encode to, too
        listed = [i for i, bucket in enumerate(buckets) if raw in bucket]
        assert index._lookup(raw) == (listed[-1] if listed else None), raw
        assert english.grouped_bucket(raw, whole._groups, whole.firsts, whole.starts,
                                      whole.buckets, whole.words.rfind) == index._lookup(raw)


def test_an_index_is_built_only_where_the_run_is_worth_it(tmp_path: Path) -> None:
    """An empty cache and a one-off run: the list is read whole, nothing is written; once an
    index is there, even such a run reads it."""
    lists = CachedLists(tmp_path, False)
    assert lists(_path("ru")) is None and _files(tmp_path) == []
    assert isinstance(CachedLists(tmp_path, True)(_path("ru")), english.Wordlist)
    assert isinstance(lists(_path("ru")), IndexedList)
    small = english.list_path("en", "small")
    assert small is not None and CachedLists(tmp_path, True)(small) is None
    assert len(_files(tmp_path)) == 1


def test_the_source_pickles_for_a_spawned_worker(tmp_path: Path) -> None:
    lists = CachedLists(tmp_path, True)
    again = pickle.loads(pickle.dumps(lists))
    assert again == lists and isinstance(again(_path("en")), english.Wordlist)
    assert isinstance(again(_path("en")), IndexedList)


def _built(directory: Path, language: str = "en") -> tuple[Path, bytes]:
    assert isinstance(CachedLists(directory, True)(_path(language)), english.Wordlist)
    [file] = _files(directory)
    return file, file.read_bytes()


def _forged(data: bytes, sections: dict[str, bytes]) -> bytes:
    """The file with sections replaced and its checksum fixed up, as a forger would."""
    (hlen,) = struct.unpack_from("<I", data, 12)
    header = json.loads(data[16 : 16 + hlen])
    at, parts, where = 0, [], {}
    for name, (start, length) in header["sections"].items():
        part = sections.get(name, data[16 + hlen + start : 16 + hlen + start + length])
        where[name] = [at, len(part)]
        parts.append(part)
        at += len(part)
    payload = b"".join(parts)
    header.update(sections=where, length=len(payload), crc32=zlib.crc32(payload))
    head = json.dumps(header).encode()
    return data[:12] + struct.pack("<I", len(head)) + head + payload


def _section(data: bytes, name: str) -> bytes:
    (hlen,) = struct.unpack_from("<I", data, 12)
    start, length = json.loads(data[16 : 16 + hlen])["sections"][name]
    return data[16 + hlen + start : 16 + hlen + start + length]


def _answers_and_rebuilds(directory: Path, file: Path, good: bytes) -> None:
    """Whatever is wrong with the file, the answers are wordfreq's and the file is rebuilt."""
    from wordfreq import zipf_frequency

    english.read_lists_with(CachedLists(directory, False))
    english._zipf.cache_clear()
    try:
        for word in ("stevens", "smyth", "zelenksy", "the", "zzzzqx"):
            english._zipf.cache_clear()
            assert english._zipf(word, "en", "large") == zipf_frequency(word, "en", "large")
    finally:
        english.read_lists_with(None)
        english._zipf.cache_clear()
    assert file.read_bytes() == good, "rebuilt as it was"
    assert os.stat(file).st_mode & 0o777 == 0o600


def _damages(data: bytes) -> dict[str, bytes]:
    starts, words = _section(data, "starts"), _section(data, "words")
    groups, prefixes = _section(data, "groups"), _section(data, "prefixes")
    buckets = _section(data, "buckets")
    count = len(starts) // 4
    numbers = struct.unpack(f"<{count}I", starts)
    wild = bytearray(starts)
    wild[4 * (count // 2) : 4 * (count // 2) + 4] = struct.pack("<I", 0xFFFFFFF0)
    firsts = struct.unpack(f"<{len(groups) // 4}I", groups)
    swapped = struct.pack(f"<{len(firsts)}I", firsts[0], firsts[2], firsts[1], *firsts[3:])
    return {
        "a flipped byte": data[:-100] + bytes([data[-100] ^ 1]) + data[-99:],
        "short": data[: len(data) // 2],
        "empty": b"",
        "not a cache file": b"GLCKCACH" + b"\xff" * 64,
        "starts backwards": _forged(data, {"starts": struct.pack(f"<{count}I",
                                                                 *reversed(numbers))}),
        "a start past the end": _forged(data, {"starts": bytes(wild)}),
        "groups out of order": _forged(data, {"groups": swapped}),
        "prefixes out of order": _forged(data, {"prefixes": b"\0".join(
            reversed(prefixes.split(b"\0")))}),
        "a prefix missing": _forged(data, {"prefixes": prefixes.rsplit(b"\0", 1)[0]}),
        "words without their first NUL": _forged(data, {"words": b"a" + words[1:]}),
        "words cut short": _forged(data, {"words": words[:-1]}),
        "odd starts": _forged(data, {"starts": starts[:-1]}),
        "a bucket missing": _forged(data, {"buckets": buckets[:-2]}),
    }


@pytest.mark.parametrize("damage", [
    "a flipped byte", "short", "empty", "not a cache file", "starts backwards",
    "a start past the end", "groups out of order", "prefixes out of order",
    "a prefix missing", "words without their first NUL", "words cut short", "odd starts",
    "a bucket missing",
])
def test_a_damaged_or_forged_index_is_refused_and_rebuilt(tmp_path: Path, damage: str) -> None:
    file, good = _built(tmp_path)
    file.write_bytes(_damages(good)[damage])
    os.chmod(file, 0o600)
    _answers_and_rebuilds(tmp_path, file, good)


def test_an_index_writable_by_others_is_refused(tmp_path: Path) -> None:
    file, good = _built(tmp_path)
    os.chmod(file, 0o666)
    lists = CachedLists(tmp_path, False)
    assert isinstance(lists(_path("en")), english.Wordlist), "read whole, and written again"
    assert any("writable by other users" in n for n in lists.notices)
    _answers_and_rebuilds(tmp_path, file, good)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="giving a file to another user needs root")
def test_another_users_index_is_refused(tmp_path: Path) -> None:
    file, good = _built(tmp_path)
    os.chown(file, 65534, 65534)
    lists = CachedLists(tmp_path, False)
    lists(_path("en"))
    assert any("belongs to another user" in n for n in lists.notices)
    _answers_and_rebuilds(tmp_path, file, good)


def test_a_changed_list_is_indexed_again(tmp_path: Path) -> None:
    """The key is the list file's size, time and checksum: another wordfreq, another index."""
    import shutil

    copy = tmp_path / "large_en.msgpack.gz"
    shutil.copyfile(_path("en"), copy)
    directory = tmp_path / "cache"
    CachedLists(directory, True)(str(copy))
    data = bytearray(copy.read_bytes())
    os.utime(copy, ns=(0, 10**18))
    assert list_key(str(copy)) != list_key(_path("en"))
    CachedLists(directory, True)(str(copy))
    assert len(_files(directory)) == 2
    copy.write_bytes(bytes(data[:-8]) + b"\0" * 8)  # same size, same time, other bytes
    os.utime(copy, ns=(0, 10**18))
    assert len({list_key(str(copy)), list_key(_path("en"))}) == 2


def test_an_unusable_directory_reads_the_list_whole(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert CachedLists(blocker / "cache", True)(_path("en")) is not None
    assert fileformat.refusal(tmp_path) is None


def test_a_session_reads_the_lists_through_its_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run's cache directory holds the indexes, built once the glossary is seen again;
    `--no-cache` reads the lists whole; a spawned worker is given the parent's source."""
    import gc

    from glossary_check.commands import session
    from glossary_check.engine.compiled import compile_all
    from glossary_check.engine.glossary import load_glossary
    from glossary_check.rules.pipeline import Settings
    from glossary_check.workflow import runner
    from glossary_check.workflow.files import bundled_glossary

    monkeypatch.setenv("GLOSSARY_CHECK_CACHE_DIR", str(tmp_path))
    compiled = compile_all(load_glossary(bundled_glossary()))
    session.read_lists(compiled, True)
    assert english.lists_source() == CachedLists(tmp_path, False)
    from glossary_check.cache.compiled import SourceStore

    compiled.source_store = SourceStore(tmp_path, "digest", seen=True)
    session.read_lists(compiled, True)
    source = english.lists_source()
    assert source == CachedLists(tmp_path, True)
    session.read_lists(compiled, False)
    assert english.lists_source() is None
    copy = pickle.loads(pickle.dumps(source))
    runner._init_worker(compiled, Settings(), None, gc.get_threshold(), 10**6, copy)
    assert english.lists_source() is copy
