"""The compiled-glossary cache: warm runs give the same findings as cold ones, a changed
glossary or a damaged cache file is rebuilt, concurrent writers never leave half a file,
and `--no-cache` writes nothing."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import pickle
import struct
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import CORE, WriteGlossary, check_text, python_output
from glossary_check.cache import compiled as cache
from glossary_check.cache import fileformat as cachefile
from glossary_check.commands.cli import main
from glossary_check.engine.compiled import Compiled, NearIndex, compile_all
from glossary_check.engine.glossary import load_glossary
from glossary_check.engine.matching import Kind, Target

GLOSSARY = """\
version: 1
language: en
include: [people.yaml]
entries:
  - term: Kyiv
    kind: place
    variants: [Kiev, Kyev]
    except: [Chicken Kiev]
    sources:
      ru: [Киев]
      uk: [Київ]
    note: the desk's rule
  - term: Kharkiv
    kind: place
    variants: [Kharkov]
  - term: kompromat
    kind: term
  - term: TASS
    kind: organization
  - term: Jr.
    kind: other
    pattern: '\\bJunior\\b'
"""

PEOPLE = """\
version: 1
entries:
  - term: Zelensky
    kind: person
    aliases: [Volodymyr Zelensky]
    variants:
      - Zelenskyy
      - Vladimir Zelensky: Volodymyr Zelensky
  - term: Oleksandr Syrskyi
    kind: person
    variants: [Aleksandr Syrsky, Oleksandr Syrsky]
  - term: Oleksandr Usyk
    kind: person
    variants: [Alexander Usyk]
