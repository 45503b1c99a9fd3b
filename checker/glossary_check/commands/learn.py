"""`glossary-check learn`: glossary entries proposed from the desk's own archive.

ORIGINALS and TRANSLATIONS are two directories (or fsspec URLs) whose files pair by
their path below each; `--pairs FILE` names the pairs instead, one a line. With
TRANSLATIONS alone, only the English is read: spellings of one name. Reading the
pairs is what takes time, so it is what `--jobs` spreads over a local Dask cluster
(or `--scheduler` over a running one), partition by partition as `archive` does;
the archive-wide linking runs once, here, on plain data, so a parallel run's output
is the serial run's byte for byte.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from argparse import SUPPRESS
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glossary_check.commands.archive import (
    connect,
    expand,
    is_remote,
    local_path,
    read_error,
    read_remote,
)
from glossary_check.commands.options import (
    add_configuration,
    file_size,
    number_between,
    positive,
    resolve,
)
from glossary_check.commands.session import run_reporting
from glossary_check.core.errors import (
    ExitCode,
    GlossaryCheckError,
    Location,
    UsageError,
    undecodable,
)
from glossary_check.core.inputs import max_file_size, read_bounded, set_max_file_size, too_large
from glossary_check.core.visible import print_error
from glossary_check.engine.glossary import load_glossary
from glossary_check.engine.matching import compile_glossary
from glossary_check.workflow.annotate import open_or_notice
from glossary_check.workflow.learn import EnglishNames, Thresholds, learn, read_english, read_pair
from glossary_check.workflow.learn.extract import PairNames
from glossary_check.workflow.learn.render import glossary_yaml, render

if TYPE_CHECKING:
    from glossary_check.engine.glossary import Glossary
    from glossary_check.engine.matching import Matcher
    from glossary_check.workflow.learn import Learned

#: Pairs a partition on a cluster.
BATCH_SIZE = 100
_LANGUAGES = ("ru", "uk")


class LearnError(GlossaryCheckError):
    """A run that cannot start: one line, exit 2."""


#: (translation, its original or None where only the English is read)
Item = tuple[str, str | None]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="glossary-check learn",
        description="Propose glossary entries from an archive of originals and their "
        "translations: each name of the originals, in its dictionary form, with the "
        "renderings the translations gave it; with TRANSLATIONS alone, names the English "
        "spells more than one way. Writes a glossary file to review and a report of the "
        "evidence.",
        epilog="Exit status: 0 done, 2 the run could not be done or a file could not be read.",
    )
    parser.add_argument("paths", nargs="*", metavar="DIR",
                        help="ORIGINALS TRANSLATIONS (directories or fsspec URLs whose files "
                        "pair by name), or TRANSLATIONS alone")
    parser.add_argument("--pairs", metavar="FILE",
                        help="a manifest instead: one pair a line, ORIGINAL<TAB>TRANSLATION "
                        "(relative paths from the manifest's directory; absolute paths, "
                        "file:// and fsspec URLs as they are)")
    parser.add_argument("-o", "--output", default="-", metavar="FILE",
                        help="the proposed glossary (default: standard output)")
    parser.add_argument("--report", metavar="FILE",
                        help="the evidence report (default: standard output, or standard "
                        "error when the glossary goes there)")
    parser.add_argument("--format", choices=("text", "json", "html"), default="text",
                        help="the evidence report's format (default: text)")
    parser.add_argument("-g", "--glossary", metavar="FILE",
                        help="the desk's current glossary: entries the archive contradicts, "
                        "renderings they lack, entries never used; its names are not proposed "
                        "again")
    parser.add_argument("--language", choices=_LANGUAGES,
                        help="the originals' language (default: identified per file)")
    parser.add_argument("--min-count", type=positive, default=2, metavar="N",
                        help="linked mentions a name needs to be proposed (default: 2)")
    parser.add_argument("--min-share", type=number_between(0.0, 1.0, "a share between 0 and 1"),
                        default=0.1, metavar="SHARE",
                        help="share of a name's mentions a rendering needs to be listed "
                        "(default: 0.1)")
    parser.add_argument("--no-translate", action="store_true",
                        help="no machine translation of the names, even with a model installed")
    parser.add_argument("--jobs", type=positive, metavar="N",
                        help="read the pairs on a local Dask cluster of N worker processes "
                        "(default: in this process)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="read the pairs on a running Dask scheduler (tls://host:8786)")
    parser.add_argument("--batch-size", type=positive, default=BATCH_SIZE, metavar="N",
                        help=f"pairs a partition on a cluster (default: {BATCH_SIZE})")
    parser.add_argument("--timeout", type=float, default=30, metavar="SECONDS",
                        help="how long to wait for --scheduler (default: 30)")
    parser.add_argument("--max-file-size", type=file_size, default=SUPPRESS, metavar="SIZE",
                        help="refuse files larger than this, the manifest and the glossary "
                        "too (bytes, or with K, M, G; default: max-file-size of the "
                        "configuration, else 16M)")
    add_configuration(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    return parser


# --- which pairs ---------------------------------------------------------------------------


def _relative(root: str, path: str) -> str:
    """A file's path below the directory it was found in (the key that pairs it)."""

    if is_remote(root):
        url_to_fs = importlib.import_module("fsspec.core").url_to_fs
        root, path = url_to_fs(root)[1].strip("/"), url_to_fs(path)[1].strip("/")
    root = root.rstrip("/")
    return path[len(root) + 1 :] if path.startswith(root + "/") else path.rsplit("/", 1)[-1]


