"""The markdown reader: what reaches the view, and that every view character maps back exactly."""

from __future__ import annotations

import html
import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from glossary_check.documents import BLOCK_BREAK, Document, DocumentError, markdown, read_document
from glossary_check.documents import html as html_reader
from glossary_check.engine.matching import WORD
from views import Expected, Words, check_expected, check_map, raw, words

ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def read(text: str) -> Document:
    return markdown.read("article.md", text, False)


def shown(doc: Document) -> str:
    """The view without the block break that ends the last block."""
    return doc.view.removesuffix(BLOCK_BREAK)


def blocks(doc: Document) -> list[str]:
    return shown(doc).split(BLOCK_BREAK)


def decoded(piece: str) -> str:
    """What a piece of the file reads as: line breaks, escapes and entities decoded."""
    if piece in ("\r\n", "\r"):
        return "\n"
    if len(piece) == 2 and piece[0] == "\\":
        return piece[1]
    if piece.startswith("\\") and len(piece) > 2:
        return piece.encode().decode("unicode_escape")  # a YAML escape
    return html.unescape(piece.replace("''", "'"))


def check_words(doc: Document) -> None:
    """Each word of the view is, in the file, that word as written (or with entities)."""
    for m in WORD.finditer(doc.view):
        start, end = doc.raw_span(m.start(), m.end())
        written = ESCAPE.sub(r"\1", doc.text[start:end])
        assert decoded(written) == m.group(), (m.group(), doc.text[start:end])


def checked(text: str) -> Document:
    doc = read(text)
    check_map(doc, decoded)
    check_words(doc)
    return doc


# What is checked.


def test_paragraphs_are_blocks_and_soft_breaks_stay_line_breaks() -> None:
    doc = checked("The Coalition of the\nWilling met in Kyiv.\n\nSecond paragraph.\n")
    assert blocks(doc) == ["The Coalition of the\nWilling met in Kyiv.", "Second paragraph."]
    assert raw(doc, "the\nWilling") == "the\nWilling"


def test_continuation_lines_lose_their_indentation() -> None:
    doc = checked("Coalition of the\n   Willing\n")
    assert shown(doc) == "Coalition of the\nWilling"
    assert raw(doc, "the\nWilling") == "the\n   Willing"


def test_emphasis_markers_are_left_out_and_words_stay_adjacent() -> None:
    doc = checked("The **Kyiv** and *Kiev*, __TASS__ _Tass_ ~~Odessa~~ ***both***.\n")
    assert shown(doc) == "The Kyiv and Kiev, TASS Tass Odessa both."
    assert raw(doc, "Kyiv") == "Kyiv"
    assert raw(doc, "Kyiv and Kiev") == "Kyiv** and *Kiev"


def test_phrase_runs_across_inline_markup() -> None:
    doc = checked("[Coalition of the](https://x.example/c) Willing, **Coalition** of the Willing\n")
    assert shown(doc) == "Coalition of the Willing, Coalition of the Willing"
    assert raw(doc, "Coalition of the Willing") == "Coalition of the](https://x.example/c) Willing"


def test_unmatched_emphasis_characters_are_text() -> None:
    doc = checked("a * b ** c _ d snake_case_name 2 * 3\n")
    assert shown(doc) == "a * b ** c _ d snake_case_name 2 * 3"


def test_emphasis_inside_a_word_joins_it() -> None:
    doc = read("Ky*iv*\n")
    assert shown(doc) == "Kyiv"
    assert raw(doc, "Kyiv") == "Ky*iv"
    check_map(doc, decoded)


def test_atx_headings() -> None:
    doc = checked("# Kyiv\n\n## Kiev and *Kharkiv* ##\n\n###### Six\n#Not a heading\n")
    assert blocks(doc) == ["Kyiv", "Kiev and Kharkiv", "Six", "#Not a heading"]
    assert raw(doc, "Kiev and Kharkiv") == "Kiev and *Kharkiv"


