"""The HTML reader: text and alt/title in the view, markup out, every character mapped back."""

from __future__ import annotations

import html

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossary_check.documents import BLOCK_BREAK, Document, DocumentError, read_document
from glossary_check.documents import html as reader
from glossary_check.engine.matching import WORD
from views import PARAGRAPH_BREAK, Expected, Words, check_expected, check_map, raw, words


def read(text: str) -> Document:
    return reader.read("page.html", text, False)


def shown(doc: Document) -> str:
    """The view with the white space around its blocks cut off."""
    return BLOCK_BREAK.join(blocks(doc))


def blocks(doc: Document) -> list[str]:
    """The non-blank blocks of the view, white space around them cut off."""
    return [b.strip() for b in PARAGRAPH_BREAK.split(doc.view) if b.strip()]


def reads_as(piece: str) -> str:
    """What a piece of the file reads as; never markup, only a lone `<` at most."""
    assert "<" not in piece or piece == "<", piece
    return html.unescape(piece)


def check_words(doc: Document) -> None:
    """Each word of the view is, in the file, that word as written or with entities."""
    for m in WORD.finditer(doc.view):
        start, end = doc.raw_span(m.start(), m.end())
        assert html.unescape(doc.text[start:end]) == m.group(), (m.group(), doc.text[start:end])


def checked(text: str) -> Document:
    doc = read(text)
    check_map(doc, reads_as)
    check_words(doc)
    return doc


# What is checked.


def test_text_of_block_elements_are_blocks() -> None:
    doc = checked(
        "<h1>Kyiv</h1><p>Kiev</p><ul><li>one<li>two</ul><table><tr><th>a<td>b</table>"
        "<blockquote>quote</blockquote><div>div</div><section>sec</section>"
    )
    assert blocks(doc) == ["Kyiv", "Kiev", "one", "two", "a", "b", "quote", "div", "sec"]


def test_inline_elements_keep_a_phrase_together() -> None:
    doc = checked("<p>The <em>Coalition</em> of <a href='/c'>the</a> <b>Willing</b></p>")
    assert shown(doc) == "The Coalition of the Willing"
    expected = "Coalition</em> of <a href='/c'>the</a> <b>Willing"
    assert raw(doc, "Coalition of the Willing") == expected


def test_markup_inside_a_word_joins_it() -> None:
    doc = read("<p>Ky<i>iv</i> Ki<!-- x -->ev</p>")
    check_map(doc, reads_as)
    assert shown(doc) == "Kyiv Kiev"
    assert raw(doc, "Kyiv") == "Ky<i>iv"


def test_title_element_is_checked() -> None:
    doc = checked("<html><head><title>Kiev news</title><meta name=x content='Kiev'></head></html>")
    assert blocks(doc) == ["Kiev news"]


def test_alt_and_title_attributes_are_blocks_of_their_own() -> None:
    doc = checked(
        '<p>See <img src="kiev.png" alt="The Kyiv skyline"> and '
        "<a href='https://kiev.example' title='Kyiv &amp; more'>this</a> now "
        "<abbr title=TASS>T</abbr> <img alt=''></p>"
    )
    assert blocks(doc) == ["See", "The Kyiv skyline", "and", "Kyiv & more", "this now", "TASS", "T"]
    assert raw(doc, "&") == "&amp;"
    assert "kiev" not in doc.view


def test_other_attributes_are_skipped() -> None:
    doc = checked('<p class="Kiev" data-x="Kiev" id=Kiev style="x:Kiev" lang="uk">Kyiv</p>')
    assert shown(doc) == "Kyiv"


def test_attribute_forms() -> None:
    doc = checked(
        "<img alt=Kyiv><img ALT = 'Kiev &eacute;' ><img alt=\"a>b\" title=\"c\"/>"
        "<img title=one title=two><img alt><img/alt=x>"
    )
    assert blocks(doc) == ["Kyiv", "Kiev é", "a>b", "c", "one", "x"]
    assert raw(doc, "é") == "&eacute;"


def test_br_is_a_line_break_not_a_block_break() -> None:
    doc = checked("<p>Kyiv<br>Kiev<br/>\n  Odesa\n<br>\nLviv<br><br>Kharkiv</p>")
    assert shown(doc) == "Kyiv\nKiev\nOdesa\nLviv\nKharkiv"


def test_blank_lines_inside_text_are_not_block_breaks() -> None:
    doc = checked("<p>Coalition of the\n\n   Willing</p>")
    assert shown(doc) == "Coalition of the\nWilling"
    assert raw(doc, "the\nWilling") == "the\n\n   Willing"


# What is skipped.


