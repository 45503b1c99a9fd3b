"""On-disk caches against a hostile writer: another user, a shared or world-writable cache
directory, a CI cache restored from elsewhere. A cache file is data, never code; a file or
directory someone else could have written is not used; any damaged byte means a rebuild
with the right findings, never an exception."""

from __future__ import annotations

import json
import marshal
import os
import pickle
import sqlite3
import stat
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

from conftest import WriteGlossary, check_text
from glossary_check.cache import compiled as cache
from glossary_check.cache import fileformat as cachefile
from glossary_check.engine.compiled import Compiled, compile_all
from glossary_check.engine.glossary import load_glossary
from glossary_check.rules.pipeline import Settings

#: Every rule but the one that needs translation models: source-form reads the morphology
#: index, the second cached artefact.
RULES = Settings(ignore=frozenset({"untranslated"}))
NOBODY = 65534

GLOSSARY = """\
version: 1
language: en
entries:
  - term: Kyiv
    kind: place
    variants: [Kiev, Kyev]
    except: [Chicken Kiev]
    sources:
      ru: [Киев]
      uk: [Київ]
  - term: Kharkiv
    kind: place
    variants: [Kharkov]
    sources:
      ru: [Харьков]
  - term: Zelensky
    kind: person
    aliases: [Volodymyr Zelensky]
    variants: [Zelenskyy, Vladimir Zelensky]
  - term: TASS
    kind: organization
  - term: Jr.
    kind: other
    pattern: '\\bJunior\\b'
"""

ARTICLE = """\
Vladimir Zelensky went to Kiev and Kharkov (Харькова) on Monday; Zelenskyy's aides and Tass
reported it from Киеве. They had Chicken Kiev. Kyiv is calm. Junior Kharkiv's mayor spoke.
"""

root_only = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="giving a file or directory to another user (uid 65534) needs root",
)


class _Payload:
    """Unpickling this writes the marker file: what a planted cache file could run."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return exec, (f"open({str(self.marker)!r}, 'w').close()",)


def _summary(compiled: Compiled, text: str = ARTICLE) -> list[tuple[str, int, str]]:
    return [(f.rule, f.offset, f.text) for f in check_text(compiled, text, RULES)]


def _files(directory: Path, kind: str) -> list[Path]:
    return sorted(directory.glob(f"{kind}-*.bin"))


def _header(data: bytes) -> tuple[dict[str, Any], int]:
    (hlen,) = struct.unpack_from("<I", data, 12)
    return json.loads(data[16 : 16 + hlen]), 16 + hlen


def _with_crc(data: bytearray, payload_at: int, header: dict[str, Any]) -> bytes:
    """The file with its payload's checksum fixed up, as a deliberate forger would."""
    header = {**header, "crc32": zlib.crc32(bytes(data[payload_at:]))}
    head = json.dumps(header).encode()
    return bytes(data[:12] + struct.pack("<I", len(head)) + head + data[payload_at:])


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from tmp_path: the cache key includes the working directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def glossary(write_glossary: WriteGlossary) -> Path:
    return write_glossary(GLOSSARY)


@pytest.fixture
def expected(glossary: Path) -> list[tuple[str, int, str]]:
    found = _summary(compile_all(load_glossary(glossary)))
    assert {"variant", "source-form"} <= {rule for rule, _, _ in found}, "the test needs both"
    return found


def _warm(glossary: Path, store: Path) -> None:
    """A cold run that leaves the compiled glossary, its source forms' keys and the forms
    and words it analysed, as a check run does at its end."""
    cold = cache.load(glossary, store)
    _summary(cold)
    cold.keep_analyses()
    assert _files(store, "compiled") and _files(store, "sources") and _files(store, "analyses")


def _analysed(compiled: Compiled) -> int:
    from glossary_check.engine import morphology

    assert isinstance(compiled.sources, morphology.LazySourceIndex)
    return compiled.sources.analysed


# --- cache files run no code ----------------------------------------------------------


@pytest.mark.parametrize("kind", ["compiled", "sources", "analyses"])
def test_a_planted_pickle_with_a_valid_header_runs_nothing(
    here: Path, glossary: Path, expected: list[tuple[str, int, str]], kind: str
) -> None:
    store = here / "cache"
    _warm(glossary, store)
    (file,) = _files(store, kind)
    header, _ = _header(file.read_bytes())
    marker = here / "ran"
    poison = pickle.dumps(_Payload(marker))
    # every section replaced by the payload (also as a marshal- and pickle-tagged record),
    # under the header a real cache file shows: kind, key, glossary digest
    sections = {name: (b"P" if name != "meta" else b"") + poison for name in header["sections"]}
    extra = {k: v for k, v in header.items() if k not in ("kind", "key", "length", "crc32",
                                                          "sections")}
    assert cachefile.write_file(file, header["kind"], header["key"], sections, extra)
    assert _summary(cache.load(glossary, store)) == expected
    assert not marker.exists(), "a cache file ran code"