"""

ARTICLE = """\
Vladimir Zelensky met Oleksandr Syrsky in Kiev on Monday; Zelenskyy's aides and Tass
reported it. Kompromat was not mentioned. Later Oleksandr
Usyk and Alexander Usyk arrived in Kharkov, and they had Chicken Kiev.
Kyiv is calm. Zelensky said: Kyev. Zelenksy spoke, and Junior Kharkiv's mayor too.
"""


def _setup(write_glossary: WriteGlossary, people: str = PEOPLE) -> Path:
    write_glossary(people, "people.yaml")
    return write_glossary(GLOSSARY)


def _findings(compiled: Compiled, text: str = ARTICLE) -> list[Any]:
    return check_text(compiled, text, CORE)


def _cache_files(directory: Path, kind: str = "compiled") -> list[Path]:
    return sorted(directory.glob(f"{kind}-*.bin"))


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from tmp_path: the cache key includes the working directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_warm_load_skips_yaml_and_finds_the_same(
    here: Path, write_glossary: WriteGlossary, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _setup(write_glossary)
    store = here / "cache"
    cold = cache.load(path, store)
    assert len(_cache_files(store)) == 1
    fresh = compile_all(load_glossary(path))
    assert _findings(cold) == _findings(fresh)
    assert _findings(fresh), "the article has findings to compare"

    def refuse(*_: object) -> None:
        raise AssertionError("a warm load must not parse the glossary")

    monkeypatch.setattr(cache, "load_glossary", refuse)
    warm = cache.load(path, store)
    assert isinstance(warm.matcher.root, cache.LazyNode)
    assert _findings(warm) == _findings(fresh)
    assert warm.glossary.path == fresh.glossary.path
    assert warm.glossary.files == fresh.glossary.files
    assert warm.glossary.digest == fresh.glossary.digest
    assert len(warm.glossary.entries) == len(fresh.glossary.entries)


def test_lazy_views_hold_exactly_the_compiled_tables(
    here: Path, write_glossary: WriteGlossary
) -> None:
    path = _setup(write_glossary)
    fresh = compile_all(load_glossary(path))
    cache.load(path, here / "cache")
    warm = cache.load(path, here / "cache")
    assert dict(warm.matcher.root.items()) == fresh.matcher.root
    assert dict(warm.near.items()) == fresh.near
    assert set(warm.known) == set(fresh.known)
    assert "zelensky" in warm.known and "nonesuch" not in warm.known
    assert warm.near.get("nonesuch") is None
    for a, b in zip(warm.glossary.entries, fresh.glossary.entries, strict=True):
        assert (a.term, a.variants, a.sources, a.location, a.note) == (
            b.term, b.variants, b.sources, b.location, b.note)
        assert (a.pattern and a.pattern.pattern) == (b.pattern and b.pattern.pattern)
    assert warm.glossary.entries[-1].term == fresh.glossary.entries[-1].term
    assert [e.term for e in warm.glossary.entries[1:3]] == [
        e.term for e in fresh.glossary.entries[1:3]]
    with pytest.raises(TypeError):
        warm.matcher.root["x"] = {}


def test_a_lazy_compiled_glossary_pickles_as_plain_data(
    here: Path, write_glossary: WriteGlossary
) -> None:
    """What a worker started by spawning receives."""
    path = _setup(write_glossary)
    cache.load(path, here / "cache")
    warm = cache.load(path, here / "cache")
    copy = pickle.loads(pickle.dumps(warm))
    assert type(copy.matcher.root) is dict
    assert _findings(copy) == _findings(compile_all(load_glossary(path)))


@pytest.mark.parametrize("which", ["main", "included"])
def test_a_changed_glossary_file_is_recompiled(
    here: Path, write_glossary: WriteGlossary, which: str
) -> None:
    path = _setup(write_glossary)
    store = here / "cache"
    text = ARTICLE + "A man visited Charkow.\n"
    before = _findings(cache.load(path, store), text)
    if which == "main":
        write_glossary(GLOSSARY.replace("variants: [Kharkov]", "variants: [Kharkov, Charkow]"))
    else:
        _setup(write_glossary, PEOPLE + "  - term: Charkiv Man\n    variants: [Charkow]\n")
    after = _findings(cache.load(path, store), text)
    fresh = _findings(compile_all(load_glossary(path)), text)
    assert after == fresh
    assert after != before
    assert len(_cache_files(store)) == 1  # rewritten in place, not added
    warm = cache.load(path, store)
    assert isinstance(warm.matcher.root, cache.LazyNode)
    assert _findings(warm, text) == fresh


def _damage(file: Path, how: str) -> None:
    data = bytearray(file.read_bytes())
    if how == "truncated":
        data = data[: len(data) // 2]
    elif how == "empty":
        data = bytearray()
    elif how == "garbage":
        data = bytearray(os.urandom(len(data)))
    elif how == "wrong-version":
        struct.pack_into("<I", data, 8, cachefile.FORMAT + 1)
    elif how == "flipped-byte":
        data[-10] ^= 0xFF
    elif how == "bad-header":
        data[20:40] = b"{" * 20
    elif how == "other-key":
        (hlen,) = struct.unpack_from("<I", data, 12)
        header = json.loads(bytes(data[16 : 16 + hlen]))
        header["key"] = header["key"][::-1]
        head = json.dumps(header).encode()
        data = bytearray(data[:12] + struct.pack("<I", len(head)) + head + data[16 + hlen :])
    elif how == "bad-record":
        # a payload that passes the checksum but does not decode
        (hlen,) = struct.unpack_from("<I", data, 12)
        header = json.loads(bytes(data[16 : 16 + hlen]))
        start = 16 + hlen + header["sections"]["meta"][0]
        data[start : start + 4] = b"\x00\x01\x02\x03"
        import zlib

        header["crc32"] = zlib.crc32(bytes(data[16 + hlen :]))
        head = json.dumps(header).encode()
        data = bytearray(data[:12] + struct.pack("<I", len(head)) + head + data[16 + hlen :])
    file.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "how", ["truncated", "empty", "garbage", "wrong-version", "flipped-byte", "bad-header",
            "other-key", "bad-record"],
)
def test_a_damaged_cache_file_is_rebuilt(
    here: Path, write_glossary: WriteGlossary, how: str
) -> None:
    path = _setup(write_glossary)
    store = here / "cache"
    expected = _findings(cache.load(path, store))
    (file,) = _cache_files(store)
    _damage(file, how)
    assert _findings(cache.load(path, store)) == expected
    assert len(_cache_files(store)) == 1
    warm = cache.load(path, store)
    assert isinstance(warm.matcher.root, cache.LazyNode), "the damaged file was rewritten"
    assert _findings(warm) == expected


def _forge_section(file: Path, name: str, forge: Any) -> None:
    """Change one section of a cache file in place, its checksum made to match again: what
    only a forger would write."""
    import zlib

    data = bytearray(file.read_bytes())
    (hlen,) = struct.unpack_from("<I", data, 12)
    header = json.loads(bytes(data[16 : 16 + hlen]))
    start, length = header["sections"][name]
    at = 16 + hlen + start
    data[at : at + length] = forge(bytearray(data[at : at + length]))
    header["crc32"] = zlib.crc32(bytes(data[16 + hlen :]))
    head = json.dumps(header).encode()
    file.write_bytes(bytes(data[:12] + struct.pack("<I", len(head)) + head + data[16 + hlen :]))


def _rows_past_the_targets(section: bytearray) -> bytearray:
    (count,) = struct.unpack_from("<I", section, 0)
    for i in range(count):
        struct.pack_into("<I", section, 4 + 4 * (count + i), 0xFFFFFF)
    return section


def _targets_undecodable(section: bytearray) -> bytearray:
    (count,) = struct.unpack_from("<I", section, 0)
    start = 4 + 4 * (count + 1)
    section[start:] = b"\xc1" * (len(section) - start)
    return section


def _targets_of_other_entries(section: bytearray) -> bytearray:
    # Zelensky's entry number (a small positive integer in MessagePack) made 127
    assert b"Zelensky\x00" in section
    return bytearray(bytes(section).replace(b"Zelensky\x00", b"Zelensky\x7f"))


@pytest.mark.parametrize("forge", [_rows_past_the_targets, _targets_undecodable,
                                   _targets_of_other_entries])
def test_a_forged_near_miss_index_falls_back_on_the_rebuild(
    here: Path, write_glossary: WriteGlossary, forge: Any
) -> None:
    """The near-miss rows and targets are read in place: a row naming a target the file does
    not have, or a target that does not decode or names another entry, is a bad record."""
    path = _setup(write_glossary)
    store = here / "cache"
    expected = _findings(cache.load(path, store))
    assert any("Zelenksy" in str(f) for f in expected), "a near miss to find"
    (file,) = _cache_files(store)
    section = "near" if forge is _rows_past_the_targets else "near-pairs"
    _forge_section(file, section, forge)
    warm = cache.load(path, store)
    assert isinstance(warm.near, cache.LazyNear)
    assert _findings(warm) == expected
    assert any("bad record" in notice for notice in warm.notices)
    assert not file.exists(), "the forged file is deleted, to be written again"


def test_a_near_miss_index_of_another_length_is_refused(
    here: Path, write_glossary: WriteGlossary
) -> None:
    path = _setup(write_glossary)
    store = here / "cache"
    expected = _findings(cache.load(path, store))
    (file,) = _cache_files(store)

    def longer_count(section: bytearray) -> bytearray:
        struct.pack_into("<I", section, 0, struct.unpack_from("<I", section, 0)[0] + 1)
        return section

    _forge_section(file, "near", longer_count)
    cold = cache.load(path, store)  # refused on opening: compiled afresh and written again
    assert _findings(cold) == expected
    rewritten = cachefile.open_file(file, "compiled", None)
    fresh = compile_all(load_glossary(path)).near
    assert isinstance(fresh, NearIndex)
    assert len(cachefile.read_columns(rewritten.blob("near"), 2)[0]) == len(fresh.rows)
    with pytest.raises(cachefile.CacheError):
        cachefile.read_columns(struct.pack("<II", 2, 1), 2)


def _load_in_process(args: tuple[str, str, str, Any]) -> str:
    cwd, path, store, barrier = args
    os.chdir(cwd)
    barrier.wait()
    compiled = cache.load(path, Path(store))
    return json.dumps([(f.rule, f.offset, f.text) for f in _findings(compiled)])


def test_concurrent_runs_do_not_corrupt_the_cache(
    here: Path, write_glossary: WriteGlossary
) -> None:
    path = _setup(write_glossary)
    store = here / "cache"
    fresh = _findings(compile_all(load_glossary(path)))
    expected = json.dumps([(f.rule, f.offset, f.text) for f in fresh])
    context = multiprocessing.get_context("spawn")
    for _ in range(2):  # both writing (cold), then one writing over a file others read
        with context.Manager() as manager:
            barrier = manager.Barrier(4)
            with context.Pool(4) as pool:
                task = (str(here), str(path), str(store), barrier)
                results = pool.map(_load_in_process, [task] * 4)
        assert results == [expected] * 4
        (file,) = _cache_files(store)
        assert not list(store.glob("*.tmp")), "no temporary file is left behind"
        warm = cache.load(path, store)
        assert isinstance(warm.matcher.root, cache.LazyNode)
        file.write_bytes(file.read_bytes()[:100])  # the second round rebuilds it concurrently


def test_write_is_all_or_nothing(
    here: Path, write_glossary: WriteGlossary, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer that fails half-way (disk full) leaves the old file and no temporary one."""
    path = _setup(write_glossary)
    store = here / "cache"
    cache.load(path, store)
    (file,) = _cache_files(store)
    before = file.read_bytes()

    def full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    write_glossary(GLOSSARY.replace("Kyev]", "Kyev, Kiew]"))
    compiled = cache.load(path, store)  # compiled all the same
    assert "Kiew" in [v.wrong for e in compiled.glossary.entries for v in e.variants]
    assert file.read_bytes() == before
    assert not list(store.glob("*.tmp"))


