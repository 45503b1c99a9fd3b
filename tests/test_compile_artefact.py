"""`glossary-check compile -o FILE` and `--compiled FILE`: a compiled glossary as a build
artefact. It gives the findings the YAML gives; one of another version, from other glossary
files, of a changed glossary or damaged is refused with a one-line notice and rebuilt."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from conftest import CORE, CORE_ARGS, RunCli, WriteGlossary, check_text
from glossary_check import __version__
from glossary_check.cache import compiled as cache
from glossary_check.cache import fileformat as cachefile
from glossary_check.commands.cli import main
from glossary_check.engine.compiled import compile_all
from glossary_check.engine.glossary import load_glossaries

GLOSSARY = """\
version: 1
include: [people.yaml]
entries:
  - term: Kyiv
    kind: place
    variants: [Kiev]
    sources:
      ru: [Киев]
      uk: [Київ]
  - term: Kharkiv
    kind: place
    variants: [Kharkov]
"""

PEOPLE = """\
version: 1
entries:
  - term: Zelensky
    kind: person
    variants: [Zelenskyy]
"""

MORE = """\
version: 1
entries:
  - term: Odesa
    kind: place
    variants: [Odessa]
"""

ARTICLE = "Zelenskyy went to Kiev and to Kharkov, then to Odessa. В Киеве тихо.\n"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    return tmp_path


def _setup(write_glossary: WriteGlossary) -> Path:
    write_glossary(PEOPLE, "people.yaml")
    write_glossary(MORE, "more.yaml")
    return write_glossary(GLOSSARY)


def _texts(compiled: cache.Compiled) -> list[tuple[str, str]]:
    return [(f.rule, f.text) for f in check_text(compiled, ARTICLE, CORE)]


def _check(article: Path, *args: str) -> tuple[int, dict[str, Any]]:
    out = article.parent / "report.json"
    status = main([*args, *CORE_ARGS, "-f", "json", "--fail-on", "never", "-o", str(out),
                   str(article)])
    return status, json.loads(out.read_text(encoding="utf-8"))


def test_the_compiled_file_finds_what_the_yaml_finds(
    here: Path, write_glossary: WriteGlossary, monkeypatch: pytest.MonkeyPatch
) -> None:
    _setup(write_glossary)
    paths = [Path("glossary.yaml"), Path("more.yaml")]
    written = cache.write_artefact(paths, here / "glossary.compiled")
    fresh = compile_all(load_glossaries(paths))
    assert _texts(written) == _texts(fresh)
    assert {"Zelenskyy", "Kiev", "Kharkov", "Odessa"} <= {t for _, t in _texts(fresh)}

    def refuse(*_: object) -> None:
        raise AssertionError("a compiled file must not be parsed again")

    monkeypatch.setattr(cache, "load_glossary", refuse)
    notices: list[str] = []
    kept = cache.open_artefact(here / "glossary.compiled", paths, notices)
    assert kept is not None and notices == []
    assert isinstance(kept.matcher.root, cache.LazyNode)
    assert _texts(kept) == _texts(fresh)
    assert kept.glossary.files == fresh.glossary.files
    assert kept.glossary.digest == fresh.glossary.digest


def test_compile_command_and_check_with_compiled(
    here: Path, write_glossary: WriteGlossary, capsys: pytest.CaptureFixture[str]
) -> None:
    _setup(write_glossary)
    assert main(["compile", "glossary.yaml", "-o", "g.compiled"]) == 0
    assert capsys.readouterr().out == "g.compiled: 3 entries from 2 files (glossary.yaml)\n"
    article = here / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    before = (here / "g.compiled").read_bytes()
    status, report = _check(article, "-g", "glossary.yaml", "--compiled", "g.compiled")
    assert status == 0
    assert not [n for n in report.get("notices", []) if "g.compiled" in n]
    assert (here / "g.compiled").read_bytes() == before  # read, not rewritten
    _, plain = _check(article, "-g", "glossary.yaml", "--no-cache")
    assert report["files"] == plain["files"]


def test_a_missing_file_is_compiled_and_written(
    here: Path, write_glossary: WriteGlossary
) -> None:
    _setup(write_glossary)
    article = here / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    _, report = _check(article, "-g", "glossary.yaml", "--compiled", "out/g.compiled")
    assert "out/g.compiled: cannot write it there" in " ".join(report["notices"])
    (here / "out").mkdir()
    _, report = _check(article, "-g", "glossary.yaml", "--compiled", "out/g.compiled")
    assert "out/g.compiled: no compiled glossary there yet: compiled and written" in report[
        "notices"]
    assert (here / "out" / "g.compiled").exists()
    _, again = _check(article, "-g", "glossary.yaml", "--compiled", "out/g.compiled")
    assert not [n for n in again.get("notices", []) if "g.compiled" in n]
    assert again["files"] == report["files"]


def _notices(here: Path, paths: list[Path]) -> list[str]:
    notices: list[str] = []
    assert cache.open_artefact(here / "g.compiled", paths, notices) is None
    return notices


def test_a_changed_glossary_is_refused_and_rebuilt(
    here: Path, write_glossary: WriteGlossary
) -> None:
    _setup(write_glossary)
    cache.write_artefact([Path("glossary.yaml")], here / "g.compiled")
    write_glossary(PEOPLE.replace("Zelenskyy", "Zelenskiy"), "people.yaml")  # an included file
    assert _notices(here, [Path("glossary.yaml")]) == [
        "g.compiled: the glossary changed since it was compiled: rebuilt"]
    rebuilt = cache.load_artefact([Path("glossary.yaml")], here / "g.compiled", None)
    assert "Zelenskiy" in {f.text for f in check_text(rebuilt, "Zelenskiy spoke.", CORE)}
    notices: list[str] = []
    assert cache.open_artefact(here / "g.compiled", [Path("glossary.yaml")], notices)
    assert notices == []


def test_other_glossary_files_are_refused(here: Path, write_glossary: WriteGlossary) -> None:
    _setup(write_glossary)
    cache.write_artefact([Path("glossary.yaml")], here / "g.compiled")
    assert _notices(here, [Path("glossary.yaml"), Path("more.yaml")]) == [
        "g.compiled: compiled from other glossary files than glossary.yaml + more.yaml: rebuilt"]
    assert _notices(here, [Path("more.yaml")]) == [
        "g.compiled: compiled from other glossary files than more.yaml: rebuilt"]


def _rewrite_header(file: Path, **changes: Any) -> None:
    """The file with header fields changed, its checksum still right (a forged file)."""
    data = file.read_bytes()
    magic, fmt, hlen = cachefile._HEAD.unpack_from(data, 0)
    header = json.loads(data[cachefile._HEAD.size : cachefile._HEAD.size + hlen])
    header.update(changes)
    head = json.dumps(header).encode()
    file.write_bytes(cachefile._HEAD.pack(magic, fmt, len(head)) + head
                     + data[cachefile._HEAD.size + hlen :])


def test_another_version_or_build_is_refused(here: Path, write_glossary: WriteGlossary) -> None:
    _setup(write_glossary)
    file = here / "g.compiled"
    paths = [Path("glossary.yaml")]
    cache.write_artefact(paths, file)
    _rewrite_header(file, version="0.0.1")
    assert _notices(here, paths) == [
        f"g.compiled: compiled by glossary-check 0.0.1, this is {__version__}: rebuilt"]
    _rewrite_header(file, version="\x1b[31m" + "9" * 100)  # hostile: not echoed
    assert _notices(here, paths) == [
        f"g.compiled: compiled by glossary-check an unknown version, this is {__version__}: "
        "rebuilt"]
    _rewrite_header(file, version=__version__, key="another build")
    assert _notices(here, paths) == [
        f"g.compiled: compiled by another build of glossary-check {__version__} (or under "
        "another Python): rebuilt"]
    data = bytearray(file.read_bytes())
    struct_format = cachefile._HEAD.unpack_from(data, 0)
    cachefile._HEAD.pack_into(data, 0, struct_format[0], cachefile.FORMAT + 1, struct_format[2])
    file.write_bytes(bytes(data))
    assert _notices(here, paths) == [
        "g.compiled: not a compiled glossary this version can read (another version's, or "
        "damaged): rebuilt"]


@pytest.mark.parametrize("groups", [
    None, [], "glossary.yaml", [{"glossary": "glossary.yaml"}],
    [{"glossary": "glossary.yaml", "files": ["glossary.yaml", 3], "digest": "x"}],
    [{"glossary": "glossary.yaml", "files": ["/etc/passwd"], "digest": "x"}],
])
def test_a_forged_file_list_is_refused(
    here: Path, write_glossary: WriteGlossary, groups: Any
) -> None:
    _setup(write_glossary)
    cache.write_artefact([Path("glossary.yaml")], here / "g.compiled")
    _rewrite_header(here / "g.compiled", glossaries=groups)
    notices = _notices(here, [Path("glossary.yaml")])
    assert len(notices) == 1 and notices[0].endswith(": rebuilt")


def test_damaged_or_foreign_files_are_rebuilt(here: Path, write_glossary: WriteGlossary) -> None:
    _setup(write_glossary)
    file = here / "g.compiled"
    paths = [Path("glossary.yaml")]
    cache.write_artefact(paths, file)
    data = bytearray(file.read_bytes())
    data[-5] ^= 0xFF
    file.write_bytes(bytes(data))
    assert _notices(here, paths) == [
        "g.compiled: not a compiled glossary this version can read (another version's, or "
        "damaged): rebuilt"]
    file.write_text("entries: []\n")  # the YAML by mistake
    assert len(_notices(here, paths)) == 1
    cache.write_artefact(paths, file)
    os.chmod(file, 0o666)
    assert _notices(here, paths) == [f"cache file {file} is writable by other users: not read "
                                     "(rebuilt)"]
    os.chmod(file, 0o600)
    link = here / "link.compiled"
    link.symlink_to(file)
    notices: list[str] = []
    assert cache.open_artefact(link, paths, notices) is None
    assert notices == [f"cache file {link} is a symbolic link: not read"]


def test_compile_errors_are_one_line(
    here: Path, write_glossary: WriteGlossary, run_cli: RunCli
) -> None:
    write_glossary("version: 1\nentries:\n  - term: [Kyiv\n", "broken.yaml")
    status, out, err = run_cli("compile", "broken.yaml", "-o", "g.compiled", cwd=here)
    assert status == 2 and out == ""
    assert err.startswith("glossary-check: broken.yaml:4:1: bad YAML") and err.count("\n") == 1
    assert not (here / "g.compiled").exists()
    _setup(write_glossary)
    status, _, err = run_cli("compile", "glossary.yaml", "-o", "nowhere/g.compiled", cwd=here)
    assert status == 2
    assert err.startswith("glossary-check: nowhere/g.compiled: cannot write it there")
    assert err.count("\n") == 1


def test_compiled_from_the_configuration_file(
    here: Path, write_glossary: WriteGlossary
) -> None:
    _setup(write_glossary)
    (here / "sub").mkdir()
    (here / "glossary-check.toml").write_text(
        'glossary = "glossary.yaml"\ncompiled = "build/g.compiled"\n', encoding="utf-8")
    (here / "build").mkdir()
    os.chdir(here / "sub")
    article = here / "sub" / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    _, report = _check(article)
    assert "no compiled glossary there yet" in " ".join(report["notices"])
    assert (here / "build" / "g.compiled").exists()


def test_the_same_glossary_compiles_to_the_same_bytes_in_every_process(tmp_path: Path) -> None:
    """A build artefact a desk publishes or CI caches is reproducible: sets and hash
    buckets are written in a fixed order, not in the order a process's string hashes give."""
    import subprocess
    import sys

    bundled = Path(__file__).resolve().parents[1] / "glossary" / "newsroom.yaml"
    outputs = []
    for seed in (1, 2, 3):
        out = tmp_path / f"{seed}.compiled"
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        subprocess.run([sys.executable, "-m", "glossary_check", "compile", str(bundled),
                        "-o", str(out)], env=env, check=True, capture_output=True)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