def test_atx_heading_text_equal_to_its_markers() -> None:
    doc = checked("# # #\n\n> ## #a ##\n")
    assert blocks(doc) == ["#", "#a"]
    assert doc.starts is not None
    assert doc.starts[0] == 2 and doc.starts[3] == len("# # #\n\n> ## ")


def test_setext_headings() -> None:
    doc = checked("Coalition of\nthe Willing\n===\n\nKyiv\n---\n")
    assert shown(doc) == "Coalition of\nthe Willing" + BLOCK_BREAK + "Kyiv"


def test_lists_and_nested_lists() -> None:
    doc = checked("- Kyiv\n- Kiev\n  continued\n  - nested\n\n1. first\n2) second\n")
    assert blocks(doc) == ["Kyiv", "Kiev\ncontinued", "nested", "first", "second"]


def test_block_quotes_with_lazy_continuation_and_nesting() -> None:
    doc = checked("> Coalition of the\n> Willing\nlazy line\n>\n> > inner *quote*\n")
    assert blocks(doc) == ["Coalition of the\nWilling\nlazy line", "inner quote"]
    assert raw(doc, "the\nWilling") == "the\n> Willing"


def test_list_inside_block_quote() -> None:
    doc = checked("> - Kyiv\n>   Kiev\n> - Odesa\n")
    assert blocks(doc) == ["Kyiv\nKiev", "Odesa"]


def test_table_cells_are_blocks() -> None:
    text = "| City | Note |\n| :--- | ---: |\n| Kyiv | *capital* |\n| Kiev |\n"
    doc = checked(text)
    assert blocks(doc) == ["City", "Note", "Kyiv", "capital", "Kiev"]
    assert "---" not in doc.view


def test_table_without_outer_pipes_and_with_escaped_pipes() -> None:
    doc = checked("a | b\n--- | ---\nKyiv \\| Kiev | `x|y` z\n")
    assert blocks(doc) == ["a", "b", "Kyiv | Kiev", "`x"]  # a pipe in code still splits
    assert raw(doc, "|") == "\\|"


def test_table_inside_block_quote() -> None:
    doc = checked("> | Kyiv | Kiev |\n> |---|---|\n> | Odesa | Lviv |\n")
    assert blocks(doc) == ["Kyiv", "Kiev", "Odesa", "Lviv"]
    assert raw(doc, "Lviv") == "Lviv"


def test_link_text_and_inline_title_are_checked_destination_is_not() -> None:
    doc = checked('See [the Kyiv desk](https://kiev.example/desk "Kyiv desk &amp; more") now\n')
    assert blocks(doc) == ["See the Kyiv desk", "Kyiv desk & more", " now"]
    assert "kiev" not in doc.view
    assert raw(doc, "&") == "&amp;"


def test_link_title_forms_and_destinations() -> None:
    doc = checked(
        "[a](<dest with spaces> 'single')\n[b](dest (paren))\n[c](\n  dest\n  \"split\"\n)\n"
    )
    parts = blocks(doc)
    assert parts[:6] == ["a", "single", "b", "paren", "c", "split"]
    assert "dest" not in doc.view and "alert" not in doc.view


def test_reference_links_show_only_their_text() -> None:
    doc = checked(
        "[Kyiv][k], [Kiev][] and [Odesa].\n\n"
        "[k]: https://k.example 'Title'\n[kiev]: <x>\n[odesa]: y\n"
    )
    assert shown(doc) == "Kyiv, Kiev and Odesa."


def test_images_alt_and_title() -> None:
    doc = checked('Before ![The *Kyiv* skyline](kiev.png "Kyiv at night") after\n')
    assert blocks(doc) == ["Before ", "The Kyiv skyline", "Kyiv at night", " after"]
    assert "png" not in doc.view
    assert raw(doc, "Kyiv skyline") == "Kyiv* skyline"


