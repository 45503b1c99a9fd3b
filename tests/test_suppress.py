"""Suppression comments: ignore (next block / line), disable-enable regions, unused directives."""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from conftest import CORE_ARGS, LANGUAGE_RULES, RunCli, WriteGlossary, python_output
from glossary_check.core.findings import Finding, Severity
from glossary_check.documents import BLOCK_BREAK, Blocks, Comments, Document, read_document
from glossary_check.documents.html import BLOCK_ELEMENTS, VOID_ELEMENTS
from glossary_check.engine.compiled import compile_all
from glossary_check.engine.glossary import load_glossary
from glossary_check.rules.pipeline import Settings
from glossary_check.workflow import suppress
from glossary_check.workflow.runner import check_file
from glossary_check.workflow.suppress import Directive, apply, directives

GLOSSARY = """\
version: 1
language: en
entries:
  - term: Kyiv
    variants: [Kiev]
  - term: TASS
    variants: [ITAR-TASS]
"""
RULES = {"variant", "case", "mixed-script", "inconsistent"}


def fake(text: str, word: str = "Kiev", rule: str = "variant") -> list[Finding]:
    """A finding for every occurrence of `word` (the filter only reads rule and offset)."""
    return [Finding(rule, Severity.ERROR, m.start(), len(word), word, "m")
            for m in re.finditer(re.escape(word), text)]


def doc(text: str, fmt: str) -> Document:
    """The document as its reader records it: suppression reads nothing else."""
    return read_document(f"a.{fmt}", text.encode("utf-8"), fmt)


def lines_of(text: str, findings: Sequence[Finding | Directive]) -> list[int]:
    return [text.count("\n", 0, f.offset) + 1 for f in findings]


def run(text: str, fmt: str) -> tuple[list[int], list[int], list[str]]:
    """Lines of kept and of suppressed findings, and 'line: message' of unused directives."""
    out = apply(doc(text, fmt), fake(text), known=RULES, active=RULES)
    unused = [f"{lines_of(text, [u.directive])[0]}: {u.message()}" for u in out.unused]
    return lines_of(text, out.kept), lines_of(text, out.suppressed), unused


# --- plain text -------------------------------------------------------------------------------


def test_text_trailing_directive_covers_its_own_line() -> None:
    text = "Kiev one. glossary-check: ignore[variant]\nKiev two.\n"
    assert run(text, "text")[:2] == ([2], [1])


def test_text_directive_alone_covers_the_next_non_blank_line() -> None:
    text = "# glossary-check: ignore -- quoting a 1990s headline\n\nKiev two\nKiev three\n"
    assert run(text, "text")[:2] == ([4], [3])


def test_text_directive_on_the_last_line_with_nothing_after_is_reported() -> None:
    kept, suppressed, unused = run("Kiev.\n// glossary-check: ignore\n", "text")
    assert (kept, suppressed) == ([1], [])
    assert unused == ["2: 'glossary-check: ignore': nothing follows it to suppress."]


def test_text_directive_names_only_some_rules() -> None:
    text = "Kiev and Tass. glossary-check: ignore[case]\n"
    findings = fake(text) + fake(text, "Tass", "case")
    out = apply(doc(text, "text"), findings, known=RULES)
    assert [f.rule for f in out.kept] == ["variant"]
    assert [f.rule for f in out.suppressed] == ["case"]


def test_text_disable_enable_region_anywhere_on_a_line() -> None:
    text = ("Kiev 1\nnotes: glossary-check: disable[variant] (a quoted letter)\nKiev 3\nKiev 4\n"
            "glossary-check: enable[variant]\nKiev 6\n")
    assert run(text, "text")[:2] == ([1, 6], [3, 4])


def test_bare_disable_runs_to_the_end_of_the_file() -> None:
    assert run("Kiev\nglossary-check: disable\nKiev\n\nKiev", "text")[:2] == ([1], [3, 5])


def test_enable_one_rule_inside_a_bare_disable() -> None:
    text = "glossary-check: disable\nKiev Tass\nglossary-check: enable[case]\nKiev Tass\n"
    findings = sorted(fake(text) + fake(text, "Tass", "case"), key=lambda f: f.offset)
    out = apply(doc(text, "text"), findings, known=RULES)
    assert [(f.rule, lines_of(text, [f])[0]) for f in out.kept] == [("case", 4)]


