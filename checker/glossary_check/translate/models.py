"""Installed Argos Translate packages: list, install (from a file or the index), remove.

Listing reads each package's metadata.json itself, so it works without the
`translate` extra. Installing never goes through `argostranslate.package`
(whose install imports the whole translation stack): archives are checked
first (one top folder, a metadata.json, no path escaping it, regular files
and folders only, a bounded number of members and unpacked bytes) and then
swapped into place, so a failed install leaves the previous package intact.

An archive is a zip file, and a zip's sizes are what its writer claims: the
declared sizes are added up before anything is unpacked, and the bytes are
counted again as they are written, so a small file that inflates to
gigabytes stops at the bound, with nothing left behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from glossary_check.core.errors import GlossaryCheckError
from glossary_check.translate import TranslationUnavailable

__all__ = [
    "InstalledPackage",
    "InvalidPackage",
    "PackageNotFound",
    "fingerprint",
    "forget_loaded_models",
    "install_from_index",
    "install_from_path",
    "list_packages",
    "packages_dir",
    "packages_dirs",
    "read_archive",
    "remove",
]


#: Unpacked bytes an archive may hold: real models are 100-300 MB.
MAX_UNPACKED_BYTES = 2 * 1024**3
#: Files and folders an archive may hold: real models have a few dozen.
MAX_MEMBERS = 10_000
#: metadata.json is read into memory before anything is unpacked.
MAX_METADATA_BYTES = 1024**2
#: The package index is a JSON list of a few hundred packages.
MAX_INDEX_BYTES = 16 * 1024**2
_CHUNK = 1024**2
#: What zipfile raises on damaged, encrypted or unsupported data (a wrong CRC, a short stream).
_BROKEN = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError)


class InvalidPackage(GlossaryCheckError, ValueError):
    """The file is not an installable Argos package."""


class PackageNotFound(GlossaryCheckError, LookupError):
    """No installed package matches the name or pair."""


@dataclass(frozen=True)
class InstalledPackage:
    """One installed package as its metadata.json describes it."""

    name: str
    path: Path
    type: str
    from_code: str | None
    to_code: str | None
    from_name: str
    to_name: str
    version: str

    @property
    def pair(self) -> tuple[str, str] | None:
        if self.type != "translate" or not self.from_code or not self.to_code:
            return None
        return (self.from_code, self.to_code)

    @property
    def argospm_name(self) -> str:
        """The name argospm uses: translate-ru_en."""
        if self.from_code and self.to_code:
            return f"{self.type}-{self.from_code}_{self.to_code}"
        return self.type


def _argos_settings() -> Any | None:
    try:
        from argostranslate import settings
    except ImportError:
        return None
    return settings


def _default_argos_dir() -> Path:
    """Where argostranslate puts packages when neither its settings nor the variable say."""
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "argos-translate" / "packages"


def packages_dirs() -> list[Path]:
    """Directories searched for packages: ARGOS_PACKAGES_DIR as set now, else argostranslate's.

    The variable is read on each call (argostranslate reads it once, at import),
    so a test or a long-lived process can point elsewhere without re-importing.
    """
    env = os.environ.get("ARGOS_PACKAGES_DIR")
    settings = _argos_settings()
    extra: list[Path] = []
    if settings is not None:
        extra = [Path(p) for p in settings.package_dirs[1:]]
        if env is None:
            return [Path(settings.package_data_dir), *extra]
    return [Path(env) if env else _default_argos_dir(), *extra]


def packages_dir() -> Path:
    """The directory packages are installed into."""
    return packages_dirs()[0]


def _load_package(path: Path) -> InstalledPackage:
    meta = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
    if not isinstance(meta, dict):
        raise InvalidPackage(f"{path / 'metadata.json'}: not a JSON object")
    return _from_metadata(path.name, path, meta)


def _from_metadata(name: str, path: Path, meta: Mapping[str, Any]) -> InstalledPackage:
    return InstalledPackage(
        name=name,
        path=path,
        type=str(meta.get("type", "translate")),
        from_code=meta.get("from_code"),
        to_code=meta.get("to_code"),
        from_name=str(meta.get("from_name", "")),
        to_name=str(meta.get("to_name", "")),
        version=str(meta.get("package_version", "")),
    )


def list_packages(dirs: Sequence[Path] | None = None) -> list[InstalledPackage]:
    """Installed packages, by directory then name; folders without metadata.json are skipped."""
    found: list[InstalledPackage] = []
    for directory in packages_dirs() if dirs is None else dirs:
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            if path.is_dir() and (path / "metadata.json").is_file():
                found.append(_load_package(path))
    return found


def fingerprint(path: Path) -> str:
    """Identity of an installed package's files: metadata content plus every file's size and time.

    Cheap even for a 100 MB model (no hashing of weights) and it changes whenever
    the package is replaced, so cached translations never outlive their model.
    """
    digest = hashlib.sha256()
    digest.update(path.name.encode())
    meta = path / "metadata.json"
    digest.update(meta.read_bytes() if meta.is_file() else b"")
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        stat = file.stat()
        rel = file.relative_to(path).as_posix()
        digest.update(f"\0{rel}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def _member_kind(info: zipfile.ZipInfo) -> str | None:
    """What a member is other than a file or folder ('symlink', 'device'...), or None."""
    mode = info.external_attr >> 16
    if info.create_system != 3 or not stat.S_IFMT(mode):  # not written with Unix modes
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return "symlink" if stat.S_ISLNK(mode) else "device, pipe or socket"


def _members(path: Path, zf: zipfile.ZipFile, max_members: int) -> list[zipfile.ZipInfo]:
    """The archive's members, refused if any is unsafe or there are too many."""
    infos = zf.infolist()
    if len(infos) > max_members:
        raise InvalidPackage(
            f"{path}: {len(infos)} members, more than the {max_members} a package may hold")
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        parts = PurePosixPath(name).parts
        if not parts or name.startswith("/") or "\\" in name or ".." in parts:
            raise InvalidPackage(f"{path}: unsafe entry {name!r}")
        kind = _member_kind(info)
        if kind is not None:
            raise InvalidPackage(f"{path}: {name!r} is a {kind}, not a file or folder")
        key = "/".join(parts)
        if key in seen:
            raise InvalidPackage(f"{path}: {name!r} is in the archive twice")
        seen.add(key)
    return infos