def test_image_inside_link_and_link_inside_image() -> None:
    doc = checked("[![Kyiv](a.png)](https://x.example) [![b [Kiev](c) d](e)](f)\n")
    assert words(doc) == ["Kyiv", "b", "Kiev", "d"]


def test_code_is_skipped() -> None:
    doc = checked(
        "Use `Kiev` or ``a ` Kiev`` here.\n\n```python\nKiev = 1\n```\n\n~~~\nKiev\n~~~\n\n"
        "    Kiev indented\n\nKyiv\n"
    )
    assert shown(doc) == "Use  or  here." + BLOCK_BREAK + "Kyiv"


def test_unclosed_backticks_are_text() -> None:
    doc = checked("a `` b ` Kyiv\n")
    assert shown(doc) == "a `` b ` Kyiv"


def test_autolinks_bare_urls_and_emails_are_skipped() -> None:
    doc = checked(
        "Mail <kiev@news.example> or kiev.desk@news.example, see <https://kiev.example/a> "
        "and https://kiev.example/b?x=1&amp;y=2, www.kiev.example (http://kiev.example/c).\n"
    )
    assert "kiev" not in doc.view.lower()
    assert doc.view.startswith("Mail  or , see  and , ")
    assert shown(doc).endswith("().")


def test_html_tags_and_comments_are_skipped_text_between_is_checked() -> None:
    doc = checked("The <span class='kiev'>Kyiv</span> desk<!-- Kiev --> <b>and</b> more\n")
    assert shown(doc) == "The Kyiv desk and more"


def test_inline_html_title_and_alt_are_checked() -> None:
    doc = checked('An <abbr title="Kyiv &amp; Kharkiv">KK</abbr> and <img alt=Kyiv src=k> here\n')
    assert blocks(doc) == ["An ", "Kyiv & Kharkiv", "KK and ", "Kyiv", " here"]


def test_inline_html_code_is_skipped() -> None:
    doc = checked("Run <code>Kiev --fix</code> or <kbd>Kiev</kbd> now <code/>Kyiv\n")
    assert shown(doc) == "Run  or  now Kyiv"


def test_inline_br_is_one_line_break() -> None:
    doc = checked("Kyiv<br>Kiev<br/>\nOdesa\n")
    assert shown(doc) == "Kyiv\nKiev\nOdesa"
    assert doc.starts is not None and doc.ends is not None
    at = doc.view.index("\n")
    assert doc.starts[at] == doc.ends[at] == len("Kyiv")


def test_html_blocks_are_read_as_html() -> None:
    doc = checked(
        '<div class="kiev">\nThe <b>Kyiv</b> desk &amp; <code>Kiev</code>\n'
        '<p title="Kyiv">x</p>\n</div>\n\n'
        "<!-- Kiev\n\nstill a comment -->\n\n<script>\nvar kiev = 1;\n</script>\n\nKyiv\n"
    )
    assert words(doc) == ["The", "Kyiv", "desk", "Kyiv", "x", "Kyiv"]
    assert "kiev" not in doc.view.lower()


def test_html_block_inside_list_item() -> None:
    doc = checked("- <div>\n  Kyiv &eacute;\n  </div>\n")
    assert words(doc) == ["Kyiv", "é"]
    assert raw(doc, "é") == "&eacute;"


def test_unterminated_html_comment_never_fails() -> None:
    doc = checked("Kyiv\n\n<!-- Kiev\n")
    assert doc.view.strip() == "Kyiv"


def test_escapes_are_decoded_but_map_to_the_escape() -> None:
    doc = checked("\\*Kyiv\\* \\[Kiev\\] a\\b \\\\ \\`x\\`\n")
    assert shown(doc) == "*Kyiv* [Kiev] a\\b \\ `x`"
    assert raw(doc, "*Kyiv*") == "\\*Kyiv\\*"
    assert raw(doc, "\\", 1) == "\\\\"


