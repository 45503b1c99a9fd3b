"""The HTML report: escaped, self-contained, and working in a real (headless) browser."""

from __future__ import annotations

import dataclasses
import shutil
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import CORE, CORE_ARGS, RunCli, WriteGlossary
from glossary_check.core.findings import FileResult, Finding, Severity
from glossary_check.engine.compiled import compile_all
from glossary_check.engine.glossary import load_glossary
from glossary_check.report import Run
from glossary_check.report.html_report import highlight, render
from glossary_check.workflow.runner import check_file

GLOSSARY = """\
version: 1
entries:
  - term: Kyiv
    variants: [Kiev]
    note: Ukrainian-derived spelling
    url: https://en.wikipedia.org/wiki/Kyiv
  - term: TASS
    variants: [ITAR-TASS]
  - term: Élysée Palace
    variants: [Elysee Palace]
  - term: Zelensky
    kind: person
"""

ARTICLE_MD = """\
# Talks in Kiev

President Zelenksy met the <b>ITAR-TASS</b> correspondent at the Elysee Palace & the "Кyiv" office.
Tass reported: Kiev's position is <script>alert("unchanged")</script>.

<!-- glossary-check: ignore[case] -->
A line with Tass ignored.
"""
ARTICLE_HTML = '<p title="Kiev &amp; &quot;more&quot;">Elysee&nbsp;Palace</p>\n<p>Kiev</p>\n'


@pytest.fixture
def run(write_glossary: WriteGlossary, tmp_path: Path) -> Run:
    """A real check of two articles; one finding given a machine translation, as MT rules do."""
    glossary = load_glossary(write_glossary(GLOSSARY))
    compiled = compile_all(glossary)
    results = []
    for name, text in (("article.md", ARTICLE_MD), ("page.html", ARTICLE_HTML)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        results.append(check_file(str(tmp_path / name), compiled, CORE, shown=name))
    first = results[0].findings[0]
    results[0].findings[0] = dataclasses.replace(first, translation="Kiev <ru> & \"MT\"")
    results.append(FileResult("broken.txt", "en", error="broken.txt:1:3: not valid UTF-8"))
    return Run("0.1.0", glossary.path, len(glossary.entries), results,
               notices=["fixed 0 findings in 0 files"],
               rules={"variant": "a wrong rendering", "case": "wrong case"})


def all_findings(run: Run) -> list[Finding]:
    return [f for r in run.files for f in r.findings]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts = 0
        self.marks: list[dict[str, str | None]] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self.scripts += 1
            if "src" in values:
                self.external.append(str(values["src"]))
        if tag == "mark":
            self.marks.append(values)
        if tag == "link" or (tag == "img" and "src" in values):
            self.external.append(str(values.get("href") or values.get("src")))


def test_page_is_self_contained_and_escaped(run: Run) -> None:
    page = render(run)
    tags = _Tags()
    tags.feed(page)
    assert tags.scripts == 1 and tags.external == []  # our script only; nothing loaded
    assert "default-src 'none'" in page
    assert 'alert("unchanged")' not in page and "&lt;script&gt;alert(&quot;unchanged&quot;)" in page
    assert len(tags.marks) == len(all_findings(run))
    assert [m["data-rule"] for m in tags.marks] == [f.rule for f in all_findings(run)]
    assert tags.marks[0]["data-translation"] == 'Kiev <ru> & "MT"'  # escaped in, parsed back out
    assert "broken.txt:1:3: not valid UTF-8" in page


def test_nested_and_crossing_findings_still_get_one_mark_each() -> None:
    text = "abcdefghij"

    def f(offset: int, length: int) -> Finding:
        return Finding("variant", Severity.ERROR, offset, length, text[offset:offset + length], "m")

    findings = [f(0, 6), f(2, 2), f(4, 4), f(9, 0)]
    shown = highlight(FileResult("x.txt", "en", text, findings), "t")
    tags = _Tags()
    tags.feed(shown)
    assert len(tags.marks) == 4
    assert shown.count("</mark>") == 4
    assert shown.startswith('<mark class="finding r-variant s-error" id="t-0"')


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("chromium") is None,
                    reason="headless Chromium is not installed (apt-get install chromium)")
