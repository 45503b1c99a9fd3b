"""`glossary-check lsp` end to end: a real LSP client (pytest-lsp) starts
`python -m glossary_check lsp` in a workspace folder and talks to it over stdio.

Expected ranges are counted here by hand or by encoding the text (UTF-16 code
units are two bytes of UTF-16-LE), never with the server's own conversion.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import os
import sys
import textwrap
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="the lsp extra is not installed")
pytest.importorskip("pytest_lsp", reason="pytest-lsp is not installed")
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from conftest import RunCli

TINY_MODEL = Path(__file__).parent / "fixtures" / "tiny-ru-en.argosmodel"

UK_GLOSSARY = """\
version: 1
language: uk
entries:
  - term: Київ
    kind: place
    variants: [Киев]
    note: українська назва
    url: https://uk.wikipedia.org/wiki/Київ
  - term: Олександр Сирський
    kind: person
    variants: [Александр Сырский]
"""
EN_GLOSSARY = """\
version: 1
language: en
entries:
  - term: Kyiv
    kind: place
    variants: [Kiev]
    sources: {ru: [Киев], uk: [Київ]}
    note: Ukrainian-derived spelling
    url: https://en.wikipedia.org/wiki/Kyiv
  - term: Recep Tayyip Erdoğan
    kind: person
    aliases: [Erdoğan]
    sources: {ru: [Реджеп Тайип Эрдоган, Эрдоган]}
"""
#: Emoji (two UTF-16 units each), a combining acute (a code point of its own), CRLF.
UK_TEXT = "Привіт 👋🏽 з Киев.\r\nЗаписка́ про Киев і Александр Сырский.\r\n"
EN_TEXT = "Officials in Киеве said Kiev was calm.\nЭрдоган spoke. Kiev 🇺🇦 again.\n"


def workspace(root: Path, glossary: str, config: str = "") -> Path:
    """A folder whose pyproject.toml names its glossary, as a desk's repository would."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "desk.yaml").write_text(glossary, encoding="utf-8")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "desk"\n\n[tool.glossary-check]\nglossary = "desk.yaml"\n'
        + textwrap.dedent(config), encoding="utf-8")
    return root


@contextlib.asynccontextmanager
async def serving(root: Path, *flags: str, encodings: Sequence[str] | None = None,
                  env: dict[str, str] | None = None,
                  ) -> AsyncIterator[tuple[LanguageClient, lsp.InitializeResult]]:
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "glossary_check", "lsp", "--stdio",
                        "--debounce", "0.05", "--reload-interval", "0.2", *flags],
        server_env={**os.environ, **(env or {})})
    client = await config.start()
    capabilities = copy.deepcopy(client_capabilities("visual-studio-code"))
    if encodings is not None:
        assert capabilities.general is not None
        capabilities.general.position_encodings = list(encodings)
    try:
        result = await client.initialize_session(lsp.InitializeParams(
            capabilities=capabilities, root_uri=root.as_uri(),
            workspace_folders=[lsp.WorkspaceFolder(root.as_uri(), root.name)]))
        yield client, result
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.shutdown_session(), 10)
        await client.stop()