def test_crlf_cyrillic_and_no_final_newline() -> None:
    text = ("Київ і Kiev. glossary-check: ignore[variant]\r\nKiev — знову\r\n"
            "glossary-check: ignore\r\nKiev")
    assert run(text, "text")[:2] == ([2], [1, 4])


# --- Markdown -------------------------------------------------------------------------------


MARKDOWN = """\
# Kiev in a heading

<!-- glossary-check: ignore[variant] -- the 2014 headline, quoted -->
Kiev in the next paragraph,
which runs on: Kiev.

Kiev after it.

> <!-- glossary-check: ignore -->
> Kiev quoted.
>
> Kiev quoted, next paragraph.

- Kiev item <!-- glossary-check: ignore --> inline
- Kiev item two

<!-- glossary-check: ignore[variant] -->
<!-- glossary-check: ignore[case] -->
Kiev under two comments.

```html
<!-- glossary-check: ignore -->
```
Kiev after code.
"""


def test_markdown_ignore_covers_the_next_block_only() -> None:
    kept, suppressed, unused = run(MARKDOWN, "markdown")
    assert suppressed == [4, 5, 10, 14, 19]
    assert kept == [1, 7, 12, 15, 24]
    # the [case] one suppressed nothing; the comment inside the code block is no directive
    assert unused == ["18: 'glossary-check: ignore[case]' suppresses nothing; remove it."]


def test_markdown_directive_in_code_is_not_a_directive() -> None:
    assert directives(doc("```\n<!-- glossary-check: ignore -->\n```\nKiev\n", "markdown")) == []
    assert directives(doc("`<!-- glossary-check: ignore -->` Kiev\n", "markdown")) == []


def test_markdown_disable_region() -> None:
    text = ("Kiev\n\n<!-- glossary-check: disable -->\n\nKiev\n\nKiev\n\n"
            "<!-- glossary-check: enable -->\n\nKiev\n")
    assert run(text, "markdown")[:2] == ([1, 11], [5, 7])


# --- HTML -----------------------------------------------------------------------------------


HTML = """\
<html><body>
<h1>Kiev</h1>
<!-- glossary-check: ignore[variant] -->
<p>Kiev is <b>Kiev</b></p>
<p>Kiev para <!-- glossary-check: ignore --> inline</p>
<p>Kiev kept</p>
<!-- glossary-check: ignore -->
<img alt="Kiev" src="kyiv.jpg">
<p>Kiev kept</p>
<!-- glossary-check: disable[variant] -->
<p>Kiev off</p>
<script>// <!-- glossary-check: enable --></script>
<p>Kiev off</p>
<!-- glossary-check: enable[variant] -->
<p>Kiev on</p>
<!-- glossary-check: ignore[bogus] -->
<!-- glossary-check: ignore[case,variant] -->
<ul><li>Kiev</li><li>Kiev</li></ul>
<p>Kiev</p>
</body></html>
"""


def test_html_ignore_covers_the_next_element_or_the_holding_one() -> None:
    kept, suppressed, unused = run(HTML, "html")
    assert suppressed == [4, 4, 5, 8, 11, 13, 18, 18]
    assert kept == [2, 6, 9, 15, 19]
    assert unused == [
        "16: 'glossary-check: ignore[bogus]': unknown rule bogus.",
        "17: 'glossary-check: ignore[case,variant]' suppresses nothing for case; "
        "remove case from it.",
    ]


def test_html_text_after_the_comment_up_to_the_next_block() -> None:
    text = "<div><!-- glossary-check: ignore --> Kiev <em>Kiev</em><p>Kiev</p></div>"
    out = apply(doc(text, "html"), fake(text), known=RULES)
    assert len(out.suppressed) == 2 and len(out.kept) == 1


def test_unused_rule_that_did_not_run_is_not_reported() -> None:
    text = "Kiev. glossary-check: ignore[variant,case]\n"
    out = apply(doc(text, "text"), fake(text), known=RULES, active={"variant"})
    assert out.unused == []


def test_unknown_directive_is_reported() -> None:
    out = apply(doc("Kiev glossary-check: ignroe\n", "text"), [], known=RULES)
    assert [u.message() for u in out.unused] == [
        "'glossary-check: ignroe': unknown directive 'ignroe' (use ignore, disable or enable)."]


# --- what the reader recorded, and nothing else --------------------------------------------


