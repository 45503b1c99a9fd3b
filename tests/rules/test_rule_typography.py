"""`typography`: its documented examples, and each sub-check on the files editors write
(Cyrillic, CRLF, a BOM, no final newline, HTML entities, Markdown code)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rule_examples import SETTINGS, check_examples, run

from conftest import RunCli
from glossary_check.commands.config import ConfigError, load_config
from glossary_check.core.findings import Finding
from glossary_check.documents import read_document
from glossary_check.engine.compiled import compile_all
from glossary_check.engine.glossary import load_glossary
from glossary_check.rules import Example
from glossary_check.rules.pipeline import Settings, check_document
from glossary_check.rules.typography import Typography
from glossary_check.workflow.fixes import apply_edits, plan


def test_documented_examples(tmp_path: Path) -> None:
    check_examples("typography", tmp_path)


def typo(tmp: Path, text: str, name: str = "a.txt", **style: str) -> list[Finding]:
    settings = Settings(report_unused_ignores=True, typography=Typography(**style))
    return [f for f in run(Example(text, name=name), tmp, settings if style else SETTINGS)
            if f.rule == "typography"]


def shown(found: list[Finding]) -> list[tuple[str, str | None]]:
    return [(f.text, f.suggestion) for f in found]


def fixed(tmp: Path, text: str, name: str = "a.txt", unsafe: bool = False, **style: str) -> str:
    """The file after the typography fixes, written as `--fix` writes them."""
    data = text.encode("utf-8")
    document = read_document(name, data)
    edits, _ = plan(document, typo(tmp, text, name, **style), unsafe)
    return apply_edits(document.text, edits)


# --- quotation marks ---------------------------------------------------------------------------

def test_a_pair_opened_straight_and_closed_curly_is_one_finding_at_the_odd_mark(
    tmp_path: Path,
) -> None:
    text = "\ufeffКиїв · News\r\n\r\n\"Twenty-six countries agreed”, he said, “at last”.\r\n"
    found = typo(tmp_path, text)
    assert shown(found) == [('"', "“")]
    assert found[0].offset == text.index('"') - 1  # code points of the file, BOM not counted
    assert fixed(tmp_path, text) == text[1:].replace('"', "“")


def test_a_guillemet_closed_by_a_curly_mark_is_mixed_and_foreign(tmp_path: Path) -> None:
    found = typo(tmp_path, "He called it «a farce” on Monday.")
    assert [(f.text, f.suggestion, f.applicability.value) for f in found] == [
        ("«", "“", "unsafe")]  # one span, one finding: the mixed pair's says it all
    assert "opened with « and closed with ”" in found[0].message


def test_guillemets_and_low_quotes_in_english_prose_but_not_beside_russian(
    tmp_path: Path,
) -> None:
    assert shown(typo(tmp_path, "He called it «a farce» and „a joke“.")) == [
        ("«", "“"), ("»", "”"), ("„", "“"), ("“", "”")]
    assert typo(tmp_path, "Том Мастерс, специально для «Новой газеты Европа»\n") == []
    assert typo(tmp_path, "The paper wrote „Ми переможемо“ on Monday.") == []


def test_guillemets_as_html_entities_are_found_and_fixed_in_place(tmp_path: Path) -> None:
    html = "<p title=\"a &quot;b\">He called it &laquo;a farce&raquo; today.</p>\n"
    found = typo(tmp_path, html, "a.html")
    assert [f.text for f in found] == ["&laquo;", "&raquo;"]
    assert fixed(tmp_path, html, "a.html", unsafe=True) == html.replace(
        "&laquo;", "“").replace("&raquo;", "”")
    assert fixed(tmp_path, html, "a.html") == html  # replacing guillemets is unsafe


def test_unbalanced_quotes_three_ways(tmp_path: Path) -> None:
    found = typo(tmp_path, "Jones left Dragons\" Den.\n\nThe coup d\"état failed.\n\n"
                 "He said \"we will see.\n\nNothing more.\n")
    assert [(f.text, f.message.split(":")[0]) for f in found] == [
        ('"', 'closing " with no quotation open before it'),
        ('"', '" inside a word'),
        ('"', 'quotation opened with " is never closed.'),
    ]


def test_apostrophes_nesting_and_primes_are_not_quotes(tmp_path: Path) -> None:
    text = ("“Don’t call it Kyiv’s ’90s revival,” he said, “or ‘the players’ union’ — "
            "they’re ‘tired’.”\n\nShe is 5'11\" tall.\n")
    assert typo(tmp_path, text) == []
    assert [f.text for f in typo(tmp_path, text + "“He said \"no\" twice.”\n")] == ['"', '"']


def test_a_quotation_over_several_paragraphs_opens_each_and_closes_the_last(
    tmp_path: Path,
) -> None:
    reopened = "“We will win.\r\n\r\n“We will not stop.\r\n\r\n“Never,” he said.\r\n"
    assert typo(tmp_path, reopened) == []
    one_per_line = '"We will win.\n\nWe will not stop," he said.\n\nThen he left.'
    assert typo(tmp_path, one_per_line) == []
    assert typo(tmp_path, "He said: “We will win.\n\nThen he left.") != []


def test_quotes_in_code_and_markup_are_not_prose(tmp_path: Path) -> None:
    markdown = ("He typed `print(\"hi)` and “left”.\n\n```\nx = \"open\n```\n\n"
                "    indented \"code\n\n[“link”](http://e.org/?q=\"a) ok\n")
    assert typo(tmp_path, markdown, "a.md") == []
    html = ("<p class=\"x\" data-q='\"'>Fine “text”.</p><pre>\"a</pre><code>\"b</code>"
            "<script>var s = \"\";</script>\n")
    assert typo(tmp_path, html, "a.html") == []


# --- one article, one convention -------------------------------------------------------------

def test_the_minority_quote_style_is_flagged_and_fixed_safely(tmp_path: Path) -> None:
    text = "“One,” he said. “Two,” she said. \"Three,\" they said. It’s Kyiv’s and it's done."
    found = typo(tmp_path, text)
    assert shown(found) == [('"', "“"), ('"', "”"), ("'", "’")]
    assert fixed(tmp_path, text) == text.replace('"Three,"', "“Three,”").replace("it's", "it’s")


def test_a_curly_mark_turned_the_wrong_way_is_one_finding_with_a_safe_fix(
    tmp_path: Path,
) -> None:
    text = "It was “a farce“, he said; ”a joke”, she said; “a shame”, they said.\r\n"
    found = typo(tmp_path, text)
    assert [(f.text, f.suggestion, f.applicability.value) for f in found] == [
        ("“", "”", "safe"), ("”", "“", "safe")]
    assert fixed(tmp_path, text) == text.replace("farce“", "farce”").replace("”a joke", "“a joke")


def test_a_mark_whose_direction_is_guessed_gets_an_unsafe_fix(tmp_path: Path) -> None:
    found = typo(tmp_path, "“One,” he said. “Two,” she said. Done.\"Three,” they said.")
    assert [(f.text, f.suggestion, f.applicability.value) for f in found] == [
        ('"', "“", "unsafe")]


def test_a_configured_quote_style_wins_over_the_majority(tmp_path: Path) -> None:
    text = "“One,” he said. “Two,” she said. \"Three,\" they said."
    assert shown(typo(tmp_path, text, quotes="straight")) == [
        ("“", '"'), ("”", '"'), ("“", '"'), ("”", '"')]
    assert typo(tmp_path, text.replace("“", '"').replace("”", '"'), quotes="straight") == []


def test_punctuation_inside_or_outside_the_closing_mark(tmp_path: Path) -> None:
    text = ("It was “a farce”, he said. It was “a joke”. It was “a shame,” she said.\n\n"
            "“We will win,” he said.\n")
    found = typo(tmp_path, text)
    assert [(f.text, f.suggestion) for f in found] == [(",”", "”,")]
    assert "comma inside" in found[0].message
    # a whole quoted sentence fits either style: not counted
    assert typo(tmp_path, "“We will win,” he said. It was “a farce”.") == []
    assert typo(tmp_path, "He said “We will win.” It was “a farce”, “a joke”.") == []
    assert [f.text for f in typo(tmp_path, text, punctuation="inside")] == ["”,", "”."]
    assert typo(tmp_path, text, punctuation="any") == []
    assert typo(tmp_path, "It was “a farce”, and “a joke”, he said.", punctuation="outside") == []


def test_dashes_follow_the_article_or_the_house(tmp_path: Path) -> None:
    typeset = "It’s late - very late — and “cold” — he said; pages 5 - 7 — see."
    assert shown(typo(tmp_path, typeset)) == [("-", "—")]
    ascii_only = "It's late - very late -- he said."
    assert typo(tmp_path, ascii_only) == []
    # one pasted curly apostrophe does not make a plain-ASCII article typeset
    assert shown(typo(tmp_path, "It's late - very late. Don't go. Kyiv's ’90s - gone.")) == [
        ("’", "'")]  # the odd apostrophe is, the dashes are not
    assert shown(typo(tmp_path, ascii_only, dash="em")) == [("-", "—"), ("--", "—")]
    mixed = "One — two — three – four."
    assert shown(typo(tmp_path, mixed)) == [("–", "—")]
    assert shown(typo(tmp_path, mixed, dash="spaced-en")) == [("—", "–"), ("—", "–")]
    assert shown(typo(tmp_path, "One—two", dash="spaced-en")) == [("—", " – ")]
    # a hyphen after a no-break space, and two between letters, are dashes too
    assert shown(typo(tmp_path, "It’s late\u00a0- very late — and a half--hour — he said.")) == [
        ("-", "—"), ("--", "—")]


# --- the source language's typography ----------------------------------------------------------

def test_numero_and_decimal_commas_only_where_certain(tmp_path: Path) -> None:
    found = typo(tmp_path, "Order №5 cost €2,2 billion, or 3,5 percent; 0,7 of it was spent.")
    assert shown(found) == [("№", "No. "), ("2,2", "2.2"), ("3,5", "3.5"), ("0,7", "0.7")]
    assert fixed(tmp_path, "It cost 3,5 billion.") == "It cost 3.5 billion."
    assert typo(tmp_path, "It cost 3,500 dollars; see items 1,2,3 and 3,5 above; 1,250.5 m.") == []
    assert typo(tmp_path, "Children aged 2,3 years and 4,5 times.") == []
    assert typo(tmp_path, "Указ № 5 («О мерах») подписан.\n") == []


def test_digits_grouped_by_a_no_break_or_thin_space(tmp_path: Path) -> None:
    found = typo(tmp_path,
                 "Some 1\u00a0500 people and 2\u2009000\u2009000 dollars; in 2019 500 left.")
    assert shown(found) == [("1\u00a0500", "1,500"), ("2\u2009000\u2009000", "2,000,000")]


# --- spaces and invisible characters -----------------------------------------------------------

def test_no_break_spaces_at_line_and_paragraph_ends_are_removed_safely(tmp_path: Path) -> None:
    text = "\ufeffЗеленський said so.\u00a0\r\nThen he left.\u2009\r\n\r\nLast line\u00a0"
    found = typo(tmp_path, text)
    assert [(f.text, f.message) for f in found] == [
        ("\u00a0", "no-break space at the end of a line."),
        ("\u2009", "thin space at the end of a paragraph."),
        ("\u00a0", "no-break space at the end of a paragraph."),
    ]
    assert fixed(tmp_path, text) == "Зеленський said so.\r\nThen he left.\r\n\r\nLast line"


def test_nbsp_entities_at_a_paragraph_end_but_not_a_spacer_paragraph(tmp_path: Path) -> None:
    html = "<p>Done.&nbsp;</p>\n<p>&nbsp;</p>\n<td>&nbsp;</td><p>A&nbsp;&nbsp;B</p>\n"
    found = typo(tmp_path, html, "a.html")
    assert shown(found) == [("&nbsp;", ""), ("&nbsp;&nbsp;", "\u00a0")]
    assert fixed(tmp_path, html, "a.html") == html.replace("Done.&nbsp;", "Done.").replace(
        "A&nbsp;&nbsp;B", "A\u00a0B")


def test_spaces_only_the_view_has_are_not_stray(tmp_path: Path) -> None:
    """A code span or an element the reader leaves out leaves its neighbours side by side in
    the view, not in the file."""
    assert typo(tmp_path, "Run&nbsp;`make` now; run \"`make`\" too.\n", "a.md") == []
    assert typo(tmp_path, "<p>Run&nbsp;<code>make</code></p><p>A&nbsp;<script>x</script> B</p>",
                "a.html") == []


def test_doubled_and_in_word_spaces(tmp_path: Path) -> None:
    found = typo(tmp_path, "New \u00a0York and Kyi\u2009v and New\u00a0York.")
    assert [(f.text, f.applicability.value) for f in found] == [
        (" \u00a0", "unsafe"), ("\u2009", "unsafe")]


def test_soft_hyphens_and_zero_width_characters_inside_words(tmp_path: Path) -> None:
    text = "Zelen\u00adsky met Ma\u200bcron in Ky\u200div.\u200b Done\n"
    found = typo(tmp_path, text)
    assert [f.text for f in found] == ["\u00ad", "\u200b", "\u200d"]
    assert fixed(tmp_path, text) == "Zelensky met Macron in Kyiv.\u200b Done\n"
    # written as an entity, a soft hyphen is the writer's hyphenation hint
    assert typo(tmp_path, "<p>Zelen&shy;sky</p>", "a.html") == []
    markdown = "Zelen\u00adsky and `co\u00adde`.\n"
    assert [f.text for f in typo(tmp_path, markdown, "a.md")] == ["\u00ad"]


# --- the configuration -------------------------------------------------------------------------

def test_the_house_style_is_read_with_where_it_came_from(tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / "glossary-check.toml").write_text(
        'fail-on = "never"\n\n[typography]\nquotes = "straight"\ndash = "em"\n', "utf-8")
    (tmp_path / "a.txt").write_text("He said “no” - twice.\n", "utf-8")
    code, out, err = run_cli("config")
    assert code == 0, err
    line = next(x for x in out.splitlines() if x.startswith("typography"))
    assert 'quotes = "straight", dash = "em"' in line and "glossary-check.toml:3" in line
    code, out, err = run_cli("--format", "json", "--no-translate", "a.txt")
    found = json.loads(out)["files"][0]["findings"]
    assert [f["text"] for f in found] == ["“", "”", "-"]


@pytest.mark.parametrize(("body", "where", "message"), [
    ('[typography]\nquotes = "round"\n', "2:1", "typography.quotes must be one of curly, straight"),
    ('typography = { dash = "em", colour = 1 }\n', "1:29", "unknown key 'typography.colour'"),
    ('[typography]\npunctuation = 3\n', "2:1", "typography.punctuation must be one of inside"),
    ('typography = "curly"\n', "1:1", "typography must be a table"),
])
def test_a_bad_house_style_is_an_error_at_its_place(
    tmp_path: Path, body: str, where: str, message: str
) -> None:
    path = tmp_path / "glossary-check.toml"
    path.write_text(body, "utf-8")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    assert str(exc.value).startswith(f"{path}:{where}: {message}") or (
        f":{where}: {message}" in str(exc.value))


def test_fix_writes_the_file_as_it_was_but_for_the_fixes(tmp_path: Path, run_cli: RunCli) -> None:
    """BOM, CRLF, Cyrillic and the missing final newline kept; only the safe fixes written."""
    path = tmp_path / "a.txt"
    text = ("\ufeffЗеленський: \"Twenty-six countries agreed”, he said.\u00a0\r\n\r\n"
            "Ma\u200bcron said “a start”, and “a step”. It cost 3,5 billion. №5")
    path.write_bytes(text.encode("utf-8"))
    code, _, err = run_cli("--select", "typography", "--fix", str(path))
    assert code == 0, err
    assert path.read_bytes() == (
        "\ufeffЗеленський: “Twenty-six countries agreed”, he said.\r\n\r\n"
        "Macron said “a start”, and “a step”. It cost 3.5 billion. №5").encode("utf-8")
    code, out, _ = run_cli("--select", "typography", "--format", "json", str(path))
    assert [f["text"] for f in json.loads(out)["files"][0]["findings"]] == ["№"]  # unsafe


def test_a_suppression_comment_silences_it_like_any_rule(tmp_path: Path) -> None:
    text = ("He said \"no” twice. glossary-check: ignore[typography]\n\n"
            "She said \"yes” once.\n")
    assert [f.text for f in typo(tmp_path, text)] == ['"']
    assert typo(tmp_path, text.replace("She", "glossary-check: disable[typography]\nShe")) == []


def test_a_russian_article_keeps_its_own_typography(tmp_path: Path) -> None:
    path = tmp_path / "ru.yaml"
    path.write_text("version: 1\nlanguage: ru\nentries:\n  - term: Киев\n    kind: place\n",
                    "utf-8")
    compiled = compile_all(load_glossary(path))

    def found(text: str) -> list[tuple[str, str | None]]:
        document = read_document("a.txt", text.encode("utf-8"))
        return shown([f for f in check_document(document, compiled, SETTINGS)
                      if f.rule == "typography"])

    assert found("Он сказал: «Это „Новая газета“» — и ушёл. Указ № 5, рост 3,5 млрд, "
                 "1\u00a0500 человек.\r\n") == []
    assert found("Он сказал: «Это конец” и ушёл.\r\n") == [("”", "»")]
    assert found("Конец.\u00a0\r\n") == [("\u00a0", "")]


def test_once_the_russian_is_translated_its_guillemets_are_english_prose(
    tmp_path: Path, run_cli: RunCli
) -> None:
    """`source-form` writes the English phrase; the next round of `--fix --unsafe-fixes` finds
    the guillemets no longer beside Russian and turns them into the article's quotes."""
    article = tmp_path / "a.txt"
    article.write_text("Officials «в Киеве» said so, “twice”.\n", encoding="utf-8")
    code, _, err = run_cli("--no-translate", "--fix", "--unsafe-fixes", str(article))
    assert code == 0, err
    assert article.read_text(encoding="utf-8") == "Officials “in Kyiv” said so, “twice”.\n"