def test_script_style_template_and_code_are_skipped() -> None:
    doc = checked(
        "<p>Kyiv</p><script>var s = '<p>Kiev</p>';</script><style>p:after{content:'Kiev'}</style>"
        "<template><p>Kiev</p></template><pre>Kiev\n</pre><p>Use <code>Kiev</code> "
        "<kbd>Kiev</kbd> <samp>Kiev</samp> now</p><SCRIPT>Kiev</SCRIPT >"
    )
    assert blocks(doc) == ["Kyiv", "Use    now"]


def test_comments_doctype_and_processing_instructions_are_skipped() -> None:
    doc = checked(
        "<!DOCTYPE html><?xml version='1.0'?><!-- Kiev --><p>Kyiv</p>"
        "<![CDATA[Kiev]]><!Kiev>"
    )
    assert shown(doc) == "Kyiv"


def test_urls_and_emails_in_text_are_skipped() -> None:
    doc = checked("<p>See https://kiev.example/a?b=1&amp;c=2 or kiev@news.example.</p>")
    assert shown(doc) == "See  or ."


def test_hidden_markup_inside_skipped_elements_does_not_open_blocks() -> None:
    doc = checked("<p>a <code><div>Kiev</div></code> b</p>")
    assert shown(doc) == "a  b"


# Entities.


def test_entities_are_decoded_but_map_to_the_entity() -> None:
    doc = checked(
        "<p>Elysee&nbsp;Palace Caf&eacute; &#x41;&#66; &amp; &lt;p&gt; &copy 2024 AT&T</p>"
    )
    assert shown(doc) == "Elysee\xa0Palace Café AB & <p> © 2024 AT&T"
    assert raw(doc, "Elysee\xa0Palace") == "Elysee&nbsp;Palace"
    assert raw(doc, "Café") == "Caf&eacute;"
    assert raw(doc, "©") == "&copy"


def test_unknown_and_broken_references_stay_as_written() -> None:
    doc = checked("<p>&bogus; &#; &#x; & &#65 &#0; &#x110000;</p>")
    assert shown(doc) == "&bogus; &#; &#x; & A \ufffd \ufffd"


def test_broken_character_reference_does_not_swallow_markup() -> None:
    doc = checked("<p>a &#; b</p><p><b>Kyiv</b> &#x;</p><p>Kiev</p>")
    assert blocks(doc) == ["a &#; b", "Kyiv &#x;", "Kiev"]


# Malformed input.


def test_unclosed_and_stray_tags() -> None:
    doc = checked("<p>Kyiv<p>Kiev</div></span><li>Odesa<p>a <code>x</p><p>Lviv")
    assert blocks(doc) == ["Kyiv", "Kiev", "Odesa", "a", "Lviv"]


def test_less_than_signs_in_text() -> None:
    doc = checked("<p>a < b, 1 <2, <3 and <> </ >x</p>")
    assert shown(doc) == "a < b, 1 <2, <3 and <> x"


def test_tag_cut_off_by_the_end_of_the_file_is_dropped() -> None:
    assert shown(checked("<p>Kyiv</p><a href='x")) == "Kyiv"
    assert shown(checked("<p>Kyiv</p><a href='x'")) == "Kyiv"
    assert shown(checked("<p>Kyiv</p></p")) == "Kyiv"
    assert shown(checked("<p>Kyiv</p><!DOCTYPE")) == "Kyiv"


def test_malformed_tag_is_not_text() -> None:
    doc = checked('<p>Kyiv</p><div class="a"x">Kiev</div>')
    assert "Kyiv" in doc.view and "class" not in doc.view


def test_unterminated_comment_is_an_error() -> None:
    with pytest.raises(DocumentError) as caught:
        read("<p>Kyiv</p>\n  <!-- Kiev\n<p>more</p>")
    assert (caught.value.line, caught.value.column) == (2, 3)
    assert "comment" in caught.value.message
    with pytest.raises(DocumentError):
        read("<p>Kyiv</p><!--")


def test_unclosed_script_is_an_error() -> None:
    with pytest.raises(DocumentError) as caught:
        read("<p>Kyiv</p>\n<script>var a = 1;\n<p>Kiev</p>")
    assert (caught.value.line, caught.value.column) == (2, 1)
    assert "script" in str(caught.value)


def test_scanning_html_inside_markdown_never_fails() -> None:
    from glossary_check.documents import ViewBuilder

    for text in ("<!-- Kiev", "<script>Kiev", "a <b"):
        out = ViewBuilder(text)
        reader.scan(out, text, strict=False)
        assert "Kiev" not in out.build("a", "html", False).view


def test_deep_nesting_and_many_unclosed_elements() -> None:
    doc = checked("<div>" * 5000 + "Kyiv" + "</div>" * 5000 + "<p>a" * 5000 + "</body>")
    assert words(doc).count("a") == 5000


