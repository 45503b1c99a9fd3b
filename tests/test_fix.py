"""--fix and --diff: what gets written, what never is, and the file kept as it was otherwise."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Protocol

import pytest

from conftest import CORE_ARGS, RunCli, WriteGlossary
from glossary_check.commands.cli import main
from glossary_check.core.findings import Applicability, Finding, Severity
from glossary_check.documents import read_document
from glossary_check.workflow.fixes import apply_edits, escape, plan, unified_diff

GLOSSARY = """\
version: 1
language: en
entries:
  - term: Kyiv
    variants: [Kiev]
  - term: TASS
    variants: [ITAR-TASS]
  - term: Élysée Palace
    variants: [Elysee Palace]
  - term: AT&T <Wireless>
    variants: [ATT Wireless]
  - term: Zelensky
    kind: person
  - term: Qux
    variants: [Bar Baz]
  - term: Baz
    variants: [Foo]
"""


class Cli(Protocol):
    def __call__(self, *args: str) -> tuple[int, str, str]: ...


@pytest.fixture
def glossary(write_glossary: WriteGlossary) -> Path:
    return write_glossary(GLOSSARY)


@pytest.fixture
def cli(glossary: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Cli:
    """Run the command line in-process in tmp_path: (status, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["-g", str(glossary), *CORE_ARGS, "--no-config", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- plain text ---------------------------------------------------------------------------------


def test_fix_plain_text_keeps_bom_crlf_missing_newline_and_mode(cli: Cli, tmp_path: Path) -> None:
    text = ("\ufeffКиїв — Kiev, Tass і ITAR-TASS.\r\n"
            "In KIEV, said Zelenksy\u00a0today: café\u0301\r\nend")
    article = write(tmp_path / "a.txt", text.encode())
    article.chmod(0o640)
    code, out, err = cli("--fix", str(article))
    assert err == ""
    assert article.read_bytes() == (
        "\ufeffКиїв — Kyiv, TASS і TASS.\r\nIn Kyiv, said Zelenksy\u00a0today: café\u0301\r\nend"
    ).encode()
    assert stat.S_IMODE(article.stat().st_mode) == 0o640
    assert "fixed 4 findings in 1 file" in out
    # the unsafe one (a near miss) remains, and is what the report shows
    assert "a.txt:2:15: warning[inconsistent] 'Zelenksy'" in out and code == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".a.txt")] == []


def test_fix_twice_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    article = write(tmp_path / "a.txt", b"Kiev and KIEV and Bar Foo.\n")
    cli("--fix", str(article))
    once = article.read_bytes()
    assert once == b"Kyiv and Kyiv and Qux.\n"  # Bar Foo -> Bar Baz -> Qux: a fix made a new match
    before = article.stat().st_mtime_ns
    code, out, _ = cli("--fix", str(article))
    assert article.read_bytes() == once and article.stat().st_mtime_ns == before
    assert "fixed 0 findings in 0 files" in out and code == 0
    assert cli("--diff", str(article))[:2] == (0, "")


def test_unsafe_fixes_only_when_asked(cli: Cli, tmp_path: Path) -> None:
    article = write(tmp_path / "a.txt", b"Zelenksy met Zelensky in Kiev.\n")
    cli("--fix", str(article))
    assert article.read_bytes() == b"Zelenksy met Zelensky in Kyiv.\n"
    code, out, _ = cli("--fix", "--unsafe-fixes", str(article))
    assert article.read_bytes() == b"Zelensky met Zelensky in Kyiv.\n"
    assert code == 0 and "0 findings" in out


# --- markup -------------------------------------------------------------------------------------


