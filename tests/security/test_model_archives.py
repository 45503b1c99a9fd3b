"""Hostile .argosmodel files (zip archives): bombs, lying sizes, links and devices.

Whatever the archive, `models install` ends with one error line and status 2,
and leaves neither a package nor a half-unpacked folder behind; a package of
the same name installed before stays as it was.
"""

from __future__ import annotations

import json
import stat
import struct
import zipfile
from pathlib import Path

import pytest

from conftest import RunCli
from glossary_check.translate import models

TOP = "translate-de_en-hostile"
META = json.dumps({"type": "translate", "from_code": "de", "to_code": "en",
                   "package_version": "1.0"}).encode()
MiB = 1024**2


def archive(path: Path, members: dict[str, bytes], *, modes: dict[str, int] | None = None) -> Path:
    """A zip of `members` (deflated at the highest level), with Unix modes where given."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if modes and name in modes:
                info.create_system = 3
                info.external_attr = modes[name] << 16
            zf.writestr(info, data)
    return path


def declare_size(path: Path, member: str, size: int) -> None:
    """Rewrite the uncompressed size `member` claims, in its local and central headers."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, size_at, name_len_at, name_at in ((b"PK\x03\x04", 22, 26, 30),
                                                     (b"PK\x01\x02", 24, 28, 46)):
        at = data.find(signature)
        while at != -1:
            (name_len,) = struct.unpack_from("<H", data, at + name_len_at)
            if data[at + name_at:at + name_at + name_len] == name:
                struct.pack_into("<I", data, at + size_at, size)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


def leftovers(packages: Path) -> list[str]:
    """What an install left in the packages folder and beside it (its staging folders)."""
    inside = sorted(p.name for p in packages.iterdir()) if packages.exists() else []
    beside = sorted(p.name for p in packages.parent.iterdir() if p.name.startswith(".glossary"))
    return inside + beside


@pytest.fixture
def packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "argos" / "packages"
    directory.parent.mkdir()  # where an install stages its unpacking
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(directory))
    return directory


def install(run_cli: RunCli, packages: Path, *args: str) -> tuple[int, str, str]:
    return run_cli("models", "install", *args, env={"ARGOS_PACKAGES_DIR": str(packages)})


def refused(result: tuple[int, str, str], *words: str) -> str:
    code, out, err = result
    assert code == 2, (code, out, err)
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("glossary-check: "), err
    assert "Traceback" not in err
    for word in words:
        assert word in err, err
    return err


def test_a_zero_filled_member_compressed_small_stops_at_the_configured_bound(
    run_cli: RunCli, packages: Path, tmp_path: Path,
) -> None:
    bomb = archive(tmp_path / "bomb.argosmodel",
                   {f"{TOP}/metadata.json": META, f"{TOP}/model/model.bin": bytes(24 * MiB)})
    assert bomb.stat().st_size < 100 * 1024  # a thousandfold
    err = refused(install(run_cli, packages, str(bomb), "--max-size", "8M"), "unpacks to")
    assert f"{24 * MiB + len(META)} bytes, more than the {8 * MiB} bytes allowed" in err
    assert leftovers(packages) == []
    # Within the bound it installs, so the bound and not the archive refused it.
    assert install(run_cli, packages, str(bomb), "--max-size", "32M")[0] == 0
    assert (packages / TOP / "model" / "model.bin").stat().st_size == 24 * MiB


def test_the_default_bound_refuses_declared_sizes_before_unpacking_anything(
    packages: Path, tmp_path: Path,
) -> None:
    big = archive(tmp_path / "big.argosmodel",
                  {f"{TOP}/metadata.json": META, f"{TOP}/model.bin": bytes(4096)})
    declare_size(big, f"{TOP}/model.bin", 3 * 1024**3)  # 3 GiB claimed, over the 2 GiB default
    claimed = 3 * 1024**3 + len(META)
    with pytest.raises(models.InvalidPackage, match=f"unpacks to {claimed} bytes, more than "
                       f"the {models.MAX_UNPACKED_BYTES} bytes allowed"):
        models.install_from_path(big)
    assert leftovers(packages) == []