def test_entities_are_decoded_but_map_to_the_entity() -> None:
    doc = checked("Elysee&nbsp;Palace, Caf&eacute; &#x41;&#66; &amp; &copy &bogus; &#0;\n")
    assert shown(doc) == "Elysee\xa0Palace, Café AB & &copy &bogus; \ufffd"
    assert raw(doc, "Elysee\xa0Palace") == "Elysee&nbsp;Palace"
    assert raw(doc, "Café") == "Caf&eacute;"


def test_hard_breaks() -> None:
    doc = checked("Kyiv  \nKiev\\\nOdesa \nLviv\n")
    assert shown(doc) == "Kyiv\nKiev\nOdesa\nLviv"


def test_thematic_breaks_are_skipped() -> None:
    assert shown(checked("Kyiv\n\n***\n\n- - -\n\nKiev\n")) == "Kyiv" + BLOCK_BREAK + "Kiev"


# Front matter.


def test_front_matter_values_are_prose_keys_are_not() -> None:
    text = (
        "---\ntitle: Kiev story\nslug: kiev-story-2024\ncount: 3\ndraft: false\n"
        "tags: [Kyiv, 'O''Brien']\nsummary: \"The \\\"Kiev\\\" \\u00e9\"\n"
        "body: |\n  First Kiev\n  second\nauthor:\n  name: Ann\n---\n# Kyiv\n"
    )
    doc = checked(text)
    assert blocks(doc) == [
        "Kiev story", "kiev-story-2024", "Kyiv", "O'Brien", 'The "Kiev" é', "First Kiev\nsecond",
        "Ann", "Kyiv",
    ]
    assert "title" not in doc.view and "count" not in doc.view
    assert raw(doc, "O'Brien") == "O''Brien"
    assert raw(doc, '"Kiev"') == '\\"Kiev\\"'


def test_front_matter_keeps_line_numbers() -> None:
    text = "---\ntitle: a\n---\nKiev\n"
    doc = checked(text)
    at = doc.view.index("Kiev")
    assert doc.raw_span(at, at + 4) == (text.index("Kiev"), text.index("Kiev") + 4)


def test_front_matter_with_crlf_and_dots() -> None:
    doc = checked("---\r\ntitle: Kiev\r\n...\r\nKyiv\r\n")
    assert shown(doc) == "Kiev" + BLOCK_BREAK + "Kyiv"


def test_invalid_yaml_front_matter_is_read_line_by_line() -> None:
    doc = checked("---\ntitle: Kiev: a story\n  bad: [indent\n- \"Kyiv\"\n---\nBody\n")
    assert blocks(doc) == ["Kiev: a story", "Kyiv", "Body"]


def test_dashes_without_closing_line_are_not_front_matter() -> None:
    doc = checked("---\ntitle: Kiev\n")
    assert shown(doc) == "title: Kiev"


def test_front_matter_not_at_the_top_is_markdown() -> None:
    doc = checked("Kyiv\n\n---\ntitle: Kiev\n---\n")
    assert blocks(doc) == ["Kyiv", "title: Kiev"]


def test_front_matter_aliases_are_read_once() -> None:
    doc = checked("---\na: &x Kiev\nb: *x\nc: [*x, !!str Kyiv]\nd: &y 'Odesa'\n---\n")
    assert blocks(doc) == ["Kiev", "Kyiv", "Odesa"]


# Text and encodings.


def test_crlf_line_endings() -> None:
    text = (
        "# Kyiv\r\n\r\nCoalition of the\r\nWilling &amp; *Kiev*\r\n\r\n- a\r\n- b\r\n\r\n"
        "| x |\r\n|---|\r\n| y |\r\n"
    )
    doc = checked(text)
    assert blocks(doc) == ["Kyiv", "Coalition of the\nWilling & Kiev", "a", "b", "x", "y"]
    assert raw(doc, "the\nWilling") == "the\r\nWilling"
    assert raw(doc, "Kiev") == "Kiev"