def _listed(root: str) -> dict[str, str]:
    """Relative path -> path of every file below a directory (local or fsspec)."""

    if is_remote(root):
        fs_root = root
    else:
        if not Path(root).is_dir():
            raise LearnError(f"{root}: not a directory")
        fs_root = str(Path(root))
    found = {}
    for path in expand([fs_root]):
        found[_relative(fs_root, path)] = path
    return found


def directory_pairs(originals: str, translations: str) -> list[tuple[str, str]]:
    """Files of the two directories with the same path below each, in name order."""
    left, right = _listed(originals), _listed(translations)
    common = sorted(set(left) & set(right))
    if not common:
        raise LearnError(f"no file of {originals} has a namesake in {translations}")
    return [(left[name], right[name]) for name in common]


def _manifest_path(part: str, base: Path, where: Location) -> str:
    """One path of a manifest line: relative to the manifest's directory, absolute as it
    stands, a file:// URL as its local path, another URL as an fsspec file (its scheme
    must be one fsspec knows). The manifest is the user's own file, so `..` and absolute
    paths are taken as they are; a NUL cannot name a file."""

    if "\x00" in part:
        raise UsageError("a path cannot hold a NUL character", where)
    if is_remote(part):
        _known_scheme(part, where)
        return part
    local = local_path(part)
    return local if Path(local).is_absolute() else str(base / local)


def _known_scheme(url: str, where: Location) -> None:
    """An fsspec URL whose filesystem is known and installed, else a usage error here."""
    protocol = url.split("://", 1)[0].lower()
    registry = importlib.import_module("fsspec.registry")
    try:
        registry.get_filesystem_class(protocol)
    except ValueError:
        raise UsageError(f"{protocol}:// is not a scheme fsspec knows", where) from None
    except ImportError as exc:
        raise UsageError(f"{protocol}:// needs a package: {exc}", where) from None


def _manifest_text(manifest: str) -> str:
    """The manifest decoded (UTF-8, a BOM dropped); bytes that are not UTF-8 are an error
    at their line and column."""

    try:
        data = read_bounded(manifest)
    except OSError as exc:
        raise LearnError(f"{manifest}: cannot read: {exc.strerror or exc}") from None
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"not UTF-8 (byte 0x{data[exc.start]:02x})",
                         undecodable(manifest, data, exc)) from None


def _fields(line: str) -> list[tuple[int, str]]:
    """A manifest line's fields, stripped, each with its column: tab-separated, else apart
    by spaces."""
    if "\t" not in line:
        return [(m.start() + 1, m.group()) for m in re.finditer(r"\S+", line)]
    out, at = [], 0
    for raw in line.split("\t"):
        out.append((at + len(raw) - len(raw.lstrip()) + 1, raw.strip()))
        at += len(raw) + 1
    return out