def test_an_unwritable_cache_directory_only_costs_time(
    here: Path, write_glossary: WriteGlossary
) -> None:
    path = _setup(write_glossary)
    blocker = here / "not-a-directory"
    blocker.write_text("")
    compiled = cache.load(path, blocker / "cache")
    assert _findings(compiled) == _findings(compile_all(load_glossary(path)))


def test_a_cold_run_checks_from_the_file_it_wrote(
    here: Path, write_glossary: WriteGlossary
) -> None:
    """The trie, near-miss index and known words built are let go for the file's, read in
    place; the entries stay as loaded. Where nothing could be written, all stays built."""
    path = _setup(write_glossary)
    fresh = compile_all(load_glossary(path))
    cold = cache.load(path, here / "cache")
    assert isinstance(cold.matcher.root, cache.LazyNode)
    assert isinstance(cold.near, cache.LazyNear)
    assert isinstance(cold.known, cachefile.LazySet)
    assert type(cold.glossary.entries) is tuple
    assert _findings(cold) == _findings(fresh)
    assert pickle.loads(pickle.dumps(cold.near)) == fresh.near
    # the trie was written from its items, never made: read back, it is the one made
    assert dict(cold.matcher.root.items()) == fresh.matcher.root
    blocker = here / "not-a-directory"
    blocker.write_text("")
    unwritten = cache.load(path, blocker / "cache")
    assert type(unwritten.matcher.root) is dict and isinstance(unwritten.near, NearIndex)
    assert unwritten.matcher.root == fresh.matcher.root, "made from its items after all"


