"""Installing, listing and removing Argos packages, without ever reaching the network."""

from __future__ import annotations

import json
import socket
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from glossary_check.translate import TranslationUnavailable, models

FIXTURE = Path(__file__).parent / "fixtures" / "tiny-ru-en.argosmodel"


@pytest.fixture
def packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "packages"
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(directory))
    return directory


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield attempts


def make_zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


META = json.dumps({"type": "translate", "from_code": "de", "to_code": "en"}).encode()


def test_fixture_archive_is_one_folder_with_metadata() -> None:
    top, meta = models.read_archive(FIXTURE)
    assert top == "translate-ru_en-tiny"
    assert (meta["from_code"], meta["to_code"]) == ("ru", "en")
    with zipfile.ZipFile(FIXTURE) as zf:
        names = zf.namelist()
        assert {n.split("/")[0] for n in names} == {top}
        assert f"{top}/model/model.bin" in names
        assert f"{top}/sentencepiece.model" in names
        assert any(n.startswith(f"{top}/minisbd/") and n.endswith(".onnx") for n in names)
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert FIXTURE.stat().st_size < 2_000_000


def test_install_list_remove_honour_argos_packages_dir(packages: Path) -> None:
    assert models.list_packages() == []
    installed = models.install_from_path(FIXTURE)
    assert installed.path == packages / "translate-ru_en-tiny"
    listed = models.list_packages()
    assert [(p.name, p.pair, p.version) for p in listed] == [
        ("translate-ru_en-tiny", ("ru", "en"), "1.0")
    ]
    assert listed[0].argospm_name == "translate-ru_en"
    assert [p.name for p in models.remove("ru-en")] == ["translate-ru_en-tiny"]
    assert models.list_packages() == []
    assert sorted(p.name for p in packages.parent.iterdir()) == ["packages"]  # no leftovers


@pytest.mark.parametrize(
    "key", ["translate-ru_en-tiny", "translate-ru_en", "ru_en", "ru→en", ("ru", "en")]
)
def test_remove_by_name_or_pair(packages: Path, key: str | tuple[str, str]) -> None:
    models.install_from_path(FIXTURE)
    assert len(models.remove(key)) == 1
    assert models.list_packages() == []


def test_remove_unknown_is_an_error(packages: Path) -> None:
    models.install_from_path(FIXTURE)
    with pytest.raises(models.PackageNotFound):
        models.remove("de-en")
    assert len(models.list_packages()) == 1


def test_reinstall_replaces_the_package(packages: Path) -> None:
    models.install_from_path(FIXTURE)
    stray = packages / "translate-ru_en-tiny" / "stray.txt"
    stray.write_text("left over", encoding="utf-8")
    models.install_from_path(FIXTURE)
    assert not stray.exists()
    assert len(models.list_packages()) == 1


def test_failed_reinstall_keeps_the_previous_package(
    packages: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    models.install_from_path(FIXTURE)
    kept = packages / "translate-ru_en-tiny" / "kept.txt"
    kept.write_text("the installed package", encoding="utf-8")
    rename = Path.rename

    def refuse_staged(self: Path, target: Any) -> Any:
        if ".glossary-check-install-" in str(self):
            raise OSError("disk full")
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", refuse_staged)
    with pytest.raises(OSError, match="disk full"):
        models.install_from_path(FIXTURE)
    assert kept.read_text(encoding="utf-8") == "the installed package"
    assert [p.name for p in packages.parent.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({"a/metadata.json": META, "b/metadata.json": META}, "exactly one folder"),
        ({"a/model.bin": b""}, "no a/metadata.json"),
        ({"a/metadata.json": b"{not json"}, "not valid JSON"),
        ({"a/metadata.json": b"[]"}, "not a JSON object"),
        ({"a/metadata.json": json.dumps({"type": "translate"}).encode()}, "from_code"),
        ({"a/metadata.json": META, "a/../../evil": b""}, "unsafe"),
        ({"/abs/metadata.json": META}, "unsafe"),
    ],
)
def test_invalid_archives_are_refused(
    packages: Path, tmp_path: Path, entries: dict[str, bytes], message: str
) -> None:
    archive = make_zip(tmp_path / "bad.argosmodel", entries)
    with pytest.raises(models.InvalidPackage, match=message):
        models.install_from_path(archive)
    assert not packages.exists() or list(packages.iterdir()) == []


def test_not_a_zip_is_refused(packages: Path, tmp_path: Path) -> None:
    bogus = tmp_path / "x.argosmodel"
    bogus.write_bytes(b"plain text")
    with pytest.raises(models.InvalidPackage, match="not a zip"):
        models.install_from_path(bogus)


def test_fingerprint_changes_with_the_files(packages: Path) -> None:
    installed = models.install_from_path(FIXTURE)
    before = models.fingerprint(installed.path)
    assert models.fingerprint(installed.path) == before
    (installed.path / "README.md").write_text("changed, and longer than before", encoding="utf-8")
    assert models.fingerprint(installed.path) != before


@pytest.mark.translate
def test_install_from_index_offline_is_a_clear_error(packages: Path, no_network: list[Any]) -> None:
    pytest.importorskip("argostranslate")
    with pytest.raises(TranslationUnavailable, match="cannot reach the Argos package index"):
        models.install_from_index("ru", "en", index_url="https://index.invalid/index.json")
    assert no_network, "the index was not even attempted"
    assert not packages.exists() or list(packages.iterdir()) == []


@pytest.mark.translate
def test_install_from_index_downloads_the_listed_package(
    packages: Path, monkeypatch: pytest.MonkeyPatch, no_network: list[Any]
) -> None:
    pytest.importorskip("argostranslate")
    index = [
        {"type": "translate", "from_code": "de", "to_code": "en", "links": ["https://x/de"]},
        {"type": "translate", "from_code": "ru", "to_code": "en", "links": ["https://x/ru"]},
    ]
    served = {
        "https://idx/index.json": json.dumps(index).encode(),
        "https://x/ru": FIXTURE.read_bytes(),
    }
    fetched: list[str] = []

    def fake_fetch(url: str, timeout: float, limit: int) -> bytes:
        fetched.append(url)
        return served[url]

    monkeypatch.setattr(models, "_fetch", fake_fetch)
    installed = models.install_from_index("ru", "en", index_url="https://idx/index.json")
    assert installed.pair == ("ru", "en")
    assert fetched == ["https://idx/index.json", "https://x/ru"]
    with pytest.raises(TranslationUnavailable, match="no uk→en model"):
        models.install_from_index("uk", "en", index_url="https://idx/index.json")
    assert no_network == []