def test_a_header_that_understates_the_size_is_refused_and_leaves_nothing(
    run_cli: RunCli, packages: Path, tmp_path: Path,
) -> None:
    liar = archive(tmp_path / "liar.argosmodel",
                   {f"{TOP}/metadata.json": META, f"{TOP}/model.bin": bytes(16 * MiB)})
    declare_size(liar, f"{TOP}/model.bin", 1000)  # the stream still inflates to 16 MiB
    refused(install(run_cli, packages, str(liar)), "liar.argosmodel", "broken zip archive")
    assert leftovers(packages) == []


def test_bytes_are_counted_while_unpacking_whatever_was_checked_before(
    packages: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The file can change between the check and the unpacking: the count still holds."""
    small = archive(tmp_path / "small.argosmodel", {f"{TOP}/metadata.json": META})
    checked = models.read_archive(small)
    big = archive(tmp_path / "big.argosmodel",
                  {f"{TOP}/metadata.json": META, f"{TOP}/model.bin": bytes(12 * MiB)})
    monkeypatch.setattr(models, "read_archive", lambda *_a, **_k: checked)
    with pytest.raises(models.InvalidPackage, match=f"unpacks to more than the {4 * MiB} bytes"):
        models.install_from_path(big, max_bytes=4 * MiB)
    assert leftovers(packages) == []


def test_too_many_members_are_refused(run_cli: RunCli, packages: Path, tmp_path: Path) -> None:
    many = {f"{TOP}/metadata.json": META,
            **{f"{TOP}/d/{i}.txt": b"" for i in range(models.MAX_MEMBERS)}}
    crowd = archive(tmp_path / "crowd.argosmodel", many)
    with pytest.raises(models.InvalidPackage,
                       match=f"{models.MAX_MEMBERS + 1} members, more than the "
                       f"{models.MAX_MEMBERS}"):
        models.install_from_path(crowd)
    assert leftovers(packages) == []
    few = archive(tmp_path / "few.argosmodel",
                  {f"{TOP}/metadata.json": META, **{f"{TOP}/{i}": b"x" for i in range(5)}})
    refused(install(run_cli, packages, str(few), "--max-files", "5"), "6 members")
    assert install(run_cli, packages, str(few), "--max-files", "6")[0] == 0


@pytest.mark.parametrize(("mode", "kind"), [
    (stat.S_IFLNK | 0o777, "symlink"),
    (stat.S_IFCHR | 0o644, "device"),
    (stat.S_IFIFO | 0o644, "pipe"),
])
def test_links_devices_and_pipes_are_refused(
    run_cli: RunCli, packages: Path, tmp_path: Path, mode: int, kind: str,
) -> None:
    name = f"{TOP}/model.bin"
    linked = archive(tmp_path / "linked.argosmodel", {f"{TOP}/metadata.json": META,
                     name: b"/etc/passwd"}, modes={name: mode})
    refused(install(run_cli, packages, str(linked)), kind, repr(name))
    assert leftovers(packages) == []


def test_a_regular_file_with_unix_modes_still_installs(packages: Path, tmp_path: Path) -> None:
    name = f"{TOP}/model.bin"
    plain = archive(tmp_path / "plain.argosmodel", {f"{TOP}/metadata.json": META,
                    name: b"weights"}, modes={name: stat.S_IFREG | 0o644})
    assert models.install_from_path(plain).path == packages / TOP
    assert (packages / name).read_bytes() == b"weights"


def test_a_refused_archive_leaves_the_installed_package_as_it_was(
    run_cli: RunCli, packages: Path, tmp_path: Path,
) -> None:
    good = archive(tmp_path / "good.argosmodel",
                   {f"{TOP}/metadata.json": META, f"{TOP}/model.bin": b"good weights"})
    assert install(run_cli, packages, str(good))[0] == 0
    bomb = archive(tmp_path / "bomb.argosmodel",
                   {f"{TOP}/metadata.json": META, f"{TOP}/model.bin": bytes(8 * MiB)})
    refused(install(run_cli, packages, str(bomb), "--max-size", "1M"), "unpacks to")
    assert sorted(p.name for p in (packages / TOP).iterdir()) == ["metadata.json", "model.bin"]
    assert (packages / TOP / "model.bin").read_bytes() == b"good weights"
    assert leftovers(packages) == [TOP]


def test_a_member_twice_over_is_refused(packages: Path, tmp_path: Path) -> None:
    twice = tmp_path / "twice.argosmodel"
    with zipfile.ZipFile(twice, "w") as zf, pytest.warns(UserWarning, match="Duplicate name"):
        zf.writestr(f"{TOP}/metadata.json", META)
        zf.writestr(f"{TOP}/model.bin", b"a")
        zf.writestr(f"{TOP}/model.bin", b"b")
    with pytest.raises(models.InvalidPackage, match="twice"):
        models.install_from_path(twice)
    assert leftovers(packages) == []


@pytest.mark.parametrize("text", ["0", "-1", "lots", "2T", ""])
def test_max_size_takes_a_positive_size(
    run_cli: RunCli, packages: Path, tmp_path: Path, text: str,
) -> None:
    code, _, err = install(run_cli, packages, str(tmp_path / "x.argosmodel"), "--max-size", text)
    assert code == 2 and "argument --max-size: expected a size such as 16777216, 512K or 64M" in err


def test_what_a_package_says_of_itself_is_listed_escaped(
    run_cli: RunCli, packages: Path, tmp_path: Path,
) -> None:
    meta = json.dumps({"type": "translate", "from_code": "de", "to_code": "en\x1b[2J",
                       "package_version": "1\x1b]0;owned\x07"}).encode()
    archive(tmp_path / "loud.argosmodel", {f"{TOP}/metadata.json": meta})
    env = {"ARGOS_PACKAGES_DIR": str(packages)}
    code, out, _ = run_cli("models", "install", "loud.argosmodel", env=env)
    assert code == 0 and "\x1b" not in out and "translate-de_en\\x1b[2J" in out
    code, out, _ = run_cli("models", "list", env=env)
    assert code == 0 and "\x1b" not in out and "1\\x1b]0;owned\\x07" in out


class Endless:
    """A response body that never ends: `read(n)` always has n more bytes."""

    def __init__(self, head: bytes = b"") -> None:
        self.head = head

    def read(self, n: int = -1) -> bytes:
        assert n > 0, "an unbounded read"
        return (self.head + bytes(n))[:n]

    def __enter__(self) -> Endless:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def test_downloads_stop_at_the_bound(packages: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("argostranslate.settings")
    index = json.dumps([{"type": "translate", "from_code": "de", "to_code": "en",
                         "links": ["https://x/de"]}]).encode()
    asked: list[str] = []

    def urlopen(request: object, timeout: float) -> object:
        url = request.full_url  # type: ignore[attr-defined]
        asked.append(url)
        return Endless(b"[") if url == "https://idx/endless" else (
            Endless() if url == "https://x/de" else Served(index))

    class Served(Endless):
        def read(self, n: int = -1) -> bytes:
            assert n > 0, "an unbounded read"
            return self.head[:n]

    import urllib.request

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    with pytest.raises(models.TranslationUnavailable,
                       match=f"more than {models.MAX_INDEX_BYTES} bytes"):
        models.install_from_index("de", "en", index_url="https://idx/endless")
    with pytest.raises(models.TranslationUnavailable, match=r"https://x/de: more than \d+ bytes"):
        models.install_from_index("de", "en", index_url="https://idx/index.json",
                                  max_bytes=4 * MiB)
    assert asked == ["https://idx/endless", "https://idx/index.json", "https://x/de"]
    assert leftovers(packages) == []