def test_fix_html_keeps_markup_entities_and_escapes(cli: Cli, tmp_path: Path) -> None:
    page = ('<p title="Kiev">Elysee&nbsp;Palace and <b>Elysee</b> Palace, &#1050;yiv, '
            "ATT Wireless &amp; Kiev</p>\n"
            "<!-- Kiev --><script>var Kiev;</script><code>Kiev</code>\n")
    article = write(tmp_path / "a.html", page.encode())
    code, _, err = cli("--fix", str(article))
    assert (code, err) == (0, "")
    assert article.read_text(encoding="utf-8") == (
        '<p title="Kyiv">Élysée&nbsp;Palace and <b>Élysée</b> Palace, Kyiv, '
        "AT&amp;T &lt;Wireless&gt; &amp; Kyiv</p>\n<!-- Kiev --><script>var Kiev;</script>"
        "<code>Kiev</code>\n")


def test_fix_markdown_keeps_emphasis_line_breaks_code_and_links(cli: Cli, tmp_path: Path) -> None:
    text = ("# Kiev\n\n*Elysee* Palace and Elysee\nPalace, `Kiev` [Kiev](https://kiev.example/) "
            "![Kiev](kiev.png) ATT Wireless\n")
    article = write(tmp_path / "a.md", text.encode())
    cli("--fix", str(article))
    assert article.read_text(encoding="utf-8") == (
        "# Kyiv\n\n*Élysée* Palace and Élysée\nPalace, `Kiev` [Kyiv](https://kiev.example/) "
        "![Kyiv](kiev.png) AT&T \\<Wireless\\>\n")


def test_escape_per_format() -> None:
    assert escape('AT&T <"x">', "html") == "AT&amp;T &lt;&quot;x&quot;&gt;"
    assert escape("a_b*c", "markdown") == "a\\_b\\*c"
    assert escape("a_b <c>", "text") == "a_b <c>"


def test_a_span_with_a_tag_inside_is_left_alone() -> None:
    text = "<p>Elysee <i>Pal</i>ace</p>"
    document = read_document("a.html", text.encode())
    finding = Finding("variant", Severity.ERROR, 3, len("Elysee <i>Pal</i>ace"),
                      "Elysee <i>Pal</i>ace", "m", suggestion="Élysée Palace",
                      applicability=Applicability.SAFE)
    edits, fixed = plan(document, [finding])
    assert apply_edits(text, edits) == "<p>Élysée <i>Pal</i>ace</p>" and fixed == 1
    whole = Finding("variant", Severity.ERROR, 3, len("Elysee <i>Pal</i>ace"),
                    "Elysee <i>Pal</i>ace", "m", suggestion="Elysium",
                    applicability=Applicability.SAFE)
    assert plan(document, [whole]) == ([], 0)  # words do not line up and a tag is inside


def test_overlapping_fixes_resolved_by_offset_then_length() -> None:
    text = "abc def ghi"
    document = read_document("a.txt", text.encode())

    def f(offset: int, length: int, suggestion: str, rule: str = "variant") -> Finding:
        return Finding(rule, Severity.ERROR, offset, length, text[offset:offset + length], "m",
                       suggestion=suggestion, applicability=Applicability.SAFE)

    findings = [f(4, 3, "DEF"), f(0, 7, "X Y"), f(8, 3, "GHI"), f(0, 3, "ABC"), f(5, 6, "Z")]
    edits, fixed = plan(document, findings)
    assert apply_edits(text, edits) == "X Y GHI" and fixed == 2
    assert plan(document, list(reversed(findings))) == (edits, fixed)


# --- what is never touched -------------------------------------------------------------------


def test_read_only_file_is_an_error_and_unchanged(cli: Cli, tmp_path: Path) -> None:
    article = write(tmp_path / "a.txt", b"Kiev.\n")
    article.chmod(0o444)
    code, out, err = cli("--fix", str(article))
    assert code == 2
    assert err == f"glossary-check: {article}: cannot write fixes: the file is read-only\n"
    assert article.read_bytes() == b"Kiev.\n"
    assert "error[variant]" in out  # what was found is still reported


def test_unparsable_file_is_never_touched(cli: Cli, tmp_path: Path) -> None:
    broken = write(tmp_path / "bad.txt", b"Kiev \xff\xfe Kiev\n")
    good = write(tmp_path / "good.txt", b"Kiev\n")
    code, _, err = cli("--fix", str(broken), str(good))
    assert code == 2 and "bad.txt:1:6: not valid UTF-8" in err
    assert broken.read_bytes() == b"Kiev \xff\xfe Kiev\n"
    assert good.read_bytes() == b"Kyiv\n"