def _manifest_line(line: str, number: int, manifest: str) -> tuple[str, str]:
    """ORIGINAL<TAB>TRANSLATION as two paths."""
    fields = _fields(line)
    if len(fields) != 2 or not all(text for _, text in fields):
        column = len(line) - len(line.lstrip()) + 1
        raise UsageError("a pair is ORIGINAL<TAB>TRANSLATION", Location(manifest, number, column))
    base = Path(manifest).parent
    (o_column, original), (t_column, translation) = fields
    return (_manifest_path(original, base, Location(manifest, number, o_column)),
            _manifest_path(translation, base, Location(manifest, number, t_column)))


def manifest_pairs(manifest: str) -> list[tuple[str, str]]:
    """ORIGINAL<TAB>TRANSLATION lines (blank lines and # comments skipped). A line ends at
    LF or CRLF only, as the error's line numbers count them: a file name may hold a form
    feed or a line separator."""
    lines = [line.removesuffix("\r") for line in _manifest_text(manifest).split("\n")]
    out = [_manifest_line(line, number, manifest) for number, line in enumerate(lines, 1)
           if line.strip() and not line.lstrip().startswith("#")]
    if not out:
        raise LearnError(f"{manifest}: names no pair")
    return out


# --- reading (in this process or on the workers) -------------------------------------------


def _read_remote_bounded(urls: Sequence[str], limit: int) -> dict[str, bytes | BaseException]:
    """Every URL's bytes, none over `limit`: the sizes are asked first (one request per
    filesystem), so a file over it is never fetched; one that grew meanwhile is refused
    after."""

    url_to_fs = importlib.import_module("fsspec.core").url_to_fs
    refused = too_large(limit)
    out: dict[str, bytes | BaseException] = {}
    for url in urls:
        fs, path = url_to_fs(url)
        try:
            size = fs.size(path)
        except Exception as exc:  # no such file, no access: the read would say the same
            out[url] = exc if isinstance(exc, OSError) else OSError(0, str(exc))
            continue
        if size is not None and size > limit:
            out[url] = refused
    fetched = read_remote([u for u in urls if u not in out])
    for url, data in fetched.items():
        out[url] = refused if isinstance(data, bytes) and len(data) > limit else data
    return out


def _read_all(paths: Sequence[str], limit: int) -> dict[str, bytes | BaseException]:
    """Every file's bytes, or why it could not be read; none over `limit`."""

    remote = [p for p in paths if is_remote(p)]
    out: dict[str, bytes | BaseException] = _read_remote_bounded(remote, limit) if remote else {}
    for path in paths:
        if path in out:
            continue
        try:
            out[path] = read_bounded(path, limit)
        except (OSError, ValueError) as exc:  # ValueError: a NUL in a listed name
            out[path] = exc
    return out


def read_batch(items: Sequence[Item], language: str | None, matcher: Matcher | None,
               limit: int | None = None) -> list[tuple[list[PairNames], list[EnglishNames]]]:
    """One partition: every pair's names, every translation's English names. A file that
    cannot be read (or is over `limit`, given explicitly: a Dask worker does not have this
    process's setting) is its pair's error. One-element list: the bag stays a bag of
    partitions."""

    data = _read_all([p for item in items for p in item if p is not None],
                     max_file_size() if limit is None else limit)
    pairs, english = [], []
    for translation, original in items:
        target = data[translation]
        if isinstance(target, BaseException):
            error = read_error(translation, target)
            english.append(EnglishNames(translation, (), error=error))
            if original is not None:
                pairs.append(PairNames(original, translation, "", (), {}, error=error))
            continue
        english.append(read_english(translation, target, matcher))
        if original is None:
            continue
        source = data[original]
        if isinstance(source, BaseException):
            pairs.append(PairNames(original, translation, "", (), {},
                                   error=read_error(original, source)))
            continue
        pairs.append(read_pair(original, translation, source, target, language))
    return [(pairs, english)]


def _serial(items: list[Item], language: str | None, matcher: Matcher | None
            ) -> Iterator[tuple[list[PairNames], list[EnglishNames]]]:
    for start in range(0, len(items), BATCH_SIZE):
        yield from read_batch(items[start : start + BATCH_SIZE], language, matcher)


