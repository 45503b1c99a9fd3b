"""A persistent translation cache: a re-run over unchanged text makes no model call.

Entries are keyed by the model's identity (package files and the settings that
shape output), the language pair and the source text, so a new model or a
changed setting never serves a stale translation. A database file another user
could have written, or one in a directory others can write and the user does
not own, is not opened (`cachefile.refusal`); a row of another type than
written is a miss. The SQLite database uses WAL
and a busy timeout, and every write is one short IMMEDIATE transaction, so
several checker processes can share it. It is bounded by entries and bytes;
the least recently used entries go first.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from glossary_check.cache.fileformat import Untrusted, file_refusal, make_dir, refusal
from glossary_check.translate import IdentifiedTranslator, Translator, open_backend

__all__ = [
    "CacheStats",
    "CachedTranslator",
    "TranslationCache",
    "default_cache_dir",
    "default_cache_path",
]

DEFAULT_MAX_ENTRIES = 200_000
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
BUSY_TIMEOUT_S = 30.0
_SQL_VARIABLES = 500  # well under SQLite's limit on bound parameters
_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    key BLOB PRIMARY KEY,
    model TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    text TEXT NOT NULL,
    translation TEXT NOT NULL,
    size INTEGER NOT NULL,
    used INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS translations_used ON translations (used);
"""


def default_cache_dir() -> Path:
    """The one cache directory of the checker: GLOSSARY_CHECK_CACHE_DIR, else the user's."""
    from glossary_check.cache.compiled import default_dir

    return default_dir()


def default_cache_path() -> Path:
    return default_cache_dir() / "translations.sqlite3"


def _key(model: str, source: str, target: str, text: str) -> bytes:
    return hashlib.sha256("\0".join((model, source, target, text)).encode()).digest()