def test_symlink_is_fixed_through(cli: Cli, tmp_path: Path) -> None:
    target = write(tmp_path / "real.txt", b"Kiev\n")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    cli("--fix", str(link))
    assert link.is_symlink() and target.read_bytes() == b"Kyiv\n"


# --- --diff ------------------------------------------------------------------------------------


def test_diff_writes_nothing_and_applies_as_the_fix_would(cli: Cli, tmp_path: Path) -> None:
    original = b"one\r\nKiev two\r\nthree\nfour\nfive\nsix\nseven\nITAR-TASS eight"
    article = write(tmp_path / "a.txt", original)
    code, patch, _ = cli("--diff", str(article))
    assert code == 1 and article.read_bytes() == original
    assert patch.startswith(f"--- a/{article}\n+++ b/{article}\n")
    assert "\\ No newline at end of file\n" in patch
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(article, copy / "a.txt")
    cli("--fix", str(article))
    relative = patch.replace(f"a/{article}", "a/a.txt").replace(f"b/{article}", "b/a.txt")
    subprocess.run(["git", "apply", "--whitespace=nowarn", "-"], input=relative.encode(), cwd=copy,
                   check=True)
    assert (copy / "a.txt").read_bytes() == article.read_bytes()


def test_unified_diff_marks_a_missing_final_newline() -> None:
    assert unified_diff("x", "a\nb", "a\nc") == (
        "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n"
        "+c\n\\ No newline at end of file\n")


def test_fix_standard_input_prints_the_fixed_text(glossary: Path, run_cli: RunCli) -> None:
    code, out, err = run_cli("-g", str(glossary), *CORE_ARGS, "--fix", "--stdin-filename",
                             "a.md", "-", input="# Kiev\n\nSee `Kiev`.\n")
    assert out == "# Kyiv\n\nSee `Kiev`.\n"
    assert "fixed 1 finding in 1 file" in err and code == 0


def test_fix_leaves_permissions_of_an_executable_alone(cli: Cli, tmp_path: Path) -> None:
    article = write(tmp_path / "a.txt", b"Kiev\n")
    os.chmod(article, 0o751)
    cli("--fix", str(article))
    assert stat.S_IMODE(article.stat().st_mode) == 0o751 and article.read_bytes() == b"Kyiv\n"


def test_suppressed_findings_are_not_fixed(cli: Cli, tmp_path: Path) -> None:
    kept = b"Kiev, said the 1990 sign. glossary-check: ignore\n"
    article = write(tmp_path / "a.txt", kept + b"Kiev.\n")
    cli("--fix", str(article))
    assert article.read_bytes() == kept + b"Kyiv.\n"


def test_an_edit_saved_while_fixing_is_not_overwritten(tmp_path: Path) -> None:
    from glossary_check.workflow.fixes import FixError, write_atomic

    article = tmp_path / "a.txt"
    article.write_bytes(b"Kiev, the editor's newer text.\n")
    with pytest.raises(FixError, match="changed while it was being fixed"):
        write_atomic(str(article), b"Kyiv.\n", expected=b"Kiev.\n")
    assert article.read_bytes() == b"Kiev, the editor's newer text.\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]  # no temporary file left
    write_atomic(str(article), b"Kyiv, the editor's newer text.\n",
                 expected=b"Kiev, the editor's newer text.\n")
    assert article.read_bytes() == b"Kyiv, the editor's newer text.\n"


def test_fixed_standard_input_keeps_its_bom_and_line_endings(
    glossary: Path, tmp_path: Path
) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "glossary_check", "-g", str(glossary), *CORE_ARGS, "--no-config",
         "--fix", "-"],
        input=b"\xef\xbb\xbfKiev\r\nsaid Kiev\r\n", capture_output=True, cwd=tmp_path, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"\xef\xbb\xbfKyiv\r\nsaid Kyiv\r\n"