def test_old_mac_line_endings() -> None:
    doc = checked("Kyiv\rKiev\r\rOdesa")
    assert shown(doc) == "Kyiv\nKiev" + BLOCK_BREAK + "Odesa"


def test_bom_is_not_counted() -> None:
    data = "\ufeff# Kyiv\n\nKiev &amp; more\n".encode()
    doc = read_document("a.md", data)
    assert doc.bom and doc.format == "markdown"
    assert doc.text.startswith("# Kyiv")
    assert raw(doc, "Kiev") == "Kiev"
    assert doc.raw_span(doc.view.index("Kiev"), doc.view.index("Kiev") + 4) == (8, 12)
    check_map(doc, decoded)


def test_combining_accents_and_no_break_spaces() -> None:
    doc = checked("The E\u0301lyse\u0301e\u00a0Palace and *Zelens\u0301kyi*\n")
    assert shown(doc) == "The E\u0301lyse\u0301e\u00a0Palace and Zelens\u0301kyi"
    assert raw(doc, "E\u0301lyse\u0301e\u00a0Palace") == "E\u0301lyse\u0301e\u00a0Palace"


def test_no_break_space_lines_are_trimmed_like_markdown_it() -> None:
    doc = checked("\u00a0Kyiv\u00a0\n\n# \u00a0Kiev\u00a0\n")
    assert shown(doc) == "Kyiv" + BLOCK_BREAK + "Kiev"


def test_no_final_newline() -> None:
    assert shown(checked("Kyiv\n\nKiev")) == "Kyiv" + BLOCK_BREAK + "Kiev"
    assert shown(checked("    code\n\nKiev")) == "Kiev"
    assert shown(checked("| a |\n|---|\n| Kiev |")) == "a" + BLOCK_BREAK + "Kiev"


def test_cyrillic() -> None:
    doc = checked("# Київ\n\nУ **Києві** та «Новой газеты Европа».\n")
    assert shown(doc) == "Київ" + BLOCK_BREAK + "У Києві та «Новой газеты Европа»."
    assert raw(doc, "Києві та") == "Києві** та"


def test_tabs() -> None:
    doc = checked("-\tKyiv\n\tKiev\n\n>\tOdesa\n\n\tcode\n")
    assert blocks(doc) == ["Kyiv\nKiev", "Odesa"]


def test_nul_characters() -> None:
    doc = checked("Ky\0iv and Kiev\n")
    assert shown(doc) == "Ky\0iv and Kiev"


def test_empty_and_blank_documents() -> None:
    assert shown(read("")) == ""
    assert shown(read("\n\n  \n")) == ""
    assert shown(read("#\n\n>\n\n-\n")) == ""


def test_deep_inline_nesting_does_not_fail() -> None:
    doc = checked("> " * 30 + "Kyiv\n\n" + "[" * 500 + "Kiev" + "]" * 500 + "\n" + "*" * 999)
    assert "Kyiv" in doc.view and "Kiev" in doc.view


@pytest.mark.parametrize("text", [
    "Intro\n\n" + "> " * 200 + "Kyiv\n\nKiev\n",
    "Intro\n\n" + "".join("  " * i + "- Kyiv\n" for i in range(30)),
])
def test_blocks_nested_past_the_limit_are_an_error_not_a_gap(text: str) -> None:
    with pytest.raises(DocumentError, match=r"^article\.md:\d+:\d+: .*nested more than 40 levels"):
        read(text)


def test_long_document() -> None:
    text = "".join(f"Para {i} about *Kyiv* and [Kiev](u{i}).\n\n" for i in range(3000))
    doc = checked(text)
    assert words(doc).count("Kiev") == 3000


# The invariant over generated documents.

PROSE = ("Kyiv", "Kiev", "Coalition", "Willing", "Palace", "Élysée", "E\u0301lyse\u0301e", "Київ",
         "Киев", "O'Brien", "naïve", "TASS", "2024")