def read_on_cluster(client: Any, items: list[Item], language: str | None, matcher: Matcher | None,
                batch_size: int) -> Iterator[tuple[list[PairNames], list[EnglishNames]]]:
    """The partitions read on the cluster's workers, under this process's size limit."""

    db = importlib.import_module("dask.bag")
    shared = client.scatter(matcher, broadcast=True, hash=False) if matcher is not None else None
    bag = db.from_sequence(items, partition_size=batch_size)
    parts = bag.map_partitions(read_batch, language, shared, max_file_size()).to_delayed()
    futures = client.compute(parts)
    for future in futures:  # in partition order; learn() does not depend on it anyway
        yield from future.result()
        future.release()


def read_archive(items: list[Item], *, language: str | None = None,
                 matcher: Matcher | None = None, jobs: int | None = None,
                 scheduler: str | None = None, batch_size: int = BATCH_SIZE,
                 timeout: float = 30) -> tuple[list[PairNames], list[EnglishNames]]:
    """Every pair read, here or on a Dask cluster."""
    pairs: list[PairNames] = []
    english: list[EnglishNames] = []
    if scheduler is None and (jobs is None or jobs <= 1):
        batches: Iterator[tuple[list[PairNames], list[EnglishNames]]] = _serial(
            items, language, matcher)
        for p, e in batches:
            pairs += p
            english += e
        return pairs, english

    with connect(scheduler, jobs or 1, timeout) as client:
        for p, e in read_on_cluster(client, items, language, matcher, batch_size):
            pairs += p
            english += e
    return pairs, english


# --- the command ---------------------------------------------------------------------------


def _write(target: str | None, text: str, fallback: Any) -> None:
    if target is None or target == "-":
        fallback.write(text)
        fallback.flush()
        return
    try:
        Path(target).write_text(text, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise LearnError(f"{target}: cannot write: {exc.strerror or exc}") from None


def _items(args: argparse.Namespace) -> list[Item]:
    """(translation, original or None) for every pair, or every translation alone."""
    if args.pairs:
        if args.paths:
            raise LearnError("give --pairs or directories, not both")
        return [(t, o) for o, t in manifest_pairs(args.pairs)]
    if len(args.paths) == 2:
        return [(t, o) for o, t in directory_pairs(args.paths[0], args.paths[1])]
    if len(args.paths) == 1:
        found = _listed(args.paths[0])
        if not found:
            raise LearnError(f"no files in {args.paths[0]}")
        return [(found[name], None) for name in sorted(found)]
    raise LearnError("give ORIGINALS TRANSLATIONS, TRANSLATIONS alone, or --pairs FILE")


def learn_items(items: list[Item], *, glossary: Glossary | None, args: argparse.Namespace
                ) -> Learned:

    matcher = None
    if glossary is not None:

        matcher = compile_glossary(glossary)
    pairs, english = read_archive(
        items, language=args.language, matcher=matcher, jobs=args.jobs,
        scheduler=args.scheduler, batch_size=args.batch_size, timeout=args.timeout)
    translator = None
    if not args.no_translate and any(o is not None for _, o in items):

        translator, notice = open_or_notice(None, True)
        if notice and not args.quiet:
            print(f"glossary-check learn: {notice}; names are linked without it",
                  file=sys.stderr)
    return learn(pairs, thresholds=Thresholds(args.min_count, args.min_share),
                 translator=translator, glossary=glossary, english=english)


def run(args: argparse.Namespace) -> int:

    # the configuration file is read as for every command: its limits hold here too
    given = {"max_file_size": args.max_file_size} if "max_file_size" in args else {}
    options = resolve(argparse.Namespace(config=args.config, no_config=args.no_config, **given))
    set_max_file_size(options.max_file_size)
    glossary = None
    if args.glossary:

        glossary = load_glossary(args.glossary)
    items = _items(args)
    learned = learn_items(items, glossary=glossary, args=args)
    language = glossary.language if glossary is not None else "en"
    _write(args.output, glossary_yaml(learned, language), sys.stdout)
    report_target = args.report
    fallback = sys.stderr if args.output in (None, "-") and report_target is None else sys.stdout
    _write(report_target, render(learned, args.format), fallback)
    for error in learned.errors:
        print_error(error, prog="glossary-check learn")
    return ExitCode.ERROR if learned.errors else ExitCode.OK


def main(argv: Sequence[str]) -> int:
    """`glossary-check learn ...`; the main command hands over everything after `learn`."""
    args = build_parser().parse_args(list(argv))
    return run_reporting("glossary-check learn", lambda: run(args),
                         uses="--jobs, --scheduler and URLs use")