def test_a_file_that_is_not_a_compiled_glossary_is_never_replaced(
    here: Path, write_glossary: WriteGlossary
) -> None:
    """`--compiled glossary.yaml` by mistake: the check runs on a glossary compiled in memory
    and the file named keeps every byte."""
    _setup(write_glossary)
    article = here / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    before = (here / "glossary.yaml").read_bytes()
    status, report = _check(article, "-g", "glossary.yaml", "--compiled", "glossary.yaml")
    assert (here / "glossary.yaml").read_bytes() == before
    assert "glossary.yaml: not replaced: a file there that is not a compiled glossary" in " ".join(
        report["notices"])
    assert status == 0 and report["files"][0]["findings"]


@pytest.mark.parametrize("where", ["../outside.compiled", "/tmp/outside.compiled",
                                   "link/outside.compiled"])
def test_a_configuration_may_not_aim_the_compiled_file_outside_its_folder(
    here: Path, write_glossary: WriteGlossary, run_cli: RunCli, where: str
) -> None:
    """A repository's configuration (a pull request's) must not make the checker write
    elsewhere on the machine; on the command line the user may name any place."""
    _setup(write_glossary)
    project = here / "project"
    project.mkdir()
    (project / "link").symlink_to(here)
    (project / "glossary-check.toml").write_text(
        f'glossary = "../glossary.yaml"\ncompiled = "{where}"\n', encoding="utf-8")
    (project / "a.txt").write_text(ARTICLE, encoding="utf-8")
    status, out, err = run_cli("a.txt", cwd=project)
    assert status == 2 and out == ""
    assert err == ("glossary-check: glossary-check.toml:2:1: compiled must name a file inside "
                   "the configuration's folder (a configuration may not write elsewhere; use "
                   "--compiled FILE)\n")
    assert not (here / "outside.compiled").exists()