def test_reading_the_cache_unpickles_nothing(
    here: Path, glossary: Path, expected: list[tuple[str, int, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = here / "cache"
    _warm(glossary, store)

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("a cache file was decoded with pickle or marshal")

    for module, name in ((pickle, "loads"), (pickle, "load"), (marshal, "loads")):
        monkeypatch.setattr(module, name, refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)

    def no_build(*_: object) -> None:
        raise AssertionError("the warm run must read the cache, not rebuild")

    monkeypatch.setattr(cache, "load_glossary", no_build)
    from glossary_check.engine import morphology

    monkeypatch.setattr(morphology, "build_form_keys", no_build)
    warm = cache.load(glossary, store)
    assert isinstance(warm.matcher.root, cache.LazyNode)
    assert _summary(warm) == expected
    assert _analysed(warm) == 0, "the analyses must come from the cache"


# --- who may have written it ----------------------------------------------------------


def _refused_and_rebuilt(glossary: Path, store: Path, file: Path,
                         expected: list[tuple[str, int, str]], why: str) -> None:
    compiled = cache.load(glossary, store)
    assert type(compiled.glossary.entries) is tuple, "the file was used"
    assert _summary(compiled) == expected
    (notice,) = [n for n in compiled.notices if str(file) in n]
    assert why in notice and "\n" not in notice
    st = file.stat()  # replaced by a file of the user's own, readable only by them
    assert st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) == 0o600
    assert isinstance(cache.load(glossary, store).matcher.root, cache.LazyNode)


@root_only
def test_a_cache_file_of_another_user_is_refused(
    here: Path, glossary: Path, expected: list[tuple[str, int, str]]
) -> None:
    store = here / "cache"
    _warm(glossary, store)
    (file,) = _files(store, "compiled")
    os.chown(file, NOBODY, NOBODY)
    _refused_and_rebuilt(glossary, store, file, expected, "another user")


@pytest.mark.parametrize("mode", [0o666, 0o620, 0o602])
def test_a_cache_file_others_can_write_is_refused(
    here: Path, glossary: Path, expected: list[tuple[str, int, str]], mode: int
) -> None:
    store = here / "cache"
    _warm(glossary, store)
    (file,) = _files(store, "compiled")
    os.chmod(file, mode)
    _refused_and_rebuilt(glossary, store, file, expected, "writable by other users")


def test_a_symbolic_link_in_place_of_a_cache_file_is_not_followed(
    here: Path, glossary: Path, expected: list[tuple[str, int, str]]
) -> None:
    store = here / "cache"
    _warm(glossary, store)
    (file,) = _files(store, "compiled")
    elsewhere = here / "elsewhere.bin"
    file.rename(elsewhere)
    file.symlink_to(elsewhere)
    compiled = cache.load(glossary, store)
    assert type(compiled.glossary.entries) is tuple
    assert _summary(compiled) == expected
    assert any("symbolic link" in n for n in compiled.notices)


@root_only
def test_kept_morphology_analyses_of_another_user_are_refused(
    here: Path, glossary: Path, expected: list[tuple[str, int, str]],
) -> None:
    store = here / "cache"
    _warm(glossary, store)
    (file,) = _files(store, "analyses")
    os.chown(file, NOBODY, NOBODY)
    compiled = cache.load(glossary, store)
    assert _summary(compiled) == expected
    assert _analysed(compiled), "the forms were analysed, not read from the refused file"
    assert any(str(file) in n and "another user" in n for n in compiled.notices)


@root_only
@pytest.mark.parametrize("mode", [0o777, 0o1777, 0o770])
def test_a_cache_directory_others_can_write_is_not_used(
    here: Path, glossary: Path, expected: list[tuple[str, int, str]], mode: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Even a valid cache file of the user's own is not read from such a directory, and
    nothing is written there."""
    mine = here / "mine"
    _warm(glossary, mine)
    shared = here / "shared"
    shared.mkdir()
    for item in mine.iterdir():
        (shared / item.name).write_bytes(item.read_bytes())
        os.chmod(shared / item.name, 0o600)
    os.chown(shared, NOBODY, NOBODY)
    os.chmod(shared, mode)
    before = sorted(p.name for p in shared.iterdir())
    compiled = cache.load(glossary, shared)
    assert type(compiled.glossary.entries) is tuple, "the directory was read"
    assert _summary(compiled) == expected
    (notice,) = compiled.notices
    assert str(shared) in notice and "writable by other users" in notice and "\n" not in notice
    assert sorted(p.name for p in shared.iterdir()) == before, "something was written there"


def test_the_users_own_cache_directory_is_used_whatever_its_mode(
    here: Path, glossary: Path, expected: list[tuple[str, int, str]]
) -> None:
    store = here / "cache"
    _warm(glossary, store)
    os.chmod(store, 0o777)
    warm = cache.load(glossary, store)
    assert isinstance(warm.matcher.root, cache.LazyNode)
    assert _summary(warm) == expected and warm.notices == []


def test_cache_directories_are_made_private_and_files_readable_by_the_user_alone(
    here: Path, glossary: Path
) -> None:
    store = here / "new" / "nested" / "cache"
    _warm(glossary, store)
    for directory in (here / "new", here / "new" / "nested", store):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory
    for item in store.iterdir():
        assert stat.S_IMODE(item.stat().st_mode) == 0o600, item


def test_the_cli_reports_a_refused_cache_in_one_line(
    here: Path, glossary: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from glossary_check.commands.cli import main

    store = here / "cache"
    monkeypatch.setenv(cache.ENV, str(store))
    article = here / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    args = ["-g", str(glossary), "-f", "json", "--ignore", "untranslated", str(article)]
    assert main(args) == 1
    clean = json.loads(capsys.readouterr().out)
    (file,) = _files(store, "compiled")
    os.chmod(file, 0o666)
    assert main(args) == 1
    out = capsys.readouterr()
    report = json.loads(out.out)
    assert report["files"] == clean["files"]
    (notice,) = report["notices"]
    assert str(file) in notice and "writable by other users" in notice
    assert "Traceback" not in out.err and "Warning" not in out.err


# --- damaged files --------------------------------------------------------------------


def _damaged_load_is_right(glossary: Path, store: Path, file: Path, data: bytes,
                           expected: list[tuple[str, int, str]]) -> None:
    file.write_bytes(data)
    os.chmod(file, 0o600)
    assert _summary(cache.load(glossary, store)) == expected


def test_truncated_and_bit_flipped_files_at_many_offsets_are_rebuilt(
    here: Path, glossary: Path, expected: list[tuple[str, int, str]]
) -> None:
    store = here / "cache"
    _warm(glossary, store)
    for kind in ("compiled", "sources", "analyses"):
        (file,) = _files(store, kind)
        good = file.read_bytes()
        step = max(1, len(good) // 60)
        for at in [*range(0, 64), *range(64, len(good), step), len(good) - 1]:
            flipped = bytearray(good)
            flipped[at] ^= 1 << (at % 8)
            _damaged_load_is_right(glossary, store, file, bytes(flipped), expected)
            _damaged_load_is_right(glossary, store, file, good[:at], expected)
        _damaged_load_is_right(glossary, store, file, os.urandom(len(good)), expected)
        _damaged_load_is_right(glossary, store, file, good + b"\0" * 16, expected)


# --- the translation cache ------------------------------------------------------------


class _Upper:
    """A translator that upper-cases, counting the texts it is asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def pairs(self) -> set[tuple[str, str]]:
        return {("ru", "en")}

    def model_id(self, source: str, target: str) -> str | None:
        return "m1"

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[str | None]:
        self.asked += texts
        return [t.upper() for t in texts]


@pytest.mark.parametrize(("column", "stored"), [
    ("translation", 42), ("translation", b"bytes"), ("translation", None), ("translation", 1.5),
    ("text", 7), ("size", "big"), ("used", b"\0"), ("model", None),
])
def test_a_translation_row_of_another_type_is_a_miss(
    tmp_path: Path, column: str, stored: object
) -> None:
    """A database made by something else: columns without types hold any value."""
    from glossary_check.cache.translations import CachedTranslator, TranslationCache, _key

    path = tmp_path / "t.sqlite3"
    row = {"key": _key("m1", "ru", "en", "мир"), "model": "m1", "source": "ru", "target": "en",
           "text": "мир", "translation": "PEACE", "size": 10, "used": 1}
    row[column] = stored
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE translations (key BLOB PRIMARY KEY, model, source, target,"
                     " text, translation, size, used) WITHOUT ROWID")
        conn.execute("INSERT INTO translations VALUES (?,?,?,?,?,?,?,?)", tuple(row.values()))
    os.chmod(path, 0o600)
    inner = _Upper()
    with TranslationCache(path) as tc:
        translator = CachedTranslator(inner, tc)
        expected = ["PEACE"] if column in ("size", "used", "model") else ["МИР"]
        assert translator.translate_batch(["мир", "дом"], "ru", "en") == [*expected, "ДОМ"]
        assert translator.notices == []
        tc.stats()
    again = _Upper()  # a bad row was replaced by the fresh translation
    assert CachedTranslator(again, TranslationCache(path)).translate_batch(
        ["мир"], "ru", "en") == expected
    assert again.asked == []


def test_a_broken_translation_cache_is_one_notice_not_a_warning(
    tmp_path: Path, recwarn: pytest.WarningsRecorder
) -> None:
    from glossary_check.cache.translations import CachedTranslator, TranslationCache

    path = tmp_path / "t.sqlite3"
    path.write_bytes(b"not a database\n" * 200)
    os.chmod(path, 0o600)
    inner = _Upper()
    translator = CachedTranslator(inner, TranslationCache(path))
    assert translator.translate_batch(["мир"], "ru", "en") == ["МИР"]
    assert translator.translate_batch(["дом"], "ru", "en") == ["ДОМ"]
    assert len(recwarn) == 0, [str(w.message) for w in recwarn]
    (notice,) = translator.notices  # said once for the run, on one line
    assert notice.startswith(f"translation cache {path}") and "\n" not in notice


def test_a_broken_translation_cache_reaches_the_report_as_a_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recwarn: pytest.WarningsRecorder,
    bundled: Compiled,
) -> None:
    from glossary_check.cache.translations import CachedTranslator, TranslationCache
    from glossary_check.core.findings import FileResult, Finding, Severity
    from glossary_check.workflow import annotate

    path = tmp_path / "t.sqlite3"
    path.write_bytes(b"not a database\n" * 200)
    os.chmod(path, 0o600)
    translator = CachedTranslator(_Upper(), TranslationCache(path))
    monkeypatch.setattr(annotate, "open_or_notice", lambda *_: (translator, None))
    finding = Finding(rule="untranslated", severity=Severity.WARNING, offset=0, length=3,
                      text="мир", message="untranslated Russian", language="ru")
    result = FileResult("a.txt", "en", "мир", [finding])
    notices = annotate.translate_results([result], bundled, threads=1, use_cache=True)
    assert [n for n in notices if n.startswith(f"translation cache {path}")], notices
    assert result.findings[0].translation == "МИР"
    assert len(recwarn) == 0


@pytest.mark.parametrize("what", ["file-mode", "wal-mode", "symlink"])
def test_a_translation_cache_others_could_write_is_not_used(tmp_path: Path, what: str) -> None:
    from glossary_check.cache.translations import CachedTranslator, TranslationCache

    path = tmp_path / "t.sqlite3"
    with TranslationCache(path) as tc:
        tc.put_many("m1", "ru", "en", {"мир": "PLANTED"})
    if what == "file-mode":
        os.chmod(path, 0o666)
    elif what == "wal-mode":
        wal = path.with_name(path.name + "-wal")
        wal.write_bytes(b"")
        os.chmod(wal, 0o666)
    else:
        real = tmp_path / "real.sqlite3"
        path.rename(real)
        path.symlink_to(real)
    inner = _Upper()
    translator = CachedTranslator(inner, TranslationCache(path))
    assert translator.translate_batch(["мир"], "ru", "en") == ["МИР"], "the planted row was read"
    (notice,) = translator.notices
    assert "translation cache" in notice and "\n" not in notice


@root_only
def test_a_translation_cache_of_another_user_or_in_a_shared_directory_is_not_used(
    tmp_path: Path,
) -> None:
    from glossary_check.cache.translations import CachedTranslator, TranslationCache

    path = tmp_path / "t.sqlite3"
    with TranslationCache(path) as tc:
        tc.put_many("m1", "ru", "en", {"мир": "PLANTED"})
    os.chown(path, NOBODY, NOBODY)
    translator = CachedTranslator(_Upper(), TranslationCache(path))
    assert translator.translate_batch(["мир"], "ru", "en") == ["МИР"]
    assert "another user" in translator.notices[0]

    shared = tmp_path / "shared"
    shared.mkdir()
    os.chown(shared, NOBODY, NOBODY)
    os.chmod(shared, 0o1777)
    translator = CachedTranslator(_Upper(), TranslationCache(shared / "t.sqlite3"))
    assert translator.translate_batch(["мир"], "ru", "en") == ["МИР"]
    assert "writable by other users" in translator.notices[0]
    assert list(shared.iterdir()) == [], "nothing is written in a shared directory"


def test_a_new_translation_cache_is_readable_by_the_user_alone(tmp_path: Path) -> None:
    from glossary_check.cache.translations import CachedTranslator, TranslationCache

    path = tmp_path / "new" / "t.sqlite3"
    CachedTranslator(_Upper(), TranslationCache(path)).translate_batch(["мир"], "ru", "en")
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for item in path.parent.iterdir():
        assert stat.S_IMODE(item.stat().st_mode) == 0o600, item


# --- forged files: a valid checksum over bad records ----------------------------------


def _forge(file: Path, section: str, fill: int = 0xC1) -> None:
    """Overwrite a section's records (and a table's index) with bytes no decoder accepts, and
    fix up the checksum: the file passes every check on opening and fails only when read."""
    data = bytearray(file.read_bytes())
    header, payload_at = _header(bytes(data))
    start, length = header["sections"][section]
    at = payload_at + start
    if section in ("trie", "known", "field:keys"):
        # all but its size: a look-up reads bucket bounds past the end of the table
        records = at + 8
    elif section == "near":
        # the rows column (after the count and the CRC-32s): rows naming no target
        (count,) = struct.unpack_from("<I", data, at)
        records = at + 4 + 4 * count
    elif section == "meta":
        records = at
    else:  # an array
        (count,) = struct.unpack_from("<I", data, at)
        records = at + 4 + 4 * (count + 1)
    data[records : at + length] = bytes([fill]) * (at + length - records)
    file.write_bytes(_with_crc(data, payload_at, header))
    os.chmod(file, 0o600)


@pytest.mark.parametrize(("kind", "section"), [
    ("compiled", "trie"), ("compiled", "near"), ("compiled", "near-pairs"), ("compiled", "known"),
    ("compiled", "entries"),
    ("compiled", "meta"), ("sources", "field:forms"), ("sources", "field:keys"),
    ("sources", "meta"), ("analyses", "field:patterns"), ("analyses", "field:words"),
    ("analyses", "field:analyses"), ("analyses", "meta"),
])
def test_records_that_fail_to_decode_mid_run_fall_back_on_a_rebuild(
    here: Path, glossary: Path, expected: list[tuple[str, int, str]], kind: str, section: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from glossary_check.cache import fileformat as cf

    monkeypatch.setattr(cf, "LAZY_MIN", 1)  # every long-enough field in a section of its own
    store = here / "cache"
    _warm(glossary, store)
    (file,) = _files(store, kind)
    header, _ = _header(file.read_bytes())
    if section not in header["sections"]:
        pytest.skip(f"{section} is not a section of this file")
    _forge(file, section)
    if kind == "sources":  # the keys are read by a run that compiles the glossary afresh
        for other in (*_files(store, "compiled"), *_files(store, "analyses")):
            other.unlink()
    compiled = cache.load(glossary, store)
    assert _summary(compiled) == expected
    if section in ("near", "near-pairs"):  # read when a word's key is a glossary word's
        assert compiled.near.get("kharkiv") == (("Kharkiv", 1),)
    if section not in ("meta", "entries"):  # read lazily: these fail mid-run, not on opening
        assert any(str(file) in n and "bad record" in n for n in compiled.notices)
        assert not file.exists(), "the forged file is deleted, for the next run to rewrite"
    assert _summary(compiled, ARTICLE.upper()) == _summary(
        compile_all(load_glossary(glossary)), ARTICLE.upper())


@pytest.mark.parametrize("kind", ["compiled", "sources", "analyses"])
def test_forged_bytes_anywhere_never_raise(
    here: Path, glossary: Path, expected: list[tuple[str, int, str]], kind: str
) -> None:
    """Random bytes of a file changed with the checksum fixed up (only someone who can write
    the user's own files can do that): whatever the records now say, nothing raises."""
    import random

    store = here / "cache"
    _warm(glossary, store)
    (file,) = _files(store, kind)
    good = file.read_bytes()
    header, payload_at = _header(good)
    rng = random.Random(kind)
    for _ in range(150):
        data = bytearray(good)
        for _ in range(rng.choice((1, 2, 8))):
            data[rng.randrange(payload_at, len(data))] = rng.randrange(256)
        file.write_bytes(_with_crc(data, payload_at, header))
        os.chmod(file, 0o600)
        compiled = cache.load(glossary, store)
        found = _summary(compiled)
        assert all(rule and offset >= 0 for rule, offset, _ in found)
    file.write_bytes(good)
    assert _summary(cache.load(glossary, store)) == expected