def _too_big(path: Path, max_bytes: int, declared: int | None = None) -> InvalidPackage:
    size = f"{declared} bytes, more than" if declared is not None else "more than"
    return InvalidPackage(f"{path}: unpacks to {size} the {max_bytes} bytes allowed "
                          "(models install --max-size raises the bound)")


def read_archive(
    path: Path, *, max_bytes: int = MAX_UNPACKED_BYTES, max_members: int = MAX_MEMBERS
) -> tuple[str, dict[str, Any]]:
    """Check an .argosmodel archive; returns its folder name and metadata."""
    if not zipfile.is_zipfile(path):
        raise InvalidPackage(f"{path}: not a zip archive")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = _members(path, zf, max_members)
            declared = sum(info.file_size for info in infos)
            if declared > max_bytes:
                raise _too_big(path, max_bytes, declared)
            tops = {PurePosixPath(info.filename).parts[0] for info in infos}
            if len(tops) != 1:
                raise InvalidPackage(
                    f"{path}: an Argos package holds exactly one folder, found {sorted(tops)}"
                )
            top = tops.pop()
            meta_info = next(
                (i for i in infos if i.filename == f"{top}/metadata.json" and not i.is_dir()),
                None)
            if meta_info is None:
                raise InvalidPackage(f"{path}: no {top}/metadata.json")
            if meta_info.file_size > MAX_METADATA_BYTES:
                raise InvalidPackage(f"{path}: metadata.json is {meta_info.file_size} bytes")
            try:
                meta = json.loads(zf.read(meta_info).decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise InvalidPackage(f"{path}: metadata.json is not valid JSON: {exc}") from exc
    except _BROKEN as exc:
        raise InvalidPackage(f"{path}: a broken zip archive ({exc})") from exc
    if not isinstance(meta, dict):
        raise InvalidPackage(f"{path}: metadata.json is not a JSON object")
    if meta.get("type", "translate") == "translate" and not (
        meta.get("from_code") and meta.get("to_code")
    ):
        raise InvalidPackage(f"{path}: metadata.json lacks from_code or to_code")
    return top, meta


def _extract(path: Path, dest: Path, max_bytes: int, max_members: int) -> None:
    """Unpack into `dest` (new and empty), counting the bytes actually written.

    The sizes the archive declares were added up by `read_archive`; the count
    here holds whatever the file says by now, and whatever zipfile would read.
    """
    written = 0
    try:
        with zipfile.ZipFile(path) as zf:
            for info in _members(path, zf, max_members):
                target = dest.joinpath(*PurePosixPath(info.filename).parts)
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as source, open(target, "xb") as out:
                    while chunk := source.read(_CHUNK):
                        written += len(chunk)
                        if written > max_bytes:
                            raise _too_big(path, max_bytes)
                        out.write(chunk)
    except _BROKEN as exc:
        raise InvalidPackage(f"{path}: a broken zip archive ({exc})") from exc


def forget_loaded_models() -> None:
    """Make an already imported argostranslate.translate see installs and removals.

    It caches the language list and keeps one translation object per language
    pair for the life of the process; both would otherwise go stale.
    """
    module = sys.modules.get("argostranslate.translate")
    if module is not None:
        module.get_installed_languages.cache_clear()
        module.installed_translates.clear()


def install_from_path(
    path: Path, *, target_dir: Path | None = None, max_bytes: int = MAX_UNPACKED_BYTES,
    max_members: int = MAX_MEMBERS,
) -> InstalledPackage:
    """Install an .argosmodel file, replacing any package of the same folder name."""
    top, meta = read_archive(path, max_bytes=max_bytes, max_members=max_members)
    dest_root = target_dir or packages_dir()
    dest_root.mkdir(parents=True, exist_ok=True)
    # Staged beside, not inside, the packages directory: argostranslate fails on
    # any folder there without a metadata.json, and another process may be listing it.
    staging = Path(tempfile.mkdtemp(prefix=".glossary-check-install-", dir=dest_root.parent))
    try:
        _extract(path, staging, max_bytes, max_members)
        final = dest_root / top
        if final.exists():
            old = Path(tempfile.mkdtemp(prefix=".glossary-check-remove-", dir=dest_root.parent))
            try:
                final.rename(old / top)
                try:
                    (staging / top).rename(final)
                except BaseException:
                    (old / top).rename(final)  # the previous package back in place
                    raise
            finally:
                shutil.rmtree(old, ignore_errors=True)
        else:
            (staging / top).rename(final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    forget_loaded_models()
    return _from_metadata(top, final, meta)


def _fetch(url: str, timeout: float, limit: int) -> bytes:
    """The body at `url`; OSError past `limit` bytes, before holding more of it in memory."""
    import urllib.request  # only to download: a check that looks for models needs none

    request = urllib.request.Request(url, headers={"User-Agent": "ArgosTranslate"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        data: bytes = response.read(limit + 1)
    if len(data) > limit:
        raise OSError(f"more than {limit} bytes")
    return data


def install_from_index(
    from_code: str,
    to_code: str,
    *,
    target_dir: Path | None = None,
    index_url: str | None = None,
    timeout: float = 30.0,
    max_bytes: int = MAX_UNPACKED_BYTES,
    max_members: int = MAX_MEMBERS,
) -> InstalledPackage:
    """Download and install the pair's package from argostranslate's package index.

    The only function here that uses the network; without it, the error says how
    to install a package file fetched elsewhere.
    """
    settings = _argos_settings()
    if settings is None:
        raise TranslationUnavailable(
            "installing models needs the 'translate' extra: pip install 'glossary-check[translate]'"
        )
    url = index_url or settings.remote_package_index
    hint = (
        f"download the {from_code}→{to_code} .argosmodel file on a machine with network "
        f"access (the index lists its links), copy it here and run "
        f"'glossary-check models install FILE.argosmodel'"
    )
    try:
        index = json.loads(_fetch(url, timeout, MAX_INDEX_BYTES))
    except OSError as exc:
        raise TranslationUnavailable(
            f"cannot reach the Argos package index at {url} ({exc}); {hint}"
        ) from exc
    except json.JSONDecodeError as exc:
        raise TranslationUnavailable(f"the Argos package index at {url} is not JSON") from exc
    entries = [
        e
        for e in index
        if isinstance(e, dict)
        and e.get("type", "translate") == "translate"
        and e.get("from_code") == from_code
        and e.get("to_code") == to_code
    ]
    if not entries:
        raise TranslationUnavailable(f"the Argos package index has no {from_code}→{to_code} model")
    errors: list[str] = []
    for link in entries[0].get("links", []):
        try:
            # A zip holds its members' bytes (stored, at worst) and their headers.
            data = _fetch(str(link), timeout, max_bytes + 512 * max_members + _CHUNK)
        except OSError as exc:
            errors.append(f"{link}: {exc}")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            file = Path(tmp) / "package.argosmodel"
            file.write_bytes(data)
            return install_from_path(file, target_dir=target_dir, max_bytes=max_bytes,
                                     max_members=max_members)
    raise TranslationUnavailable(
        f"could not download the {from_code}→{to_code} model ({'; '.join(errors) or 'no link'});"
        f" {hint}"
    )


def _matches(pkg: InstalledPackage, key: str | tuple[str, str]) -> bool:
    if isinstance(key, tuple):
        return pkg.pair == key
    if key in (pkg.name, pkg.argospm_name):
        return True
    for sep in ("-", "_", "→", ":"):
        source, found, target = key.partition(sep)
        if found and pkg.pair == (source, target):
            return True
    return False


def remove(
    name_or_pair: str | tuple[str, str], *, dirs: Sequence[Path] | None = None
) -> list[InstalledPackage]:
    """Remove packages by folder name, argospm name (translate-ru_en) or pair ("ru-en").

    Raises PackageNotFound when nothing matches, so a typo is not a silent no-op.
    """
    doomed = [p for p in list_packages(dirs) if _matches(p, name_or_pair)]
    if not doomed:
        raise PackageNotFound(f"no installed package matches {name_or_pair!r}")
    for pkg in doomed:
        shutil.rmtree(pkg.path)
    forget_loaded_models()
    return doomed