async def until(client: LanguageClient, ready: Callable[[], bool], timeout: float = 60) -> None:
    """Wait for what the server sends until `ready()` holds.

    Polled: the client records each notification as it comes, and waiting on one with a
    time-out would leave a cancelled future behind that the next notification fails to
    resolve, losing that notification."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not ready():
        if loop.time() > deadline:
            raise AssertionError("the server did not send what was expected in time")
        await asyncio.sleep(0.02)


def open_document(client: LanguageClient, path: Path, text: str, language: str = "plaintext",
                  version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(
        lsp.TextDocumentItem(uri, language, version, text)))
    return uri


def change(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        lsp.VersionedTextDocumentIdentifier(version=version, uri=uri),
        [lsp.TextDocumentContentChangeWholeDocument(text)]))


async def diagnostics(client: LanguageClient, uri: str,
                      ready: Callable[[Sequence[lsp.Diagnostic]], bool] = bool,
                      ) -> Sequence[lsp.Diagnostic]:
    await until(client, lambda: uri in client.diagnostics and ready(client.diagnostics[uri]))
    return client.diagnostics[uri]


def spans(found: Sequence[lsp.Diagnostic]) -> list[tuple[str, int, int, int, int]]:
    return sorted((str(d.code), d.range.start.line, d.range.start.character,
                   d.range.end.line, d.range.end.character) for d in found)


def utf16_offset(text: str, position: lsp.Position) -> int:
    """A code-point offset from an LSP position in UTF-16 units (lines: \\r\\n, \\r, \\n)."""
    starts = [0]
    i = 0
    while i < len(text):
        if text[i] == "\r" and text[i + 1 : i + 2] == "\n":
            i += 1
        if text[i] in "\r\n":
            starts.append(i + 1)
        i += 1
    start = starts[position.line]
    units = 0
    at = start
    while units < position.character:
        units += len(text[at].encode("utf-16-le")) // 2
        at += 1
    return at


def utf16_position(text: str, offset: int) -> lsp.Position:
    before = text[:offset].replace("\r\n", "\n").replace("\r", "\n")
    line = before.count("\n")
    column = before.rsplit("\n", 1)[-1]
    return lsp.Position(line, len(column.encode("utf-16-le")) // 2)


def apply_edit(text: str, uri: str, edit: lsp.WorkspaceEdit | None) -> str:
    """What an editor does with a workspace edit (UTF-16 positions)."""
    assert edit is not None
    edits: list[lsp.TextEdit] = []
    for document_edit in edit.document_changes or []:
        assert isinstance(document_edit, lsp.TextDocumentEdit)
        assert document_edit.text_document.uri == uri
        edits += [e for e in document_edit.edits if isinstance(e, lsp.TextEdit)]
    edits += list((edit.changes or {}).get(uri, []))
    spans_ = sorted(((utf16_offset(text, e.range.start), utf16_offset(text, e.range.end),
                      e.new_text) for e in edits), reverse=True)
    for start, end, new in spans_:
        text = text[:start] + new + text[end:]
    return text


async def actions(client: LanguageClient, uri: str, start: lsp.Position, end: lsp.Position,
                  only: list[str] | None = None) -> list[lsp.CodeAction]:
    found = await client.text_document_code_action_async(lsp.CodeActionParams(
        lsp.TextDocumentIdentifier(uri), lsp.Range(start, end),
        lsp.CodeActionContext(diagnostics=[], only=only)))
    return [a for a in found or [] if isinstance(a, lsp.CodeAction)]


@pytest.mark.asyncio
async def test_diagnostics_in_cyrillic_text_with_emoji_accents_and_crlf(tmp_path: Path) -> None:
    root = workspace(tmp_path / "desk", UK_GLOSSARY, """
        [tool.glossary-check.severity]
        variant = "warning"
        """)
    async with serving(root) as (client, result):
        assert result.capabilities.position_encoding == lsp.PositionEncodingKind.Utf16
        uri = open_document(client, root / "story.txt", UK_TEXT)
        found = await diagnostics(client, uri)
        # counted by hand: "Привіт " 7, 👋 2, 🏽 2, " з " 3; "Записка́" 8 (with its accent)
        assert spans(found) == [("variant", 0, 14, 0, 18), ("variant", 1, 13, 1, 17),
                                ("variant", 1, 20, 1, 37)]
        assert {d.severity for d in found} == {lsp.DiagnosticSeverity.Warning}  # the config's
        assert {d.source for d in found} == {"glossary-check"}
        assert all(d.message.startswith("'") for d in found)
        for d in found:  # each range covers exactly the finding's text
            text = UK_TEXT[utf16_offset(UK_TEXT, d.range.start):
                           utf16_offset(UK_TEXT, d.range.end)]
            assert text in ("Киев", "Александр Сырский")


@pytest.mark.asyncio
@pytest.mark.parametrize(("offered", "taken", "first"), [
    (["utf-16", "utf-32"], "utf-32", (0, 12, 0, 16)),  # code points
    (["utf-8"], "utf-8", (0, 25, 0, 33)),  # bytes: 6 Cyrillic letters 12, emoji 4+4, " з " 4
])
async def test_utf32_is_taken_when_offered_and_utf8_is_counted_in_bytes(
    tmp_path: Path, offered: list[str], taken: str, first: tuple[int, int, int, int]
) -> None:
    root = workspace(tmp_path / "desk", UK_GLOSSARY)
    async with serving(root, encodings=offered) as (client, result):
        assert result.capabilities.position_encoding == taken
        uri = open_document(client, root / "story.txt", UK_TEXT)
        found = await diagnostics(client, uri)
        assert spans(found)[0] == ("variant", *first)
        line = UK_TEXT.split("\r\n")[0]
        start = first[1]
        if taken == "utf-8":
            assert line.encode()[start:first[3]].decode() == "Киев"
        else:
            assert line[start:first[3]] == "Киев"


@pytest.mark.asyncio
async def test_a_byte_order_mark_and_no_final_newline(tmp_path: Path) -> None:
    root = workspace(tmp_path / "desk", UK_GLOSSARY)
    async with serving(root) as (client, _):
        text = "\ufeffКиев 👋 Киев"
        uri = open_document(client, root / "bom.txt", text)
        found = await diagnostics(client, uri)
        assert spans(found) == [("variant", 0, 1, 0, 5), ("variant", 0, 9, 0, 13)]


@pytest.mark.asyncio
async def test_code_actions_apply_and_the_diagnostics_follow_the_edit(tmp_path: Path) -> None:
    root = workspace(tmp_path / "desk", EN_GLOSSARY)
    async with serving(root) as (client, _):
        uri = open_document(client, root / "story.txt", EN_TEXT)
        found = await diagnostics(client, uri)
        assert [c for c, *_ in spans(found)].count("variant") == 2
        kiev = next(d for d in found if d.code == "variant")
        fixes = await actions(client, uri, kiev.range.start, kiev.range.start)
        quick = [a for a in fixes if a.kind == lsp.CodeActionKind.QuickFix]
        assert len(quick) == 1 and quick[0].is_preferred
        assert "'Kiev' with 'Kyiv'" in quick[0].title
        assert quick[0].diagnostics and quick[0].diagnostics[0].code == "variant"

        erdogan = EN_TEXT.index("Эрдоган")
        unsafe = await actions(client, uri, utf16_position(EN_TEXT, erdogan + 2),
                               utf16_position(EN_TEXT, erdogan + 3))
        [risky] = [a for a in unsafe if a.kind == lsp.CodeActionKind.QuickFix]
        assert not risky.is_preferred and "unsafe" in risky.title
        assert apply_edit(EN_TEXT, uri, risky.edit).count("Recep Tayyip Erdoğan spoke") == 1

        fixed = apply_edit(EN_TEXT, uri, quick[0].edit)
        assert fixed == EN_TEXT.replace("Kiev", "Kyiv", 1)
        change(client, uri, fixed, 2)
        after = await diagnostics(client, uri,
                                  lambda ds: [d.code for d in ds].count("variant") == 1)
        [left] = [d for d in after if d.code == "variant"]
        assert fixed[utf16_offset(fixed, left.range.start):
                     utf16_offset(fixed, left.range.end)] == "Kiev"
        assert utf16_position(fixed, fixed.index("Kiev 🇺🇦")) == left.range.start


@pytest.mark.asyncio
async def test_fix_all_safe_leaves_the_unsafe_ones(tmp_path: Path) -> None:
    root = workspace(tmp_path / "desk", EN_GLOSSARY)
    async with serving(root) as (client, _):
        text = EN_TEXT.replace("\n", "\r\n")
        uri = open_document(client, root / "story.txt", text)
        await diagnostics(client, uri)
        end = utf16_position(text, len(text))
        [fix_all] = await actions(client, uri, lsp.Position(0, 0), end, only=["source.fixAll"])
        assert fix_all.kind == "source.fixAll.glossary-check"
        fixed = apply_edit(text, uri, fix_all.edit)
        assert fixed == text.replace("Kiev", "Kyiv")  # CRLF and the rest untouched
        change(client, uri, fixed, 2)
        after = await diagnostics(client, uri,
                                  lambda ds: not any(d.code == "variant" for d in ds))
        assert sorted(str(d.code) for d in after) == ["source-form", "source-form"]
        assert await actions(client, uri, lsp.Position(0, 0), end, only=["source"]) == []
        quick = await actions(client, uri, lsp.Position(0, 0), end, only=["quickfix"])
        assert len(quick) == 2 and not any(a.is_preferred for a in quick)


@pytest.mark.asyncio
async def test_hover_shows_the_message_note_and_link(tmp_path: Path) -> None:
    root = workspace(tmp_path / "desk", EN_GLOSSARY)
    async with serving(root) as (client, _):
        uri = open_document(client, root / "story.txt", EN_TEXT)
        await diagnostics(client, uri)
        at = utf16_position(EN_TEXT, EN_TEXT.index("Kiev") + 2)
        hover = await client.text_document_hover_async(lsp.HoverParams(
            lsp.TextDocumentIdentifier(uri), at))
        assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
        shown = hover.contents.value
        assert "variant" in shown and "is a variant of" in shown
        assert "Note: Ukrainian" in shown
        assert "<https://en.wikipedia.org/wiki/Kyiv>" in shown
        assert "safe fix" in shown
        assert hover.range == lsp.Range(utf16_position(EN_TEXT, EN_TEXT.index("Kiev")),
                                        utf16_position(EN_TEXT, EN_TEXT.index("Kiev") + 4))
        nothing = await client.text_document_hover_async(lsp.HoverParams(
            lsp.TextDocumentIdentifier(uri), lsp.Position(0, 2)))
        assert nothing is None


@pytest.mark.asyncio
async def test_markdown_and_html_documents_python_is_left_alone(tmp_path: Path) -> None:
    root = workspace(tmp_path / "desk", EN_GLOSSARY)
    async with serving(root) as (client, _):
        code = open_document(client, root / "tool.py", "print('Kiev')\n", "python")
        markdown = "# Kiev\n\nIn `Kiev` code, but **Kiev** here.\n"
        md = open_document(client, root / "story.md", markdown, "markdown")
        html = "<p title=\"Kiev\">Kiev &amp; <b>Kiev</b></p>\n<script>let Kiev;</script>\n"
        page = open_document(client, root / "page.htm", html, "")  # by its extension
        found_md = await diagnostics(client, md)
        found_html = await diagnostics(client, page)
        starts = sorted(utf16_offset(markdown, d.range.start) for d in found_md)
        assert starts == [2, markdown.index("**Kiev**") + 2]  # not in code
        html_starts = sorted(utf16_offset(html, d.range.start) for d in found_html)
        assert html_starts == [html.index("Kiev"), html.index(">Kiev") + 1,
                               html.index("<b>Kiev") + 3]  # the title too, not the script
        assert code not in client.diagnostics
        [fix_all] = await actions(client, page, lsp.Position(0, 0), lsp.Position(2, 0),
                                  only=["source.fixAll"])
        assert apply_edit(html, page, fix_all.edit) == html.replace(
            "Kiev", "Kyiv", 3)  # markup, entities and the script untouched


@pytest.mark.asyncio
async def test_the_glossary_is_reloaded_and_a_broken_one_keeps_the_old(tmp_path: Path) -> None:
    root = workspace(tmp_path / "desk", EN_GLOSSARY)
    glossary = root / "desk.yaml"
    async with serving(root) as (client, _):
        text = "Kiev and Odessa.\n"
        uri = open_document(client, root / "story.txt", text)
        first = await diagnostics(client, uri)
        assert [d.code for d in first] == ["variant"]

        glossary.write_text(EN_GLOSSARY + "  - term: Odesa\n    variants: [Odessa]\n",
                            encoding="utf-8")
        client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(
            [lsp.FileEvent(glossary.as_uri(), lsp.FileChangeType.Changed)]))
        reloaded = await diagnostics(client, uri, lambda ds: len(ds) == 2)
        assert sorted(d.range.start.character for d in reloaded) == [0, 9]

        glossary.write_text("version: 1\nentries: [oops\n", encoding="utf-8")
        await until(client, lambda: any("did not reload" in m.message
                                        for m in client.messages))
        [said] = [m for m in client.messages if "did not reload" in m.message]
        assert said.type == lsp.MessageType.Error
        assert "desk.yaml" in said.message
        change(client, uri, text + "Kiev.\n", 2)
        kept = await diagnostics(client, uri, lambda ds: len(ds) == 3)
        assert sorted(str(d.code) for d in kept) == ["variant"] * 3  # Odessa still known

        glossary.write_text(EN_GLOSSARY, encoding="utf-8")  # mended: the poll finds it
        mended = await diagnostics(client, uri, lambda ds: len(ds) == 2)
        assert all("Odessa" not in d.message for d in mended)
        assert any("generation 3" in m.message for m in client.log_messages)


@pytest.mark.asyncio
async def test_a_glossary_broken_from_the_start_is_said_and_mended(tmp_path: Path) -> None:
    root = workspace(tmp_path / "desk", "version: 1\nentries:\n  - term: [\n")
    async with serving(root) as (client, _):
        uri = open_document(client, root / "story.txt", "Kiev.\n")
        await until(client, lambda: bool(client.messages))
        assert "did not load" in client.messages[0].message
        assert "desk.yaml" in client.messages[0].message
        (root / "desk.yaml").write_text(EN_GLOSSARY, encoding="utf-8")
        found = await diagnostics(client, uri)
        assert [d.code for d in found] == ["variant"]


@pytest.mark.asyncio
async def test_flags_override_the_workspace_configuration(tmp_path: Path) -> None:
    root = workspace(tmp_path / "desk", EN_GLOSSARY, 'ignore = ["variant"]\n')
    async with serving(root, "--ignore", "source-form") as (client, _):
        uri = open_document(client, root / "story.txt", EN_TEXT)
        found = await diagnostics(client, uri)
        codes = {d.code for d in found}
        assert "variant" in codes and "source-form" not in codes
    async with serving(root) as (client, _):
        uri = open_document(client, root / "story.txt", EN_TEXT)
        found = await diagnostics(client, uri)
        assert "variant" not in {d.code for d in found}
        assert "source-form" in {d.code for d in found}


@pytest.mark.translate
@pytest.mark.asyncio
async def test_hover_shows_the_machine_translation(tmp_path: Path, run_cli: RunCli) -> None:
    pytest.importorskip("ctranslate2")
    pytest.importorskip("argostranslate.package")
    env = {"ARGOS_PACKAGES_DIR": str(tmp_path / "argos"),
           "GLOSSARY_CHECK_CACHE_DIR": str(tmp_path / "cache")}
    code, _, err = run_cli("models", "install", str(TINY_MODEL), env=env)
    assert code == 0, err
    root = workspace(tmp_path / "desk", EN_GLOSSARY, 'ignore = ["source-form"]\n')
    async with serving(root, env=env) as (client, _):
        text = "Talks resumed.\n\nНовости из Киева.\n"
        uri = open_document(client, root / "story.txt", text)
        found = await diagnostics(client, uri)
        [untranslated] = [d for d in found if d.code == "untranslated"]
        hover = await client.text_document_hover_async(lsp.HoverParams(
            lsp.TextDocumentIdentifier(uri), untranslated.range.start))
        assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
        assert "Machine translation (ru): News from Kiev" in hover.contents.value
        assert "News from Kyiv" in hover.contents.value  # the desk's rendering, as the CLI
        # the report calls the translation an unsafe fix; so does the code action
        found_actions = await actions(client, uri, untranslated.range.start,
                                      untranslated.range.end)
        [translate] = [a for a in found_actions if a.kind == lsp.CodeActionKind.QuickFix]
        assert "unsafe" in translate.title and not translate.is_preferred
        assert apply_edit(text, uri, translate.edit) == "Talks resumed.\n\nNews from Kyiv.\n"
        assert await actions(client, uri, lsp.Position(0, 0), lsp.Position(3, 0),
                             only=["source.fixAll"]) == []  # never among the safe ones


def test_the_command_is_listed_and_says_what_it_needs(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_cli("--help")
    assert code == 0 and "glossary-check lsp" in out
    code, out, _ = run_cli("lsp", "--help")
    assert code == 0 and "--debounce" in out and "[tool.glossary-check]" not in out
    from glossary_check.commands import lsp as command
    from glossary_check.core.errors import UsageError

    monkeypatch.setitem(sys.modules, "glossary_check.commands.lsp_server", None)
    with pytest.raises(UsageError, match=r"pip install 'glossary-check\[lsp\]'"):
        command.main([])


@pytest.mark.asyncio
async def test_what_cannot_be_checked_is_one_error_where_it_is(tmp_path: Path) -> None:
    root = workspace(tmp_path / "desk", EN_GLOSSARY)
    async with serving(root) as (client, _):
        deep = "Kiev.\n\n" + "> " * 60 + "Kiev\n"
        md = open_document(client, root / "deep.md", deep, "markdown")
        nul = open_document(client, root / "nul.txt", "Kiev\x00Kiev\n")
        lone = open_document(client, root / "lone.txt", "Kiev \ud800 Kiev\n")
        for uri in (md, nul, lone):
            [error] = await diagnostics(client, uri)
            assert error.severity == lsp.DiagnosticSeverity.Error
            assert error.code == "unreadable"
        [deep_error] = client.diagnostics[md]
        assert deep_error.range.start.line == 2 and "deep.md:3:" in deep_error.message
        assert "lone surrogate" in client.diagnostics[lone][0].message
        change(client, lone, "Kiev\n", 2)  # mended: checked again
        [finding] = await diagnostics(client, lone, lambda ds: ds[0].code != "unreadable")
        assert finding.code == "variant"


def test_the_readme_editor_snippets_start_this_server() -> None:
    """The VS Code and Helix snippets parse, and every snippet starts `glossary-check lsp`."""
    import json
    import re
    import tomllib

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## In the editor: `glossary-check lsp`", 1)[1].split("\n## ", 1)[0]
    blocks = dict.fromkeys(("json", "toml", "lua"), "")
    for language, body in re.findall(r"```(\w+)\n(.*?)```", section, re.S):
        blocks[language] += body
    vscode = json.loads(blocks["json"])
    assert [vscode["glspc.serverCommand"], *vscode["glspc.serverCommandArguments"]] == [
        "glossary-check", "lsp"]
    helix = tomllib.loads(blocks["toml"])
    server = helix["language-server"]["glossary-check"]
    assert [server["command"], *server["args"]] == ["glossary-check", "lsp"]
    assert all("glossary-check" in language["language-servers"]
               for language in helix["language"])
    assert blocks["lua"].count('{ "glossary-check", "lsp" }') == 2


@pytest.mark.asyncio
async def test_without_polling_a_check_or_a_file_event_reloads(tmp_path: Path) -> None:
    root = workspace(tmp_path / "desk", EN_GLOSSARY)
    glossary = root / "desk.yaml"
    async with serving(root, "--reload-interval", "0") as (client, _):
        text = "Kiev and Odessa.\n"
        uri = open_document(client, root / "story.txt", text)
        assert len(await diagnostics(client, uri)) == 1
        glossary.write_text(EN_GLOSSARY + "  - term: Odesa\n    variants: [Odessa]\n",
                            encoding="utf-8")
        change(client, uri, text, 2)  # the files are looked at before each check
        assert len(await diagnostics(client, uri, lambda ds: len(ds) == 2)) == 2
        glossary.write_text(EN_GLOSSARY, encoding="utf-8")
        await asyncio.sleep(0.5)
        assert len(client.diagnostics[uri]) == 2  # nobody looked: no poll, no event yet
        client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(
            [lsp.FileEvent(glossary.as_uri(), lsp.FileChangeType.Changed)]))
        assert len(await diagnostics(client, uri, lambda ds: len(ds) == 1)) == 1


@pytest.mark.asyncio
async def test_what_the_server_analysed_is_kept_when_it_shuts_down(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    root = workspace(tmp_path / "desk", EN_GLOSSARY)
    async with serving(root, env={"GLOSSARY_CHECK_CACHE_DIR": str(cache)}) as (client, _):
        uri = open_document(client, root / "story.txt", EN_TEXT)
        assert await diagnostics(client, uri)
        assert not list(cache.glob("analyses-*.bin"))
    assert list(cache.glob("analyses-*.bin"))  # written on the shutdown request