def test_in_a_browser(run: Run, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    report = tmp_path / "report.html"
    report.write_text(render(run), encoding="utf-8")
    findings = all_findings(run)
    requests: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(report.as_uri())

            marks = page.locator("[data-rule]:not(input):not(li)")
            assert marks.count() == len(findings)
            assert marks.all_text_contents() == [f.text for f in findings]
            assert [marks.nth(i).get_attribute("data-rule") for i in range(marks.count())] == [
                f.rule for f in findings]

            by_rule = Counter(f.rule for f in findings)
            for rule, count in by_rule.items():
                row = page.locator(f'#by-rule li[data-rule-row="{rule}"] .count')
                assert row.inner_text() == str(count)
            by_entry = Counter(f.entry or "" for f in findings)
            for entry, count in by_entry.items():
                row = page.locator(f'#by-entry li[data-entry-row="{entry}"] .count')
                assert row.inner_text() == str(count)
            assert page.locator("#by-file li .count").all_inner_texts() == ["7", "3", "error"]

            details = page.locator("#details")
            assert details.is_hidden()
            target = next(i for i, f in enumerate(findings) if f.rule == "mixed-script")
            marks.nth(target).click()
            assert details.is_visible()
            assert page.locator('[data-field="suggestion"]').inner_text() == "Kyiv"
            assert page.locator('[data-field="rule"]').inner_text() == "mixed-script"
            assert page.locator('[data-field="text"]').inner_text() == "Кyiv"
            assert page.locator('[data-field="translation"]').is_hidden()

            marks.first.click()
            assert page.locator('[data-field="translation"]').inner_text() == 'Kiev <ru> & "MT"'
            assert page.locator('[data-field="note"]').inner_text() == "Ukrainian-derived spelling"
            title = marks.first.get_attribute("title") or ""
            assert "suggestion: Kyiv" in title and 'translation: Kiev <ru> & "MT"' in title
            page.screenshot(path=str(tmp_path / "details.png"), full_page=True)

            page.keyboard.press("Escape")
            assert details.is_hidden()
            # keyboard: focus a highlight and press Enter
            marks.nth(1).focus()
            page.keyboard.press("Enter")
            assert page.locator('[data-field="where"]').inner_text() == "article.md:3:11"

            # the sidebar jumps to an entry's first finding
            page.locator('#by-entry li[data-entry-row="TASS"] button').click()
            assert page.locator('[data-field="entry"]').inner_text() == "TASS"

            # hiding a rule takes its colour away
            variant = page.locator('mark[data-rule="variant"]').first
            before = variant.evaluate("m => getComputedStyle(m).backgroundColor")
            page.locator('input[data-rule-switch="variant"]').uncheck()
            after = variant.evaluate("m => getComputedStyle(m).backgroundColor")
            assert before != after and after == "rgba(0, 0, 0, 0)"
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            browser.close()
    assert dialogs == []  # the article's <script> stayed text
    assert requests == [report.as_uri()]
    assert (tmp_path / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_writes_the_page(
    write_glossary: WriteGlossary, run_cli: RunCli, tmp_path: Path
) -> None:
    glossary = write_glossary(GLOSSARY)
    (tmp_path / "a.md").write_text("Kiev <&>\n", encoding="utf-8")
    code, out, _ = run_cli("-g", str(glossary), *CORE_ARGS, "-f", "html", "-o", "r.html", "a.md")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert code == 1 and out == ""
    assert page.startswith("<!DOCTYPE html>") and 'data-rule="variant"' in page
    assert "Kiev</mark> &lt;&amp;&gt;" in page