def _chunks(items: Sequence[bytes], size: int = _SQL_VARIABLES) -> Iterable[Sequence[bytes]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class CacheStats:
    entries: int
    bytes: int


class TranslationCache:
    """SQLite store of translations; the connection opens on first use."""

    def __init__(
        self,
        path: Path,
        *,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.path = path
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._conn: sqlite3.Connection | None = None

    def _check(self) -> None:
        """Untrusted if the directory or a file of the database is someone else's to write;
        a new database is made 0600 (SQLite gives its journal files the same mode)."""
        directory = self.path.parent
        reason = refusal(directory)
        if reason is None:
            make_dir(directory)
            reason = refusal(directory)
        if reason is not None:
            raise Untrusted(f"{reason}: translations are not kept there")
        with contextlib.suppress(FileExistsError):
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            os.close(os.open(self.path, flags, 0o600))
        for suffix in ("", "-wal", "-shm"):
            item = self.path.with_name(self.path.name + suffix)
            try:
                st = os.lstat(item)
            except FileNotFoundError:
                continue
            why = file_refusal(st)
            if why is not None:
                raise Untrusted(f"translation cache {item} {why}: not used")

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self._check()
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            # a view or trigger in the file runs no function with side effects
            conn.execute("PRAGMA trusted_schema = OFF")
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.executescript(_SCHEMA)
            self._conn = conn
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> TranslationCache:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def get_many(
        self, model: str, source: str, target: str, texts: Iterable[str]
    ) -> dict[str, str]:
        """Cached translations of those texts that have one; marks them recently used."""
        wanted = {_key(model, source, target, t): t for t in texts}
        found: dict[str, str] = {}
        hit_keys: list[bytes] = []
        conn = self._connect()
        for chunk in _chunks(list(wanted)):
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(
                f"SELECT key, text, translation FROM translations WHERE key IN ({marks})", chunk
            ).fetchall()
            for key, text, translation in rows:
                if not isinstance(translation, str) or not isinstance(text, str):
                    continue  # not as written: a miss, replaced when translated again
                if wanted.get(key) == text:  # guards against a (theoretical) hash collision
                    found[text] = translation
                    hit_keys.append(key)
        if hit_keys:
            now = time.time_ns()
            try:
                with _immediate(conn):
                    for chunk in _chunks(hit_keys):
                        marks = ",".join("?" * len(chunk))
                        conn.execute(
                            f"UPDATE translations SET used = ? WHERE key IN ({marks})",
                            (now, *chunk),
                        )
            except sqlite3.OperationalError:
                pass  # recency is a hint for eviction; a read-only cache still serves hits
        return found

    def put_many(self, model: str, source: str, target: str, items: Mapping[str, str]) -> None:
        """Store translations, then evict the least recently used beyond the bounds."""
        if not items:
            return
        now = time.time_ns()
        rows = [
            (
                _key(model, source, target, text),
                model,
                source,
                target,
                text,
                translation,
                len(text.encode()) + len(translation.encode()),
                now,
            )
            for text, translation in items.items()
        ]
        conn = self._connect()
        with _immediate(conn):
            conn.executemany("INSERT OR REPLACE INTO translations VALUES (?,?,?,?,?,?,?,?)", rows)
            self._evict(conn)

    def _evict(self, conn: sqlite3.Connection) -> None:
        conn.execute(
            "DELETE FROM translations WHERE key IN ("
            " SELECT key FROM translations ORDER BY used DESC, key LIMIT -1 OFFSET ?)",
            (self.max_entries,),
        )
        (total,) = conn.execute("SELECT COALESCE(SUM(size), 0) FROM translations").fetchone()
        if total > self.max_bytes:
            conn.execute(
                "DELETE FROM translations WHERE key IN ("
                " SELECT key FROM (SELECT key, SUM(size) OVER"
                "  (ORDER BY used DESC, key ROWS UNBOUNDED PRECEDING) AS running"
                "  FROM translations) WHERE running > ?)",
                (self.max_bytes,),
            )

    def stats(self) -> CacheStats:
        entries, size = (
            self._connect()
            .execute("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM translations")
            .fetchone()
        )
        return CacheStats(entries=int(entries), bytes=int(size))

    def clear(self) -> None:
        """Drop every entry, whatever its model."""
        conn = self._connect()
        with _immediate(conn):
            conn.execute("DELETE FROM translations")
        conn.execute("VACUUM")


class _immediate:
    """BEGIN IMMEDIATE … COMMIT: takes the write lock up front, so the busy timeout applies."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __enter__(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._conn.execute("COMMIT" if exc_type is None else "ROLLBACK")


class CachedTranslator:
    """A translator whose results are remembered across runs, per model identity.

    A cache that cannot be read or written only costs time: the translator
    goes on without it and says why once, as a one-line entry in `notices`
    (reported with the run's other notices).
    """

    def __init__(self, inner: IdentifiedTranslator, cache: TranslationCache) -> None:
        self.inner = inner
        self.cache = cache
        self.notices: list[str] = []
        self._broken = False

    def _give_up(self, what: str, exc: Exception) -> None:
        self._broken = True
        detail = " ".join(str(exc).split())
        self.notices.append(f"translation cache {self.cache.path} {what}: {detail}")

    def pairs(self) -> set[tuple[str, str]]:
        return self.inner.pairs()

    def model_id(self, source: str, target: str) -> str | None:
        return self.inner.model_id(source, target)

    def translate_batch(self, texts: list[str], source: str, target: str) -> list[str | None]:
        model = self.inner.model_id(source, target)
        if model is None:
            return self.inner.translate_batch(texts, source, target)
        unique = list(dict.fromkeys(texts))
        known: dict[str, str] = {}
        if not self._broken:
            try:
                known = self.cache.get_many(model, source, target, unique)
            except Untrusted as exc:
                self._broken = True
                self.notices.append(str(exc))
            except (sqlite3.Error, OSError) as exc:  # OSError: its directory cannot be made
                self._give_up("unreadable, not used", exc)
        missing = [t for t in unique if t not in known]
        if missing:
            fresh = self.inner.translate_batch(missing, source, target)
            new = {t: out for t, out in zip(missing, fresh, strict=True) if out is not None}
            known.update(new)
            if not self._broken:
                try:
                    self.cache.put_many(model, source, target, new)
                except (sqlite3.Error, OSError) as exc:
                    self._give_up("not written", exc)
        return [known.get(t) for t in texts]


def open_translator(
    *, threads: int | None = None, cache_path: Path | None = None, use_cache: bool = True
) -> Translator:
    """The installed Argos Translate packages, behind the translation cache unless disabled.

    `cache_path` defaults to the user cache directory (`default_cache_path`).
    """
    translator = open_backend(threads=threads)
    if not use_cache:
        return translator
    return CachedTranslator(translator, TranslationCache(cache_path or default_cache_path()))