def _check_forms(article: Path, *args: str) -> dict[str, Any]:
    """The report of `source-form` alone, the rule that reads the morphology's keys."""
    out = article.parent / "forms.json"
    assert main([*args, "--select", "source-form", "-f", "json", "--fail-on", "never",
                 "-o", str(out), str(article)]) == 0
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def _counting_keys(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every time the morphology's keys are made from the glossary, counted."""
    from glossary_check.engine import morphology

    made: list[int] = []
    build = morphology.build_form_keys

    def counted(glossary: Any) -> Any:
        made.append(len(glossary.entries))
        return build(glossary)

    monkeypatch.setattr(morphology, "build_form_keys", counted)
    return made


def test_the_compiled_file_holds_the_keys_of_the_source_forms(
    here: Path, write_glossary: WriteGlossary, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A runner that restores the compiled file, its cache empty, analyses no more than a
    run with both: the keys of the source forms come from the file."""
    _setup(write_glossary)
    article = here / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    made = _counting_keys(monkeypatch)
    assert main(["compile", "glossary.yaml", "-o", "g.compiled"]) == 0
    assert made == [3]
    plain = _check_forms(article, "-g", "glossary.yaml", "--no-cache")
    assert [f["text"] for f in plain["files"][0]["findings"]] == ["В Киеве"]
    made.clear()
    report = _check_forms(article, "-g", "glossary.yaml", "--compiled", "g.compiled")
    assert made == []
    assert report["files"] == plain["files"]
    assert not [n for n in report.get("notices", []) if "g.compiled" in n]


@pytest.mark.parametrize("forged", ["analysers", "glossary"])
def test_keys_made_otherwise_are_made_again(
    here: Path, write_glossary: WriteGlossary, monkeypatch: pytest.MonkeyPatch, forged: str
) -> None:
    """Keys made by other analysers or morphology code, or said to be of another glossary,
    are not used: the run makes its own, and finds the same."""
    _setup(write_glossary)
    article = here / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    assert main(["compile", "glossary.yaml", "-o", "g.compiled"]) == 0
    plain = _check_forms(article, "-g", "glossary.yaml", "--no-cache")
    assert plain["files"][0]["findings"]
    if forged == "analysers":
        monkeypatch.setattr(cache, "_morphology_key", lambda: "other analysers")
    else:
        header = cachefile.open_file(here / "g.compiled", cache.ARTEFACT, None).header
        _rewrite_header(here / "g.compiled",
                        morphology={**header[cache.MORPHOLOGY], "digest": "another glossary"})
    made = _counting_keys(monkeypatch)
    report = _check_forms(article, "-g", "glossary.yaml", "--compiled", "g.compiled")
    assert made == [3]
    assert report["files"] == plain["files"]
