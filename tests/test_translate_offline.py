"""Translating never touches the network and never loads the heavy stack argostranslate pulls in.

Each check runs in a fresh interpreter so that what gets imported, and what
tries to connect, is that of a real run and not of the other tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "tiny-ru-en.argosmodel"

BLOCK_SOCKETS = """
import socket
attempts = []
def _refuse(*args, **kwargs):
    attempts.append(repr(args)[:200])
    raise OSError("network disabled")
socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
"""


def run_python(code: str, tmp_path: Path) -> dict[str, object]:
    """Run code in a fresh interpreter with private argos/cache dirs; it prints one JSON line."""
    env = dict(os.environ)
    env.update(
        ARGOS_PACKAGES_DIR=str(tmp_path / "packages"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        HOME=str(tmp_path / "home"),
        GLOSSARY_CHECK_CACHE_DIR=str(tmp_path / "gc-cache"),
    )
    env.pop("ARGOS_CHUNK_TYPE", None)
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_importing_the_package_loads_no_backend(tmp_path: Path) -> None:
    result = run_python(
        """
        import json, sys
        import glossary_check.translate
        heavy = ["argostranslate", "ctranslate2", "sentencepiece", "onnxruntime", "torch",
                 "stanza", "spacy", "minisbd", "sqlite3"]
        print(json.dumps({"loaded": [m for m in heavy if m in sys.modules]}))
        """,
        tmp_path,
    )
    assert result["loaded"] == []


@pytest.mark.translate
def test_translating_run_makes_no_connection(tmp_path: Path) -> None:
    pytest.importorskip("argostranslate")
    pytest.importorskip("ctranslate2")
    code = (
        BLOCK_SOCKETS
        + f"""
import json, sys
from pathlib import Path
from glossary_check.cache.translations import open_translator
from glossary_check.translate import models
models.install_from_path(Path({str(FIXTURE)!r}))
texts = ["Зеленский прибыл в Киев. Макрон выступил в Париже.", "Новости", "Совсем новый текст."]
first = open_translator(threads=2).translate_batch(texts, "ru", "en")
second = open_translator(threads=2).translate_batch(texts, "ru", "en")
plain = open_translator(threads=1, use_cache=False).translate_batch(texts, "ru", "en")
heavy = ["torch", "stanza", "spacy", "argostranslate.translate", "argostranslate.sbd"]
print(json.dumps({{
    "first": first, "second": second, "plain": plain, "attempts": attempts,
    "loaded": [m for m in heavy if m in sys.modules],
}}))
"""
    )
    result = run_python(code, tmp_path)
    assert result["attempts"] == []
    assert result["loaded"] == []
    first = result["first"]
    assert isinstance(first, list)
    assert first[:2] == ["Zelensky arrived in Kiev. Macron spoke in Paris.", "News"]
    assert result["second"] == first == result["plain"]
    assert (tmp_path / "gc-cache" / "translations.sqlite3").is_file()


@pytest.mark.translate
def test_argostranslate_itself_runs_the_fixture_offline(tmp_path: Path) -> None:
    """The fixture carries its own sentence splitter: argostranslate downloads nothing either."""
    pytest.importorskip("argostranslate")
    code = (
        BLOCK_SOCKETS
        + f"""
import json
from pathlib import Path
from glossary_check.translate import models
models.install_from_path(Path({str(FIXTURE)!r}))
from argostranslate import settings, translate
out = translate.translate("Коалиция желающих соберётся в Москве. Политика", "ru", "en")
print(json.dumps({{"out": out, "attempts": attempts, "dir": str(settings.package_data_dir)}}))
"""
    )
    result = run_python(code, tmp_path)
    assert result["attempts"] == []
    assert result["out"] == "The coalition of the willing will meet in Moscow. Politics"
    assert result["dir"] == str(tmp_path / "packages")


@pytest.mark.translate
def test_cached_second_run_makes_no_model_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("argostranslate")
    pytest.importorskip("ctranslate2")
    from glossary_check.cache.translations import open_translator
    from glossary_check.translate import argos, models

    packages = tmp_path / "packages"
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    models.install_from_path(FIXTURE)
    cache_path = tmp_path / "cache.sqlite3"
    texts = ["Мир", "Экономика", "Мир", "Путин прибыл в Пекин."]
    first = open_translator(cache_path=cache_path).translate_batch(texts, "ru", "en")
    assert first == ["World", "Economy", "World", "Putin arrived in Beijing."]

    calls: list[object] = []
    real = argos._PackageEngine.translate

    def counting(self: argos._PackageEngine, batch: list[str]) -> list[str]:
        calls.append(batch)
        return real(self, batch)

    monkeypatch.setattr(argos._PackageEngine, "translate", counting)
    assert open_translator(cache_path=cache_path).translate_batch(texts, "ru", "en") == first
    assert calls == []
    open_translator(cache_path=cache_path).translate_batch(["Новости"], "ru", "en")
    assert calls == [["Новости"]]