FRONT = tuple(w for w in PROSE if not w.isdigit())


def prose(draw: st.DrawFn, most: int = 3, vocabulary: tuple[str, ...] = PROSE) -> list[str]:
    return draw(st.lists(st.sampled_from(vocabulary), min_size=1, max_size=most))


@st.composite
def inline_piece(draw: st.DrawFn, in_table: bool = False) -> tuple[str, Expected]:
    """One inline construct and the words it puts in the view ("zq..." words never may)."""
    kinds = ["word", "emphasis", "code", "entity_word", "nbsp", "numeric", "escape", "amp", "url",
             "email", "span", "html_code"]
    if not in_table:
        kinds += ["link", "image", "autolink", "abbr", "br", "comment", "emphasis_link"]
    kind = draw(st.sampled_from(kinds))
    ws = prose(draw)
    if kind == "word":
        return ws[0], [ws[0]]
    if kind == "emphasis":
        mark = draw(st.sampled_from(["*", "**", "_", "__", "~~", "***"]))
        return mark + " ".join(ws) + mark, list(ws)
    if kind == "code":
        return draw(st.sampled_from(["`zqcode`", "``zq ` zq``", "` zq `"])), []
    if kind == "entity_word":
        return "Caf&eacute;", ["Café"]
    if kind == "nbsp":
        return "Elysee&nbsp;Palace", ["Elysee", "Palace"]
    if kind == "numeric":
        return draw(st.sampled_from([("&#x4B;yiv", ["Kyiv"]), ("&#1050;иїв", ["Київ"])]))
    if kind == "escape":
        return draw(st.sampled_from(["\\*", "\\_", "\\[", "\\#", "\\&"])), []
    if kind == "amp":
        return "&amp;", []
    if kind == "url":
        return "https://zqurl.example/zq?zq=1&amp;zq=2", []
    if kind == "email":
        return "zqmail@zqhost.example", []
    if kind == "span":
        return "<span class=\"zqattr\">" + " ".join(ws) + "</span>", list(ws)
    if kind == "html_code":
        return "<code>zqcode zq</code>", []
    if kind == "link":
        title = draw(st.none() | st.lists(st.sampled_from(PROSE), min_size=1, max_size=2))
        text = "[" + " ".join(ws) + "](https://zqurl.example/zq"
        expected: Words = list(ws)
        if title:
            text += ' "' + " ".join(title) + '"'
            expected += [None, *title, None]
        return text + ")", expected
    if kind == "emphasis_link":
        return "[**" + ws[0] + "** " + ws[-1] + "](zq)", [ws[0], ws[-1]]
    if kind == "image":
        title = draw(st.none() | st.lists(st.sampled_from(PROSE), min_size=1, max_size=2))
        text = "![" + " ".join(ws) + "](zqimage.png"
        expected = [None, *ws, None]
        if title:
            text += " '" + " ".join(title).replace("'", "\\'") + "'"
            expected += [*title, None]
        return text + ")", expected
    if kind == "autolink":
        return "<https://zqurl.example/zq>", []
    if kind == "abbr":
        return "<abbr title=\"" + " ".join(ws) + "\">" + ws[0] + "</abbr>", [None, *ws, None, ws[0]]
    if kind == "br":
        return draw(st.sampled_from(["<br>", "<br/>", "<br />"])), []
    if kind == "comment":
        return "<!-- zqcomment -->", []
    raise AssertionError(kind)


@st.composite
def line(draw: st.DrawFn, in_table: bool = False) -> tuple[str, Expected]:
    first = draw(st.sampled_from(PROSE))
    pieces = draw(st.lists(inline_piece(in_table), max_size=4))
    text = " ".join([first] + [p[0] for p in pieces])
    expected: Words = [first]
    for _, e in pieces:
        expected += e
    return text, expected