def test_a_file_written_but_not_read_back_leaves_the_trie_made(
    here: Path, write_glossary: WriteGlossary, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The trie was written from its items (rewritten to addresses as it was): where the file
    cannot be read back, the trie is made from them after all, the same as ever."""
    path = _setup(write_glossary)
    fresh = compile_all(load_glossary(path))
    monkeypatch.setattr(cache, "_read_in_place", lambda *_: False)
    cold = cache.load(path, here / "cache")
    assert len(_cache_files(here / "cache")) == 1, "the file was written"
    assert type(cold.matcher.root) is dict and cold.matcher.root == fresh.matcher.root
    assert _findings(cold) == _findings(fresh)


_ASIDE_RUN = """
import json, os, sys
from pathlib import Path
from glossary_check.cache import compiled as cache
from glossary_check.engine import morphology
cache.ASIDE_MIN = 1  # this glossary is small: made aside all the same
made, parent, built = morphology.build_form_keys, os.getpid(), []
def counted(glossary):
    if os.getpid() == parent:
        built.append(1)
    elif os.environ.get("FAIL_ASIDE"):
        raise MemoryError("the child fails")
    return made(glossary)
morphology.build_form_keys = counted
from glossary_check.commands.cli import main
status = main(sys.argv[1:])
cache_dir = Path(os.environ["GLOSSARY_CHECK_CACHE_DIR"])
kinds = sorted({p.name.split("-")[0] for p in cache_dir.iterdir()})
print(json.dumps({"status": status, "built": len(built), "kinds": kinds}))
"""


def test_a_large_glossary_is_prepared_aside(here: Path, write_glossary: WriteGlossary) -> None:
    """Past `ASIDE_MIN` entries a forked child makes and keeps the morphology's keys and
    wordfreq's indexes while a cold run compiles: the run reads them from the cache, as a
    later run does, and reports what a run without a cache reports. A child that fails
    costs nothing but time: the run makes the keys itself and reads the lists whole. Run in
    a fresh interpreter: a test process has other threads by now, and no fork is made then."""
    from glossary_check.core.processes import cpus

    if cpus() == 1 or not hasattr(os, "fork") or sys.platform == "darwin":
        pytest.skip("no second CPU or no safe fork here: nothing is made aside")
    path = _setup(write_glossary)
    (here / "article.txt").write_text("В Киеве и в Києві спокойно. Zelenskyy's aides met in "
                                      "Kiev; Olexandr Syrsky came.\n", encoding="utf-8")
    args = ["-g", str(path), "-f", "json", "--fail-on", "never", "article.txt"]
    main([*args, "--no-cache", "-o", str(here / "expected.json")])
    expected = (here / "expected.json").read_text(encoding="utf-8")
    assert '"source-form"' in expected

    def run(directory: str, **env: str) -> dict[str, object]:
        out = python_output(_ASIDE_RUN, *args, "-o", f"{directory}.json", env={
            **os.environ, "GLOSSARY_CHECK_CACHE_DIR": str(here / directory), **env})
        assert (here / f"{directory}.json").read_text(encoding="utf-8") == expected
        result: dict[str, object] = json.loads(out.splitlines()[-1])
        return result

    prepared = run("cache")
    assert prepared["built"] == 0, "read from the cache, not made here"
    assert {"sources", "wordfreq"} <= set(prepared["kinds"])  # type: ignore[arg-type]
    failed = run("other", FAIL_ASIDE="1")
    assert failed["built"] == 1, "made here after all"
    assert "wordfreq" not in failed["kinds"]  # type: ignore[operator]


def test_a_run_that_fails_to_compile_stops_what_is_made_aside(
    here: Path, write_glossary: WriteGlossary
) -> None:
    """Compiling fails (here: on purpose) while the child is still at work: the child is
    stopped at once, and the failure is the run's, not a wait of minutes."""
    from glossary_check.core.processes import cpus

    if cpus() == 1 or not hasattr(os, "fork") or sys.platform == "darwin":
        pytest.skip("no second CPU or no safe fork here: nothing is made aside")
    path = _setup(write_glossary)
    code = f"""
import json, os, time
from pathlib import Path
from glossary_check.cache import compiled as cache
cache.ASIDE_MIN = 1
def slow(glossary):
    Path({str(here / "child")!r}).write_text(str(os.getpid()))
    time.sleep(60)
def broken(glossary, *args):
    while not Path({str(here / "child")!r}).exists():
        time.sleep(0.01)
    raise RuntimeError("compiling failed")
cache._compiled_cold = broken
started = time.monotonic()
try:
    cache.load({str(path)!r}, Path({str(here / "cache")!r}), slow)
except RuntimeError as exc:
    failed = str(exc)
child = int(Path({str(here / "child")!r}).read_text())
try:
    os.kill(child, 0)
    gone = False
except ProcessLookupError:
    gone = True
print(json.dumps({{"failed": failed, "gone": gone, "took": time.monotonic() - started}}))
"""
    out = json.loads(python_output(code).splitlines()[-1])
    assert out["failed"] == "compiling failed" and out["gone"] is True
    assert out["took"] < 30


def test_the_morphology_index_is_a_second_artefact(
    here: Path, write_glossary: WriteGlossary, monkeypatch: pytest.MonkeyPatch
) -> None:
    from glossary_check.engine import morphology

    path = _setup(write_glossary)
    store = here / "cache"
    text = "The mayor of Киева spoke."
    first = cache.load(path, store)
    assert first.inflected_sources(text, [], []) is not None
    assert len(_cache_files(store, "sources")) == 1

    def refuse(*_: object) -> None:
        raise AssertionError("the index must come from the cache")

    monkeypatch.setattr(morphology, "build_form_keys", refuse)
    from glossary_check.engine.matching import tokenize

    second = cache.load(path, store)
    assert second.inflected_sources(text, tokenize(text), []) == first.inflected_sources(
        text, tokenize(text), [])
    assert second.sources is not None
    # keyed on the glossary's contents: another glossary does not get this index
    write_glossary(GLOSSARY.replace("uk: [Київ]", "uk: [Київ, Києва]"))
    third = cache.load(path, store)
    with pytest.raises(AssertionError, match="from the cache"):
        third.inflected_sources(text, tokenize(text), [])


def test_cli_no_cache_writes_nothing(
    here: Path, write_glossary: WriteGlossary, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _setup(write_glossary)
    store = here / "cache"
    monkeypatch.setenv(cache.ENV, str(store))
    article = here / "article.txt"
    article.write_text(ARTICLE + "Мэр Киева сказал.\n", encoding="utf-8")
    args = ["-g", str(path), "-f", "json", "--ignore", "untranslated", str(article)]
    assert main([*args, "--no-cache"]) == 1
    uncached = capsys.readouterr().out
    assert '"source-form"' in uncached  # the morphology index was needed, and built
    assert not store.exists()
    assert main(args) == 1
    assert capsys.readouterr().out == uncached
    assert len(_cache_files(store)) == 1
    assert len(_cache_files(store, "sources")) == 1
    assert main(args) == 1
    assert capsys.readouterr().out == uncached


def test_default_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(cache.ENV, str(tmp_path / "here"))
    assert cache.default_dir() == tmp_path / "here"
    monkeypatch.delenv(cache.ENV)
    assert cache.default_dir().name == "glossary-check"


def test_tables_round_trip() -> None:
    items = {f"key{i}": f"value{i}".encode() for i in range(1000)}
    items["Київ"] = b""
    items[""] = b"empty key"
    data = cachefile.build_table(items.items())
    table = cachefile.Table(memoryview(data), 0)
    assert {k: bytes(v) for k, v in table.items()} == items
    for key, value in items.items():
        got = table.get(key)
        assert got is not None and bytes(got) == value
    assert table.get("missing") is None
    empty = cachefile.Table(memoryview(cachefile.build_table([])), 0)
    assert empty.get("x") is None and list(empty.items()) == []
    array = cachefile.Array(memoryview(b"\0" * 3 + cachefile.build_array([b"a", b"", b"ccc"])), 3)
    assert [bytes(array[i]) for i in range(len(array))] == [b"a", b"", b"ccc"]
    with pytest.raises(IndexError):
        array[3]


def test_a_dataclass_artefact_round_trips_with_lazy_fields(tmp_path: Path) -> None:
    """How the morphology index is kept: long tuples and dicts (str or tuple keys) lazy."""
    from glossary_check.engine.matching import Match, Token

    value = Match(
        0, 5, "Kyiv",
        tuple(Target(i, Kind.VARIANT, f"form{i}", "fix", None) for i in range(600)),
    )
    artefact = cache.Artefact(tmp_path, "test", "k", Match)
    assert artefact.load() is None
    assert artefact.save(value)
    loaded = artefact.load()
    assert isinstance(loaded.targets, cachefile.LazyTuple)
    assert loaded.targets == value.targets and loaded.targets[599] == value.targets[599]
    assert loaded.targets[-1] == value.targets[-1] and len(loaded.targets) == 600
    assert (loaded.start, loaded.end, loaded.text) == (0, 5, "Kyiv")
    assert pickle.loads(pickle.dumps(loaded)) == value
    assert cache.Artefact(tmp_path, "test", "other", Match).load() is None
    plain = cache.Artefact(tmp_path, "plain", "k", dict[str, list[Token]])
    assert plain.save({"a": [Token(0, 1, "a")]}) and plain.load() == {"a": [Token(0, 1, "a")]}
    assert not plain.save({"a": [object()]}), "only values of the declared type are stored"

    table = {(f"ru{i}", "лемма"): (i, i + 1) for i in range(300)}
    section = cachefile.mapping_section(table, cachefile.codec(tuple[int, int]))
    mapping = cachefile.LazyMapping(
        cachefile.Table(section, 0), cachefile.codec(tuple[int, int]),
        cachefile.codec(tuple[str, str]))
    assert mapping.get(("ru7", "лемма")) == (7, 8)
    assert mapping.get(("ru7", "other"), ()) == ()
    assert ("ru9", "лемма") in mapping and "ru9" not in mapping
    assert dict(mapping.items()) == table


def test_pruning_removes_only_stale_cache_files(tmp_path: Path) -> None:
    old = 0.0
    stale = tmp_path / f"compiled-{'a' * 32}.bin"
    fresh = tmp_path / f"sources-{'b' * 32}.bin"
    crashed = tmp_path / f".compiled-{'c' * 32}-x1y2.tmp"
    foreign = tmp_path / "translations.sqlite3"
    other_bin = tmp_path / "firmware.bin"
    for item in (stale, fresh, crashed, foreign, other_bin):
        item.write_bytes(b"x")
    for item in (stale, crashed, foreign, other_bin):
        os.utime(item, (old, old))
    cachefile.prune(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in (fresh, foreign, other_bin))


def test_cache_clear_deletes_only_cache_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from glossary_check.commands.cache_command import main as cache_main

    compiled = tmp_path / f"compiled-{'a' * 32}.bin"
    foreign = tmp_path / "firmware.bin"
    for item in (compiled, foreign):
        item.write_bytes(b"x")
    monkeypatch.setenv("GLOSSARY_CHECK_CACHE_DIR", str(tmp_path))
    assert cache_main(["clear"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["firmware.bin"]
    assert "1 compiled glossary" in capsys.readouterr().out


def test_cache_commands_survive_a_translation_cache_that_is_not_a_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from glossary_check.commands.cache_command import main as cache_main

    broken = tmp_path / "translations.sqlite3"
    broken.write_bytes(b"this is not SQLite" * 100)
    monkeypatch.setenv("GLOSSARY_CHECK_CACHE_DIR", str(tmp_path))
    assert cache_main(["info"]) == 0
    assert "unreadable" in capsys.readouterr().out
    assert cache_main(["clear"]) == 0
    assert not broken.exists()


def _run(compiled: Compiled, text: str) -> list[Any]:
    """One document's source hits, as a check run finds them."""
    from glossary_check.engine.matching import tokenize

    return compiled.inflected_sources(text, tokenize(text), [])


def _analysed(compiled: Compiled) -> int:
    """How many source forms the run analysed with pymorphy3 (not taken from the cache)."""
    from glossary_check.engine import morphology

    assert isinstance(compiled.sources, morphology.LazySourceIndex)
    return compiled.sources.analysed


def _forms(compiled: Compiled) -> set[str]:
    """The source forms analysed or taken in so far."""
    return {p.form for p in compiled.sources.patterns.values()}  # type: ignore[union-attr]


MANY = GLOSSARY.replace("      uk: [Київ]\n", """\
      uk: [Київ]
  - term: Odesa
    kind: place
    sources:
      ru: [Одесса]
  - term: Oleksandr Syrskyi
    kind: person
    sources:
      ru: [Александр Сырский]
  - term: Moscow
    kind: place
    sources:
      ru: [Москва]
""")


def test_a_later_run_analyses_only_forms_no_run_before_it_reached(
    here: Path, write_glossary: WriteGlossary, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No run analyses the whole glossary: the first analyses the forms its text reaches and
    keeps them, with its words' analyses; the second, over the same text, analyses none,
    form or word; a third, over a text with new words, only the forms those reach; a fourth,
    over both, none."""
    from glossary_check.engine import morphology

    write_glossary(PEOPLE, "people.yaml")
    path = write_glossary(MANY)
    store = here / "cache"
    text, more = "The mayor of Киева spoke.", "Мэр Одессы и Александр Сырский в Одессе."

    def whole(*_: object) -> None:
        raise AssertionError("no run analyses every form, nor a word twice")

    monkeypatch.setattr(morphology, "build_source_index", whole)
    first = cache.load(path, store)
    expected = _run(first, text)
    kept = _forms(first)
    assert expected and "Киев" in kept and not kept & {"Одесса", "Москва", "Александр Сырский"}
    assert _analysed(first) == len(kept)
    first.keep_analyses()
    assert len(_cache_files(store, "analyses")) == 1

    second = cache.load(path, store)
    with monkeypatch.context() as m:  # nor are the text's words analysed again
        m.setattr(morphology, "_analyse", whole)
        assert _run(second, text) == expected
    assert _analysed(second) == 0
    second.keep_analyses()  # nothing new: nothing written
    assert not second.sources.grew  # type: ignore[union-attr]

    third = cache.load(path, store)
    found = _run(third, more)
    assert [h.form for h in found] == ["Одесса", "Александр Сырский", "Одесса"]
    added = _forms(third) - kept
    assert {"Одесса", "Александр Сырский"} <= added and "Москва" not in added
    assert _analysed(third) == len(added)  # Киев ... not again
    assert _run(third, text) == expected and _analysed(third) == len(added)
    third.keep_analyses()

    fourth = cache.load(path, store)
    assert _run(fourth, text) == expected and _run(fourth, more) == found
    assert _analysed(fourth) == 0
    fresh = compile_all(load_glossary(path))
    assert _run(fresh, text) == expected and _run(fresh, more) == found


def test_runs_sharing_a_cache_keep_what_each_analysed(
    here: Path, write_glossary: WriteGlossary
) -> None:
    """Two runs that started from the same cache keep their analyses one after the other:
    the second merges what the first kept meanwhile, and loses none of it."""
    write_glossary(PEOPLE, "people.yaml")
    path = write_glossary(MANY)
    store = here / "cache"
    one, other = "Мэр Киева.", "Мэр Москвы."
    a, b = cache.load(path, store), cache.load(path, store)
    found_one, found_other = _run(a, one), _run(b, other)
    assert "Москва" not in _forms(a) and "Киев" not in _forms(b)
    a.keep_analyses()
    b.keep_analyses()
    later = cache.load(path, store)
    assert _run(later, one) == found_one and _run(later, other) == found_other
    assert _analysed(later) == 0


def _keep_in_process(args: tuple[str, str, str, str, Any]) -> list[Any]:
    """Check a text, then keep what was analysed, reading the kept file at the same moment
    as the other process and taking a while before writing: without turns, one would write
    over what the other wrote."""
    import time

    cwd, path, store, text, barrier = args
    os.chdir(cwd)
    compiled = cache.load(path, Path(store))
    found = _run(compiled, text)
    read = cache.SourceStore.load_analysed

    def slow(self: cache.SourceStore) -> Any:
        value = read(self)
        time.sleep(0.5)
        return value

    cache.SourceStore.load_analysed = slow  # type: ignore[method-assign]
    barrier.wait()
    compiled.keep_analyses()
    return found


def test_processes_keeping_at_once_take_turns(
    here: Path, write_glossary: WriteGlossary
) -> None:
    """Two processes that keep their analyses at the same moment lose nothing of either: a
    later run analyses no form for either's text."""
    write_glossary(PEOPLE, "people.yaml")
    path = write_glossary(MANY)
    store = here / "cache"
    texts = ["Мэр Киева.", "Мэр Москвы."]
    cache.load(path, store)  # compiled once, so that both only add analyses
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        barrier = manager.Barrier(2)
        with context.Pool(2) as pool:
            found = pool.map(_keep_in_process,
                             [(str(here), str(path), str(store), t, barrier) for t in texts])
    assert all(found)
    later = cache.load(path, store)
    assert [_run(later, t) for t in texts] == found
    assert _analysed(later) == 0


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_workers_analyses_are_kept_by_the_parent(
    here: Path, write_glossary: WriteGlossary, monkeypatch: pytest.MonkeyPatch, start: str
) -> None:
    """A parallel run keeps what its worker processes analysed, whether they were forked
    (the parent has checked a file first) or spawned (it has checked none): a later serial
    run over the same files analyses no form."""
    from glossary_check.workflow import runner

    if start not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {start} here")
    monkeypatch.setattr(runner, "_pool_context", lambda: multiprocessing.get_context(start))
    from glossary_check.workflow.runner import _Parallel

    write_glossary(PEOPLE, "people.yaml")
    path = write_glossary(MANY)
    store = here / "cache"
    names = ["Киева", "Одессы", "Москвы", "Киеве", "Одессе", "Москве", "Александра Сырского",
             "Москву", "Киев", "Одессу"]
    paths = []
    for i, name in enumerate(names):
        article = here / f"a{i}.txt"
        article.write_text(f"The mayor of {name} spoke.\n", encoding="utf-8")
        paths.append(str(article))
    settings = CORE
    compiled = cache.load(path, store)
    results = _Parallel(paths, compiled, settings, None, None, None).run(2)
    compiled.keep_analyses()
    later = cache.load(path, store)
    for p in paths:
        text = Path(p).read_text(encoding="utf-8")
        assert _run(later, text)
    assert _analysed(later) == 0
    serial = cache.load(path, here / "other-cache")
    from glossary_check.workflow.runner import check_file

    assert [check_file(p, serial, settings) for p in paths] == results


def test_kept_analyses_that_do_not_fit_are_analysed_afresh(
    here: Path, write_glossary: WriteGlossary
) -> None:
    """A kept file that passes every check but files analyses under other forms (forged) is
    not taken in: a notice says so, and the run finds what a fresh one does."""
    import dataclasses

    write_glossary(PEOPLE, "people.yaml")
    path = write_glossary(MANY)
    store = here / "cache"
    text = "Мэр Киева и мэр Москвы."
    first = cache.load(path, store)
    expected = _run(first, text)
    first.keep_analyses()
    source_store = first.source_store
    assert isinstance(source_store, cache.SourceStore)
    kept = source_store.load_analysed()
    assert kept is not None and len(kept.patterns) >= 2
    source_store._analysed().save(dataclasses.replace(kept, patterns=kept.patterns[::-1]))
    second = cache.load(path, store)
    assert _run(second, text) == expected
    assert _analysed(second) == len(kept.patterns)
    assert any("do not fit" in n for n in second.notices)


def test_keys_with_the_same_crc32_are_found_and_written_in_a_fixed_order() -> None:
    """'plumless' and 'buckeroo' share a CRC-32: both are found, and a table of the same
    items is the same bytes whichever order a set gave them in."""
    import zlib

    assert zlib.crc32(b"plumless") == zlib.crc32(b"buckeroo")
    items = {"plumless": b"1", "buckeroo": b"2", "x": b"3", "Київ": b""}
    tables = [cachefile.build_table(sorted(items.items(), key=lambda kv: kv[1], reverse=r))
              for r in (False, True)]
    for data in tables:
        table = cachefile.Table(data)
        found = {k: table.get(k) for k in items}
        assert {k: None if v is None else bytes(v) for k, v in found.items()} == items
        assert table.get("plumles") is None
    assert cachefile.table_section(sorted(items)) == cachefile.table_section(sorted(items))


def test_a_forged_table_index_or_array_offset_is_a_cache_error() -> None:
    data = bytearray(cachefile.build_table((f"k{i}", b"v") for i in range(100)))
    count, bits = struct.unpack_from("<II", data, 0)
    bad_buckets = bytearray(data)
    struct.pack_into("<I", bad_buckets, 8 + 4, 0xFFFFFF)  # a bucket ending past the table
    bad_offsets = bytearray(data)
    offsets = 8 + 4 * ((1 << bits) + 1) + 8 * count
    for i in range(count + 1):
        struct.pack_into("<I", bad_offsets, offsets + 4 * i, 0xFFFFFFF0)
    for forged in (bad_buckets, bad_offsets):
        table = cachefile.Table(bytes(forged))
        with pytest.raises(cachefile.CacheError):
            for i in range(100):
                table.get(f"k{i}")
    with pytest.raises(cachefile.CacheError):
        cachefile.Table(struct.pack("<II", 5, 17))  # more bucket bits than a table has
    with pytest.raises(cachefile.CacheError):
        cachefile.Table(bytes(data[:40]))  # shorter than its index
    array = bytearray(cachefile.build_array([b"a", b"bb"]))
    struct.pack_into("<I", array, 8, 99)  # the second item ends past the array
    with pytest.raises(cachefile.CacheError):
        cachefile.Array(bytes(array))[0]


def test_a_corrupt_chunk_is_a_cache_error_and_falls_back_on_the_rebuild(tmp_path: Path) -> None:
    targets = tuple(Target(i, Kind.VARIANT, f"form{i}", None, "ru") for i in range(40))
    section = bytearray(cachefile.tuple_section(targets, cachefile.codec(Target)))
    (count,) = struct.unpack_from("<I", section, 0)
    start = 4 + 4 * (count + 1)
    plain = cachefile.LazyTuple(cachefile.Array(bytes(section)), 40, cachefile.codec(Target))
    assert tuple(plain) == targets
    section[start:] = b"\xc1" * (len(section) - start)
    broken = cachefile.LazyTuple(cachefile.Array(bytes(section)), 40, cachefile.codec(Target))
    with pytest.raises(cachefile.CacheError):
        broken[17]
    notices: list[str] = []
    file = tmp_path / "x.bin"
    file.write_bytes(b"")
    rescue = cachefile.Rescue(lambda: targets, file, notices)
    rescued = cachefile.LazyTuple(cachefile.Array(bytes(section)), 40, cachefile.codec(Target),
                                  rescue)
    assert rescued[17] == targets[17] and tuple(rescued) == targets
    assert notices and not file.exists()


def test_an_item_read_alone_is_decoded_alone_and_stays_that_item() -> None:
    targets = tuple(Target(i, Kind.VARIANT, f"form{i}", None, "ru") for i in range(40))
    section = cachefile.tuple_section(targets, cachefile.codec(Target))
    loads: list[object] = []
    item = cachefile.codec(Target)

    def load(value: Any) -> Any:
        loads.append(value)
        return item.load(value)

    counted = dataclasses.replace(item, load=load)
    lazy = cachefile.LazyTuple(cachefile.Array(section), 40, counted)
    alone = lazy[17]
    assert alone == targets[17] and len(loads) == 1  # not its chunk's fifteen others
    assert lazy[17] is alone and lazy[-23] is alone and len(loads) == 1
    assert tuple(lazy) == targets and len(loads) == 40  # the walk decodes the rest
    assert lazy[17] is alone and lazy[16:18] == targets[16:18]


@pytest.mark.parametrize(("tp", "plain"), [
    (tuple[str, ...], ("a", 1)),
    (tuple[str, ...], ["a"]),
    (dict[str, bool], (("a", True), ("b", 1))),
    (dict[str, bool], (("a", True), ("a", False))),
    (dict[str, bool], ("ab",)),
    (dict[str, bool], (("a", True, 1),)),
    (frozenset[str], ("a", None)),
    (tuple[str, int], ("a", True)),
    (tuple[str, int], ("a", 1, 2)),
    (str | None, 3),
    (list[int], (1, "2")),
    (Kind, 99),
    (Kind, True),
    (Target, (1, 2, "form", None, 5)),
    (Target, (1, 2, "form", None)),
    (Target, ("1", 2, "form", None, None)),
])
def test_decoded_values_of_another_type_are_refused(tp: Any, plain: Any) -> None:
    c = cachefile.codec(tp)
    with pytest.raises(cachefile.CacheError):
        cachefile.checked(c.load, plain)
    good = {tuple[str, ...]: ("a",), dict[str, bool]: {"a": True}, frozenset[str]: {"a"},
            tuple[str, int]: ("a", 1), str | None: None, list[int]: [1], Kind: Kind.VARIANT,
            Target: Target(1, Kind.VARIANT, "form", None, None)}[tp]
    assert c.decode(c.encode(good)) == good
    # a row of field types once seen is remembered; a value of another row is still checked
    if tp is Target:
        assert c.load((2, 0, "f", "fix", "ru")) == Target(2, Kind.TERM, "f", "fix", "ru")
        with pytest.raises(cachefile.CacheError):
            cachefile.checked(c.load, (2, 0, "f", 1, "ru"))


def test_the_second_cli_run_analyses_no_form_the_first_did(
    here: Path, write_glossary: WriteGlossary, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The command line keeps what a check analysed: the next check of the same article
    analyses no source form (the run before this one analysed every form of the glossary)."""
    from glossary_check.engine import morphology

    write_glossary(PEOPLE, "people.yaml")
    path = write_glossary(MANY)
    monkeypatch.setenv(cache.ENV, str(here / "cache"))
    article = here / "article.txt"
    article.write_text("Мэр Киева и мэр Одессы в Москве.\n", encoding="utf-8")
    analysed: list[str] = []
    real = morphology._pattern

    def counted(entry: int, language: str, form: str, *rest: Any) -> Any:
        analysed.append(form)
        return real(entry, language, form, *rest)

    monkeypatch.setattr(morphology, "_pattern", counted)
    args = ["-g", str(path), "-f", "json", "--fail-on", "never", str(article)]
    reports = []
    for _ in range(3):
        analysed.clear()
        assert main(args) == 0
        reports.append((capsys.readouterr().out, list(analysed)))
    (first, cold), (second, again), (third, later) = reports
    assert {"Киев", "Одесса", "Москва"} <= set(cold)
    assert again == [] and later == []
    assert first == second == third
