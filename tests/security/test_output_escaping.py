"""What the checker prints cannot be steered by what it reads.

Articles, file names, glossaries and cached translations are hostile input:
their control characters (C0, DEL, C1) and bidi controls reach a terminal or
a CI log only as visible escapes (`\\x1b`, `<U+202E>`), no file name can
start a GitHub workflow command of its own, a long line is quoted as a
window around its finding, and a glossary rendering cannot hold a character
nobody would see.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CORE, CORE_ARGS, RunCli, WriteGlossary, check_text
from glossary_check import __version__
from glossary_check.core.findings import FileResult, Finding, Severity
from glossary_check.core.visible import escape
from glossary_check.engine.compiled import Compiled
from glossary_check.engine.glossary import GlossaryError, load_glossary
from glossary_check.report import Run, github_report, text_report
from glossary_check.report.progress import Progress

ESC = "\x1b"
RLO = "\u202e"
#: Any character the output must never hold as itself (tab and newline aside).
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
ARGS = (*CORE_ARGS, "--no-translate", "--color", "never")


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def quoted(out: str, header: int) -> tuple[str, str]:
    """The quoted line and the caret line under the finding whose header is line `header`."""
    lines = out.splitlines()
    return lines[header + 1], lines[header + 2]


def underlined(line: str, carets: str) -> str:
    """The part of `line` the carets stand under (both as printed, one cell a code point)."""
    start = carets.index("^")
    return line[start:start + carets.count("^")]


# --- the text report ------------------------------------------------------------------------


def test_escape_sequences_in_an_article_are_shown_not_sent(
    run_cli: RunCli, tmp_path: Path,
) -> None:
    write(tmp_path / "a.txt", f"Talks {RLO}in \x1b[2K\x1b]0;owned\x07\x9b31m Kiev.\n")
    code, out, err = run_cli(*ARGS, "a.txt")
    assert code == 1 and err == ""
    assert RAW.search(out) is None, out
    line, carets = quoted(out, 0)
    assert line == "    Talks <U+202E>in \\x1b[2K\\x1b]0;owned\\x07\\x9b31m Kiev."
    assert underlined(line, carets) == "Kiev"


def test_with_colour_on_the_only_escape_sequences_are_colours(
    tmp_path: Path, run_cli: RunCli,
) -> None:
    write(tmp_path / "a.txt", "Talks in \x1b[8m Kiev \x1b[0m.\n")
    _, out, _ = run_cli(*ARGS[:-2], "--color", "always", "a.txt")
    assert set(re.findall("\x1b[^m]*m", out)) <= {"\x1b[0m", "\x1b[1m", "\x1b[31m"}
    assert out.count(ESC) == len(re.findall("\x1b\\[\\d+m", out))
    assert "\\x1b[8m" in out


def run_of(findings: list[Finding], text: str, path: str = "a.txt",
           notices: tuple[str, ...] = ()) -> Run:
    result = FileResult(path, "en", text, findings)
    return Run(__version__, "g.yaml", 1, [result], list(notices))


def test_notices_suggestions_and_cached_translations_are_escaped() -> None:
    text = "Новости дня\n"
    finding = Finding("untranslated", Severity.WARNING, 0, 7, "Новости", "untranslated span",
                      suggestion="News\x1b[2J", translation=f"News{RLO}\x1b]0;owned\x07")
    run = run_of([finding], text, notices=("model\x1b[1A missing\nforged line",))
    out = text_report.render(run)
    assert RAW.search(out) is None
    assert "    = suggestion: News\\x1b[2J\n" in out
    assert "    = machine translation: News<U+202E>\\x1b]0;owned\\x07\n" in out
    assert "note: model\\x1b[1A missing\\nforged line\n" in out


def test_carets_stay_under_the_finding_after_escapes_tabs_and_wide_letters() -> None:
    text = "日本\x1b\t\u202eКи\u0301ев, Kiev\n"
    at = text.index("Kiev")
    run = run_of([Finding("variant", Severity.ERROR, at, 4, "Kiev", "m")], text)
    line, carets = text_report.render(run).splitlines()[1:3]
    assert line == "    日本\\x1b <U+202E>Ки\u0301ев, Kiev"
    # 日本 take two cells each, the combining accent none: the carets count cells.
    assert carets == " " * (4 + 4 + len("\\x1b <U+202E>") + len("Киев, ")) + "^^^^"


# --- long lines -----------------------------------------------------------------------------


def test_a_long_line_is_quoted_as_a_window_with_the_caret_in_place(bundled: Compiled) -> None:
    text = "".join(f"Kiev {i}, " for i in range(2000)) + "\n"  # 20 KB on one line, no repeats
    findings = check_text(bundled, text, CORE)
    assert len(findings) == 2000
    out = text_report.render(run_of(findings, text))
    assert len(out.encode()) < 400 * len(findings)  # whole-line copies would be 40 MB
    for n, finding in enumerate(findings):
        line, carets = quoted(out, 4 * n)
        assert len(line) <= 4 + text_report.QUOTE_WIDTH + 2
        assert underlined(line, carets) == "Kiev"
        # What is printed before and after the caret is the file's text around the finding.
        before, after = line[4:carets.index("^")], line[carets.index("^"):]
        assert text[:finding.offset].endswith(before.removeprefix("…"))
        assert text[finding.offset:].startswith(after.removesuffix("…"))
        assert before.startswith("…") == (len(before.removeprefix("…")) < finding.offset)
        rest = len(text) - 1 - finding.offset  # to the end of the line
        assert after.endswith("…") == (len(after.removesuffix("…")) < rest)
    assert out.splitlines()[-1].startswith("2000 findings")


def test_the_command_prints_a_bounded_report_for_an_amplifying_article(
    run_cli: RunCli, tmp_path: Path,
) -> None:
    write(tmp_path / "a.txt", "Kiev " * 4000 + "\n")  # 20 KB
    code, out, _ = run_cli(*ARGS, "a.txt")
    assert code == 1 and out.count("error[variant]") == 4000
    assert len(out) < 2_000_000  # one whole-line copy per finding would be 80 MB
    assert max(len(line) for line in out.splitlines()) < 200


@pytest.mark.parametrize(("line", "start", "stop", "shown", "carets"), [
    # at the end of a long line: cut on the left only
    ("x" * 300 + "Kiev", 300, 304, "…" + "x" * 96 + "Kiev", " " * 97 + "^^^^"),
    # at the start: cut on the right only
    ("Kiev" + "x" * 300, 0, 4, "Kiev" + "x" * 96 + "…", "^^^^"),
    # a span longer than the window: its beginning, with the underline marked as going on
    ("y" * 10 + "z" * 500, 10, 510, "…" + "z" * 100 + "…", " " + "^" * 100 + "…"),
    # a cut never leaves a combining accent without its letter
    ("е\u0301" * 60 + "Kiev" + "x" * 100, 120, 124, None, None),
])
def test_window_bounds(
    line: str, start: int, stop: int, shown: str | None, carets: str | None,
) -> None:
    text = line + "\n"
    run = run_of([Finding("variant", Severity.ERROR, start, stop - start, line[start:stop], "m")],
                 text)
    got_line, got_carets = (s[4:] for s in text_report.render(run).splitlines()[1:3])
    if shown is not None:
        assert (got_line, got_carets) == (shown, carets)
    else:
        assert got_line.startswith("…е") and "Kiev" in got_line
    lo, hi = text_report.window(line, start, stop)
    assert hi - lo <= text_report.QUOTE_WIDTH


# --- standard error, file names and workflow commands ---------------------------------------

FORGED = "a\n::error file=x.txt,line=1::forged\x1b[2K.txt"


def unescape_property(value: str) -> str:
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        value = value.replace(escaped, char)
    return value


def test_a_file_name_cannot_forge_a_workflow_command_or_move_the_cursor(
    run_cli: RunCli, tmp_path: Path,
) -> None:
    (tmp_path / FORGED).write_bytes(b"Kyiv \xff\n")  # unreadable: said on standard error
    write(tmp_path / "b\x1b]0;x\x07.txt", "Talks in Kiev.\n")
    for fmt in ("text", "github", "json"):
        code, out, err = run_cli(*ARGS[:-2], "-f", fmt, FORGED, "b\x1b]0;x\x07.txt")
        assert code == 2
        assert err.count("\n") == 1 and err.startswith("glossary-check: a\\n::error file=x.txt")
        assert RAW.search(err) is None
        assert not any(line.startswith("::") for line in err.splitlines())
        if fmt == "text":
            assert RAW.search(out) is None
            assert "b\\x1b]0;x\\x07.txt:1:10: error[variant]" in out
        if fmt == "github":
            commands = out.splitlines()
            assert len(commands) == 2 and all(c.startswith("::error file=") for c in commands)
            forged, found = commands
            assert forged.startswith(
                "::error file=a%0A%3A%3Aerror file=x.txt%2Cline=1%3A%3Aforged\x1b[2K.txt,")
            # Read back as the runner reads it: one command, naming the file exactly.
            head = forged.removeprefix("::error ").partition("::")[0]
            props = dict(part.split("=", 1) for part in head.split(","))
            assert unescape_property(props["file"]) == FORGED
            assert props["title"] == "glossary-check"
            assert found.startswith("::error file=b\x1b]0;x\x07.txt,line=1,col=10")


def test_github_messages_keep_line_breaks_as_escapes_and_show_controls() -> None:
    command = github_report.command("error", {"file": "a\nb.txt"}, "x\x1b[2Jy\r\n%z" + RLO)
    assert command == "::error file=a%0Ab.txt::x\\x1b[2Jy%0D%0A%25z<U+202E>"


def test_an_unknown_argument_is_quoted_escaped(run_cli: RunCli) -> None:
    code, _, err = run_cli("--\x1b[2Jx", "a.txt")
    assert code == 2 and "unrecognized arguments: --\\x1b[2Jx" in err and ESC not in err


def test_a_file_name_that_is_not_utf8_is_reported_in_every_format(tmp_path: Path) -> None:
    raw = b"caf\xe9 \x1b[2J.txt"
    name = raw.decode("utf-8", "surrogateescape")
    (tmp_path / name).write_bytes(b"Talks in Kiev.\n")
    for fmt in ("text", "json", "sarif", "github", "rdjsonl", "html"):
        for to_file in (False, True):
            output = ["-o", f"report.{fmt}"] if to_file else []
            proc = subprocess.run(
                [sys.executable, "-m", "glossary_check", *ARGS[:-2], "-f", fmt, *output, name],
                cwd=tmp_path, capture_output=True, check=False, timeout=300,
                env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "GLOSSARY_CHECK_CACHE_DIR":
                     str(tmp_path / "cache")},
            )
            assert (proc.returncode, proc.stderr) == (1, b""), (fmt, proc.stderr)
            data = (tmp_path / f"report.{fmt}").read_bytes() if to_file else proc.stdout
            report = data.decode("utf-8")  # valid UTF-8 whatever the name
            if fmt == "text":
                assert report.startswith("caf<U+DCE9> \\x1b[2J.txt:1:10: error[variant]")
            if fmt == "json":  # JSON gives the name back as Python reads it from the disk
                assert json.loads(report)["files"][0]["path"] == name
            if fmt == "sarif":
                uri = json.loads(report)["runs"][0]["artifacts"][0]["location"]["uri"]
                assert uri == "caf%E9%20%1B%5B2J.txt"
            if fmt == "rdjsonl":
                assert json.loads(report.splitlines()[0])["location"]["path"] == name
            if fmt == "github":
                assert report.startswith("::error file=caf<U+DCE9> \x1b[2J.txt,line=1,col=10,")


# --- the progress bar -----------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_shows_file_names_escaped() -> None:
    out = Terminal()
    Progress(2, out, width=80).advance(f"a\x1b[2Jb{RLO}.md")
    drawn = out.getvalue()
    assert drawn.endswith(" 1/2 a\\x1b[2Jb<U+202E>.md\x1b[K")
    assert drawn.count(ESC) == 1  # the bar's own erase-to-end-of-line


# --- glossary renderings --------------------------------------------------------------------

HIDDEN = [
    ("\\u202e", "U+202E"), ("\\u2066", "U+2066"), ("\\u200e", "U+200E"), ("\\u061c", "U+061C"),
    ("\\u200b", "U+200B"), ("\\u200d", "U+200D"), ("\\u2060", "U+2060"), ("\\ufeff", "U+FEFF"),
    ("\\e", "U+001B"), ("\\x07", "U+0007"), ("\\x9b", "U+009B"), ("\\x7f", "U+007F"),
]
FIELDS = {
    "term": 'term: "{x}Kyiv"',
    "alias": 'aliases: ["Ky{x}iv"]',
    "variant": 'variants: ["Ki{x}ev"]',
    "fix": 'variants: [{{Kiev: "Ky{x}iv"}}]',
    "except": 'except: ["Kiev {x}Post"]',
}


@pytest.mark.parametrize(("escape_text", "shown"), HIDDEN)
@pytest.mark.parametrize("field", sorted(FIELDS))
def test_a_rendering_with_an_invisible_character_is_refused_where_it_is_written(
    write_glossary: WriteGlossary, field: str, escape_text: str, shown: str,
) -> None:
    text = FIELDS[field].format(x=escape_text)
    body = f"entries:\n  - {text}\n" if field == "term" else (
        f"entries:\n  - term: Kyiv\n    {text}\n")
    path = write_glossary(body)
    line = body.count("\n")  # the field is on the last line, its string the quoted one
    column = body.splitlines()[-1].index('"') + 1
    with pytest.raises(GlossaryError) as caught:
        load_glossary(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}:{column}: "), message
    assert f"holds {shown}, a control or invisible character" in message
    assert RAW.search(message) is None


def test_ordinary_renderings_still_load(write_glossary: WriteGlossary) -> None:
    path = write_glossary("""
        entries:
          - term: "Élysée Palace"
            aliases: ["Київ", "Zelensky’s office", "Ki\u0301ev"]
            variants: [{Elysee Palace: "Élysée Palace"}]
            except: ["Kiev Post"]
    """)
    assert load_glossary(path).entries[0].aliases == ("Київ", "Zelensky’s office", "Ki\u0301ev")


def test_fix_writes_no_bidi_control_into_articles(
    run_cli: RunCli, write_glossary: WriteGlossary, tmp_path: Path,
) -> None:
    write_glossary('entries:\n  - term: "\\u202e Kyiv"\n    variants: [Kiev]\n')
    article = write(tmp_path / "a.txt", "Talks in Kiev, Kiev and Kiev.\n")
    code, out, err = run_cli("--fix", "-g", "glossary.yaml", *CORE_ARGS, "a.txt")
    assert (code, out) == (2, "")
    assert err == ("glossary-check: glossary.yaml:2:11: term '\\u202e Kyiv' holds U+202E, "
                   "a control or invisible character\n")
    assert article.read_text(encoding="utf-8") == "Talks in Kiev, Kiev and Kiev.\n"


def test_escape_leaves_ordinary_text_alone() -> None:
    text = "Київ, Élysée, 日本, “quotes” — and\u00a0NBSP, e\u0301"
    assert escape(text) == text
    assert escape("a\tb\nc\rd\x00\x7f\x85") == "a\\tb\\nc\\rd\\x00\\x7f\\x85"
    assert escape("a\nb", keep="\n") == "a\nb"


def test_the_effective_configuration_is_shown_escaped(run_cli: RunCli, tmp_path: Path) -> None:
    write(tmp_path / "glossary-check.toml", 'glossary = "g\\u001b]0;owned\\u0007.yaml"\n')
    code, out, _ = run_cli("config")
    assert code == 0 and RAW.search(out) is None and "g\\x1b]0;owned\\x07.yaml" in out


def test_a_diff_quotes_a_hostile_file_name_as_git_does(run_cli: RunCli, tmp_path: Path) -> None:
    name = 'a\n::error file=x::forged\x1b[2J "q" \\ Київ.txt'
    write(tmp_path / name, "Talks in Kiev.\n")
    write(tmp_path / "Київ.txt", "Talks in Kiev.\n")
    code, out, err = run_cli(*ARGS, "--diff", name, "Київ.txt")
    assert (code, err) == (1, "")
    assert RAW.search(out) is None and not any(line.startswith("::") for line in out.splitlines())
    assert out.startswith('--- "a/a\\n::error file=x::forged\\033[2J \\"q\\" \\\\ '
                          '\\320\\232\\320\\270\\321\\227\\320\\262.txt"\n')
    assert "--- a/Київ.txt\n+++ b/Київ.txt\n" in out  # ordinary names stay readable
    if shutil.which("git") is None:
        return
    git = ["git", "-c", "core.quotePath=true"]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "apply"], cwd=tmp_path, input=out.encode(), check=True)
    assert (tmp_path / name).read_text(encoding="utf-8") == "Talks in Kyiv.\n"
    assert (tmp_path / "Київ.txt").read_text(encoding="utf-8") == "Talks in Kyiv.\n"