@st.composite
def lines(draw: st.DrawFn, indent: str = "") -> tuple[str, Expected]:
    """Lines of one paragraph, joined by soft or hard breaks."""
    parts = draw(st.lists(line(), min_size=1, max_size=3))
    text, expected = parts[0][0], list(parts[0][1])
    for t, e in parts[1:]:
        text += draw(st.sampled_from(["\n", " \n", "  \n", "\\\n"])) + indent + t
        expected += e
    return text, expected


@st.composite
def block(draw: st.DrawFn) -> tuple[str, Expected, str]:
    """A block, its expected words, and its kind."""
    kind = draw(st.sampled_from(["paragraph", "heading", "setext", "list", "ordered", "quote",
                                 "fence", "indented", "table", "html", "comment", "hr"]))
    if kind == "paragraph":
        text, expected = draw(lines())
        return text, [None, *expected, None], kind
    if kind == "heading":
        text, expected = draw(line())
        closing = draw(st.sampled_from(["", " #", " ###"]))
        return "#" * draw(st.integers(1, 6)) + " " + text + closing, [None, *expected, None], kind
    if kind == "setext":
        text, expected = draw(lines())
        return text + "\n" + draw(st.sampled_from(["===", "---"])), [None, *expected, None], kind
    if kind in ("list", "ordered"):
        items = draw(st.lists(lines(indent="   "), min_size=1, max_size=3))
        marker = "-  " if kind == "list" else "1. "
        text = "\n".join(marker + t for t, _ in items)
        out: Words = []
        for _, e in items:
            out += [None, *e, None]
        return text, out, kind
    if kind == "quote":
        text, expected = draw(lines(indent=draw(st.sampled_from(["> ", ">", ""]))))
        return "> " + text, [None, *expected, None], kind
    if kind == "fence":
        fence = draw(st.sampled_from(["```\nzqcode <p>zq</p>\n```", "~~~ zq\nzq\n\nzq\n~~~"]))
        return fence, [], kind
    if kind == "indented":
        return "    zqcode\n\n    zq <b>zq</b>", [], kind
    if kind == "table":
        columns = draw(st.integers(1, 3))
        rows = draw(st.lists(st.lists(line(in_table=True), min_size=columns, max_size=columns),
                             min_size=1, max_size=3))
        outer = draw(st.booleans())
        out = []
        table: list[str] = []
        for i, row in enumerate(rows):
            cells = " | ".join(t for t, _ in row)
            piped = outer or columns == 1
            table.append("| " + cells + " |" if piped else cells)
            if i == 0:
                table.append("|" + "---|" * columns if piped else " | ".join(["---"] * columns))
            for _, e in row:
                out += [None, *e, None]
        return "\n".join(table), out, kind
    if kind == "html":
        ws = prose(draw)
        title = prose(draw)
        text = '<div title="' + " ".join(title) + '">\n' + " ".join(ws) + "\n</div>"
        return text, [None, *title, None, *ws, None], kind
    if kind == "comment":
        return "<!-- zqcomment\n\nzq -->", [], kind
    if kind == "hr":
        return "***", [], kind
    raise AssertionError(kind)


@st.composite
def front_matter(draw: st.DrawFn) -> tuple[str, Expected]:
    title = prose(draw, vocabulary=FRONT)
    tags = prose(draw, vocabulary=FRONT)
    summary = prose(draw, vocabulary=FRONT)
    body = [prose(draw, vocabulary=FRONT) for _ in range(2)]
    text = (
        "---\ntitle: " + " ".join(title) + "\nzqkey: 12\ntags: [" + ", ".join(tags) + "]\n"
        "summary: '" + " ".join(summary).replace("'", "''") + "'\n"
        "body: |\n  " + " ".join(body[0]) + "\n  " + " ".join(body[1]) + "\n---"
    )
    expected: Words = [None, *title, None]
    for tag in tags:
        expected += [tag, None]
    expected += [*summary, None, *body[0], *body[1], None]
    return text, expected