# Text and encodings.


def test_crlf_line_endings() -> None:
    doc = checked("<p>Coalition of the\r\nWilling</p>\r\n<p>Kiev</p>\r\n")
    assert blocks(doc) == ["Coalition of the\r\nWilling", "Kiev"]


def test_bom_is_not_counted() -> None:
    doc = read_document("a.html", "\ufeff<p>Kyiv &amp; Kiev</p>".encode())
    assert doc.bom and doc.format == "html"
    at = doc.view.index("Kiev")
    assert doc.raw_span(at, at + 4) == (14, 18)
    check_map(doc, reads_as)


def test_combining_accents_no_break_spaces_and_cyrillic() -> None:
    doc = checked("<p>E\u0301lyse\u0301e\u00a0Palace, Київ, <b>Києві</b>\u00a0та</p>")
    assert shown(doc) == "E\u0301lyse\u0301e\u00a0Palace, Київ, Києві\u00a0та"
    assert raw(doc, "Києві\u00a0та") == "Києві</b>\u00a0та"


def test_no_final_newline_and_plain_text() -> None:
    assert shown(checked("Kyiv and Kiev")) == "Kyiv and Kiev"
    assert shown(checked("")) == ""


# The invariant over generated pages.

PROSE = ("Kyiv", "Kiev", "Coalition", "Willing", "Élysée", "E\u0301lyse\u0301e", "Київ", "Киев",
         "O'Brien", "naïve", "TASS", "2024")


def prose(draw: st.DrawFn, most: int = 3) -> list[str]:
    return draw(st.lists(st.sampled_from(PROSE), min_size=1, max_size=most))


def attribute(name: str, value: str, quote: str) -> str:
    return f"{name}={quote}{value}{quote}"


@st.composite
def inline_piece(draw: st.DrawFn) -> tuple[str, Expected]:
    kind = draw(st.sampled_from([
        "word", "inline", "link", "image", "br", "entity", "nbsp", "numeric", "amp", "code",
        "comment", "script", "url", "email", "less",
    ]))
    ws = prose(draw)
    quote = draw(st.sampled_from(['"', "'"]))
    if kind == "word":
        return ws[0], [ws[0]]
    if kind == "inline":
        tag = draw(st.sampled_from(["em", "strong", "b", "i", "span", "q", "small"]))
        return f"<{tag} class='zqattr'>" + " ".join(ws) + f"</{tag}>", list(ws)
    if kind == "link":
        title = prose(draw)
        value = " ".join(title).replace(quote, "&#39;" if quote == "'" else "&quot;")
        return (
            f"<a href='https://zqurl.example/zq' {attribute('title', value, quote)}>"
            + " ".join(ws) + "</a>",
            [None, *title, None, *ws],
        )
    if kind == "image":
        value = " ".join(ws).replace(quote, "&#39;" if quote == "'" else "&quot;")
        if len(ws) == 1 and draw(st.booleans()) and "'" not in ws[0]:
            return f"<img src=zq.png alt={ws[0]}>", [None, ws[0], None]
        return f"<img src='zq.png' {attribute('alt', value, quote)} />", [None, *ws, None]
    if kind == "br":
        return draw(st.sampled_from(["<br>", "<br/>", "<BR />", "</br>"])), []
    if kind == "entity":
        return "Caf&eacute;", ["Café"]
    if kind == "nbsp":
        return "Elysee&nbsp;Palace", ["Elysee", "Palace"]
    if kind == "numeric":
        return draw(st.sampled_from([("&#x4B;yiv", ["Kyiv"]), ("&#1050;иїв", ["Київ"])]))
    if kind == "amp":
        return draw(st.sampled_from(["&amp;", "&", "&#;"])), []
    if kind == "code":
        tag = draw(st.sampled_from(["code", "kbd", "samp"]))
        return f"<{tag}>zqcode <b>zq</b></{tag}>", []
    if kind == "comment":
        return "<!-- zqcomment <p> -->", []
    if kind == "script":
        return "<script>var zq = '<p>zq</p>';</script>", []
    if kind == "url":
        return "https://zqurl.example/zq?zq=1&amp;zq=2", []
    if kind == "email":
        return "zqmail@zqhost.example", []
    if kind == "less":
        return "&lt; < <>", []
    raise AssertionError(kind)


@st.composite
def text_run(draw: st.DrawFn) -> tuple[str, Expected]:
    first = draw(st.sampled_from(PROSE))
    pieces = draw(st.lists(inline_piece(), max_size=4))
    text = first
    expected: Words = [first]
    for t, e in pieces:
        text += draw(st.sampled_from([" ", "\n", "\r\n  ", " \n\n "])) + t
        expected += e
    return text, expected