def test_suppression_uses_the_recorded_comments_and_blocks_only() -> None:
    text = "<!-- glossary-check: ignore -->\nKiev\n\nKiev\n"
    comments, blocks = Comments(), Blocks()
    comments.add(0, 31, 4, 28)
    blocks.add(0, 32, "html_block")
    blocks.add(32, 38, "paragraph")
    blocks.add(38, 43, "paragraph")
    given = Document("a.md", "markdown", text, "Kiev\n\nKiev\n", comments=comments, blocks=blocks)
    out = apply(given, fake(text), known=RULES)
    assert lines_of(text, out.suppressed) == [2] and lines_of(text, out.kept) == [4]
    # The same text without the reader's record has no comment to read: suppress parses nothing.
    bare = Document("a.md", "markdown", text, "Kiev\n\nKiev\n")
    assert apply(bare, fake(text), known=RULES).suppressed == []


def test_suppress_imports_no_parser() -> None:
    tree = ast.parse(Path(suppress.__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    parsers = ("html", "markdown_it", "glossary_check.documents.")
    assert not {m for m in imported if m.startswith(parsers)}
    probe = ("import sys, glossary_check.workflow.suppress; print(sorted(m for m in sys.modules"
             " if m.startswith(('html.parser', 'markdown_it'))))")
    assert python_output(probe).strip() == "[]"


@pytest.mark.parametrize("tag", sorted(BLOCK_ELEMENTS))
def test_html_text_scope_stops_where_the_reader_splits_blocks(tag: str) -> None:
    # Among them tags an older list of block tags left out: dialog, menu, legend, hgroup,
    # center, search...; an ignore then ran on past them.
    inner = f"<{tag}> Kiev" if tag in VOID_ELEMENTS else f"<{tag}>Kiev</{tag}> Kiev"
    text = f"<div><!-- glossary-check: ignore --> Kiev {inner}</div>"
    document = doc(text, "html")
    first = document.view.index("Kiev")
    assert BLOCK_BREAK in document.view[first:], "the reader splits the prose at the tag"
    out = apply(document, fake(text), known=RULES)
    assert [f.offset for f in out.suppressed] == [text.index("Kiev")]


def test_html_block_tags_an_older_list_missed_are_the_readers() -> None:
    assert {"dialog", "menu", "legend", "hgroup", "center", "search", "pre"} <= BLOCK_ELEMENTS


def test_html_next_element_with_an_implied_end() -> None:
    text = "<ul><!-- glossary-check: ignore --><li>Kiev<li>Kiev</ul>"
    assert run(text, "html")[:2] == ([1], [1])
    out = apply(doc(text, "html"), fake(text), known=RULES)
    assert [f.offset for f in out.suppressed] == [text.index("Kiev")]


def test_html_comment_in_an_attribute_script_or_code_is_no_directive() -> None:
    text = ('<p title="<!-- glossary-check: ignore -->">Kiev</p>\n'
            "<script>// <!-- glossary-check: ignore --></script>\n<p>Kiev</p>\n")
    assert directives(doc(text, "html")) == []
    assert run(text, "html")[:2] == ([1, 3], [])


def test_html_a_comment_after_the_directive_is_looked_past() -> None:
    text = "<!-- glossary-check: ignore --><!-- a note -->\n<p>Kiev</p>\n<p>Kiev</p>\n"
    assert run(text, "html") == ([3], [2], [])


def test_html_crlf_bom_and_cyrillic() -> None:
    text = ("<p>Київ — Kiev</p>\r\n<!-- glossary-check: ignore[variant] -- цитата -->\r\n"
            "<p>Київ, Kiev</p>\r\n<p>Kiev</p>")
    document = read_document("a.html", b"\xef\xbb\xbf" + text.encode("utf-8"))
    out = apply(document, fake(text), known=RULES)
    assert lines_of(text, out.suppressed) == [3] and lines_of(text, out.kept) == [1, 4]


def test_markdown_comment_in_code_or_an_attribute_is_no_directive() -> None:
    text = ("`<!-- glossary-check: ignore -->` Kiev <a title=\"<!-- glossary-check: ignore -->\">"
            "x</a>\n\n    <!-- glossary-check: ignore -->\n\n~~~\n<!-- glossary-check: ignore -->"
            "\n~~~\nKiev\n")
    assert directives(doc(text, "markdown")) == []
    assert run(text, "markdown")[1] == []


def test_markdown_code_span_beside_a_real_comment() -> None:
    text = "`<!-- glossary-check: ignore -->` <!-- glossary-check: ignore[case] --> Kiev\n\nKiev\n"
    kept, suppressed, unused = run(text, "markdown")
    assert (kept, suppressed) == ([1, 3], [])
    assert unused == ["1: 'glossary-check: ignore[case]' suppresses nothing; remove it."]


def test_markdown_comment_in_a_table_cell_covers_its_row() -> None:
    text = "| a <!-- glossary-check: ignore --> | Kiev |\n|---|---|\n| Kiev | d |\n"
    assert run(text, "markdown")[:2] == ([3], [1])


def test_markdown_crlf_bom_and_cyrillic() -> None:
    text = ("Київ і Kiev.\r\n\r\n<!-- glossary-check: ignore[variant] -- цитата 2014 -->\r\n"
            "Київ — Kiev,\r\nзнову Kiev.\r\n\r\n> <!-- glossary-check: ignore -->\r\n"
            "> Kiev\r\n\r\nKiev")
    document = read_document("a.md", b"\xef\xbb\xbf" + text.encode("utf-8"))
    out = apply(document, fake(text), known=RULES)
    assert lines_of(text, out.suppressed) == [4, 5, 8]
    assert lines_of(text, out.kept) == [1, 10]
    found = directives(document)
    assert [text[d.offset : d.offset + d.length] for d in found] == [
        "glossary-check: ignore[variant]", "glossary-check: ignore"]


def test_text_bom_and_cr_line_ends() -> None:
    text = "Kiev\r# glossary-check: ignore\r\rKiev\rKiev"
    document = read_document("a.txt", b"\xef\xbb\xbf" + text.encode("utf-8"))
    out = apply(document, fake(text), known=RULES)
    assert [f.offset for f in out.suppressed] == [text.index("Kiev", 10)]


# --- through the runner and the command line ---------------------------------------------------


@pytest.fixture
def glossary(write_glossary: WriteGlossary) -> Path:
    return write_glossary(GLOSSARY)


def test_runner_filters_and_reports_unused(glossary: Path, tmp_path: Path) -> None:
    compiled = compile_all(load_glossary(glossary))
    article = tmp_path / "a.txt"
    text = "Kiev. glossary-check: ignore[variant]\nKyiv. glossary-check: ignore\nKiev.\n"
    article.write_text(text, encoding="utf-8")
    plain = check_file(str(article), compiled, Settings(ignore=LANGUAGE_RULES))
    assert [(f.rule, f.offset) for f in plain.findings] == [("variant", text.rindex("Kiev"))]
    loud = check_file(str(article), compiled,
                      Settings(ignore=LANGUAGE_RULES, report_unused_ignores=True))
    assert [(f.rule, f.severity, f.text) for f in loud.findings] == [
        ("unused-ignore", Severity.WARNING, "glossary-check: ignore"),
        ("variant", Severity.ERROR, "Kiev"),
    ]
    assert plain.text[loud.findings[0].offset:].startswith("glossary-check: ignore\n")


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_markup_formats_through_the_runner(glossary: Path, tmp_path: Path, suffix: str) -> None:
    compiled = compile_all(load_glossary(glossary))
    article = tmp_path / f"a{suffix}"
    if suffix == ".md":
        article.write_text("<!-- glossary-check: ignore -->\nKiev.\n\nKiev.\n", encoding="utf-8")
    else:
        article.write_text("<!-- glossary-check: ignore -->\n<p>Kiev.</p>\n<p>Kiev.</p>\n",
                           encoding="utf-8")
    result = check_file(str(article), compiled, Settings(ignore=LANGUAGE_RULES))
    assert result.error is None
    assert len(result.findings) == 1
    assert result.text.count("\n", 0, result.findings[0].offset) == 3 - (suffix == ".html")


def test_cli_report_unused_ignores(glossary: Path, tmp_path: Path, run_cli: RunCli) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Kyiv. glossary-check: ignore[variant]\n", encoding="utf-8")
    code, out, _ = run_cli("-g", str(glossary), *CORE_ARGS, str(article))
    assert code == 0 and "0 findings" in out
    code, out, _ = run_cli("-g", str(glossary), *CORE_ARGS, "--report-unused-ignores",
                           "--fail-on", "warning", str(article))
    assert code == 1
    assert ("a.txt:1:7: warning[unused-ignore] 'glossary-check: ignore[variant]' "
            "suppresses nothing") in out