@st.composite
def document(draw: st.DrawFn, with_front_matter: bool = True) -> tuple[str, Expected]:
    blocks = draw(st.lists(block(), max_size=6))
    parts: list[str] = []
    expected: Words = []
    if with_front_matter and draw(st.booleans()):
        text, e = draw(front_matter())
        parts.append(text)
        expected += e
    previous = ""
    for text, e, kind in blocks:
        if kind == "indented" and previous in ("list", "ordered"):
            continue  # it would continue the list item
        parts.append(text)
        expected += e
        previous = kind
    text = "\n\n".join(parts)
    if draw(st.booleans()):
        text += "\n"
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text, expected


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document())
def test_generated_documents_keep_every_invariant(case: tuple[str, Expected]) -> None:
    text, expected = case
    doc = read(text)
    check_map(doc, decoded)
    check_words(doc)
    check_expected(doc, expected)


def _renderer() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document(with_front_matter=False))
def test_generated_documents_read_as_their_html_rendering(case: tuple[str, Expected]) -> None:
    """The same words as the HTML reader finds in markdown-it's rendering of the document."""
    text, _ = case
    rendered = _renderer().render(text)
    assert Counter(words(read(text))) == Counter(words(html_reader.read("a.html", rendered, False)))


@pytest.mark.parametrize("text", [
    "[a]", "[a](", "![a](b", "<a", "<!--", "`", "\\", "&", "&#", "|", "| a |\n|", "---\n",
    "---\n---",
    "*a **b* c**", "[a *b](c) d*", "[[a](b)](c)", "![![a](b)](c)", "a\n\n    b\n  c", "<div\n\nx",
    "> > > a\n> b\nc", "1. a\n\n   > b\n   > c", "- a\n\n      b", "\t\t- a\n\t\t  b", "a\u2028b",
    "&#x110000; &#55296; &nbsp", "[a]: <b> 'c\n\n[a]", "\r\r\n\n\r", "# a #\t#",
])
def test_odd_inputs_keep_the_map(text: str) -> None:
    check_map(read(text), decoded)
    check_map(read(text.replace("\n", "\r\n")), decoded)


# What the reader records for suppression comments.


def test_comments_are_the_html_comments_markdown_sees() -> None:
    from glossary_check.documents import read_document

    text = ("\ufeffКиїв <!-- a -->\r\n\r\n`<!-- code span -->` <a title=\"<!-- attr -->\">x</a>\r\n"
            "\r\n```\r\n<!-- fence -->\r\n```\r\n\r\n> <div>\r\n> <!-- b\r\n> c -->\r\n")
    doc = read_document("a.md", text.encode("utf-8"))
    body = text.removeprefix("\ufeff")
    assert [body[c.body_start : c.body_end] for c in doc.comments] == [" a ", " b\r\n> c "]
    assert [body[c.start : c.end] for c in doc.comments] == ["<!-- a -->", "<!-- b\r\n> c -->"]


def test_blocks_are_whole_lines_nested_as_markdown_nests_them() -> None:
    from glossary_check.documents import read_document

    text = "# Title\n\n- one\n- two\n\n  more\n\n| a | b |\n|---|---|\n| c | d |\n"
    doc = read_document("a.md", text.encode("utf-8"))
    kinds = [(b.kind, text[b.start : b.end], b.parent) for b in doc.blocks]
    assert kinds[:7] == [
        ("heading", "# Title\n", -1),
        ("bullet_list", "- one\n- two\n\n  more\n\n", -1),  # markdown-it's lines
        ("list_item", "- one\n", 1),
        ("paragraph", "- one\n", 2),
        ("list_item", "- two\n\n  more\n\n", 1),
        ("paragraph", "- two\n", 4),
        ("paragraph", "  more\n", 4),
    ]
    assert [k for k, _, _ in kinds[7:]] == ["table", "thead", "tr", "tbody", "tr"]