@st.composite
def block(draw: st.DrawFn) -> tuple[str, Expected]:
    kind = draw(st.sampled_from([
        "p", "unclosed_p", "heading", "list", "table", "quote", "div", "title", "pre", "template",
        "style", "comment", "doctype", "pi", "hr",
    ]))
    if kind in ("p", "div", "quote", "heading", "title"):
        heading = draw(st.sampled_from(["h1", "h2", "h6"]))
        tag = {"heading": heading, "quote": "blockquote"}.get(kind, kind)
        text, expected = draw(text_run())
        return f"<{tag}>{text}</{tag}>", [None, *expected, None]
    if kind == "unclosed_p":
        text, expected = draw(text_run())
        return f"<p>{text}", [None, *expected, None]
    if kind == "list":
        items = draw(st.lists(text_run(), min_size=1, max_size=3))
        close = draw(st.sampled_from(["</li>", ""]))
        out: Words = []
        for _, e in items:
            out += [None, *e, None]
        return "<ul>" + "".join(f"<li>{t}{close}" for t, _ in items) + "</ul>", out
    if kind == "table":
        cells = draw(st.lists(text_run(), min_size=1, max_size=3))
        out = []
        for _, e in cells:
            out += [None, *e, None]
        row = "".join(f"<td>{t}</td>" for t, _ in cells)
        return "<table><tr>" + row + "</tr></table>", out
    if kind == "pre":
        return "<pre>zq <b>zq</b>\n  zq</pre>", []
    if kind == "template":
        return "<template><p>zq</p></template>", []
    if kind == "style":
        return "<style>p { zq: '</p>' }</style>", []
    if kind == "comment":
        return "<!-- zq\n<p>zq</p> -->", []
    if kind == "doctype":
        return "<!DOCTYPE html>", []
    if kind == "pi":
        return "<?xml version='1.0'?>", []
    if kind == "hr":
        return "<hr>", []
    raise AssertionError(kind)


@st.composite
def page(draw: st.DrawFn) -> tuple[str, Expected]:
    parts = draw(st.lists(block(), max_size=6))
    glue = draw(st.sampled_from(["", "\n", "\r\n", "\n\n  "]))
    text = glue.join(t for t, _ in parts)
    expected: Words = []
    for _, e in parts:
        expected += e
    if draw(st.booleans()):
        text = "<html><body>" + text + "</body></html>"
    return text, expected


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page())
def test_generated_pages_keep_every_invariant(case: tuple[str, Expected]) -> None:
    text, expected = case
    doc = read(text)
    check_map(doc, reads_as)
    check_words(doc)
    check_expected(doc, expected)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/!-?&#;=\"' \n\rabpKiv\u00a0\u0301")), max_size=60))
def test_any_input_keeps_the_map_or_is_an_error(text: str) -> None:
    try:
        doc = read(text)
    except DocumentError as error:
        assert error.line is not None and error.column is not None
        return
    check_map(doc, reads_as)


# What the reader records for suppression comments.


def test_pre_is_a_block_of_its_own() -> None:
    assert blocks(checked("Kyiv<pre>code</pre>Lviv")) == ["Kyiv", "Lviv"]


def test_comments_are_recorded_with_their_body_but_not_in_script_or_attributes() -> None:
    text = ('<p title="<!-- a -->">Kyiv <!-- b --></p><script>"<!-- c -->"</script>'
            "<code><!--d--></code><!x><!---->")
    doc = read(text)
    assert [(text[c.start : c.end], text[c.body_start : c.body_end]) for c in doc.comments] == [
        ("<!-- b -->", " b "), ("<!--d-->", "d"), ("<!---->", "")]


def test_elements_are_recorded_as_the_reader_closes_them() -> None:
    text = "<ul><li>Kyiv<li>Lviv <b>x</ul><hr><p>end"
    doc = read(text)
    spans = [(b.kind, text[b.start : b.end], text[b.inner_start : b.inner_end], b.breaks)
             for b in doc.blocks]
    assert spans == [
        ("ul", "<ul><li>Kyiv<li>Lviv <b>x</ul>", "<li>Kyiv<li>Lviv <b>x", True),
        ("li", "<li>Kyiv", "Kyiv", True),  # the next <li> closes it
        ("li", "<li>Lviv <b>x", "Lviv <b>x", True),  # </ul> closes what it holds
        ("b", "<b>x", "x", False),
        ("hr", "<hr>", "", True),
        ("p", "<p>end", "end", True),  # to the end of the file
    ]
    assert [b.parent for b in doc.blocks] == [-1, 0, 0, 2, -1, -1]
