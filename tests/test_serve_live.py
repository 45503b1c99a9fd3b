"""`glossary-check serve` on a real socket: a LanguageTool client and a browser against it."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="the serve extra is not installed")
import uvicorn

from glossary_check.commands.serve import build_parser, check_args
from glossary_check.commands.warm import Engine
from glossary_check.commands.web.app import Limits, create_app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "coalition-of-the-willing.txt"
CHROMIUM = "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The bundled glossary served by uvicorn on 127.0.0.1, in a thread, for this module."""
    engine = Engine(check_args(build_parser().parse_args(["--no-config", "--no-translate"])))
    port = _free_port()
    config = uvicorn.Config(create_app(engine, Limits(reload_interval=60)), host="127.0.0.1",
                            port=port, log_level="warning", lifespan="on")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the server did not start within 30 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(15)


def test_a_languagetool_client_shows_the_desks_findings(
    server: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    language_tool_python = pytest.importorskip("language_tool_python")
    from language_tool_python import download_lt
    from language_tool_python import server as lt_server

    def no_download(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the client tried to download LanguageTool")

    monkeypatch.setattr(download_lt, "download_lt", no_download)
    monkeypatch.setattr(lt_server, "download_lt", no_download)
    tool = language_tool_python.LanguageTool("en-US", remote_server=server)
    try:
        text = "Talks 🇺🇦 in Kiev with ITAR-TASS.\n"
        matches = tool.check(text)
        assert [(m.ruleId, text[m.offset : m.offset + m.errorLength]) for m in matches] == [
            ("variant", "Kiev"), ("variant", "ITAR-TASS")]
        assert matches[0].replacements == ["Kyiv"]
        assert matches[0].category == "GLOSSARY"
        assert matches[0].ruleIssueType == "terminology"
        assert tool.correct(text) == "Talks 🇺🇦 in Kyiv with TASS.\n"
    finally:
        tool.close()


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(),
                    reason=f"headless Chromium is not installed at {CHROMIUM}")
def test_the_editors_page_in_a_browser(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    article = EXAMPLE.read_text(encoding="utf-8") + "\nThe talks in Kiev went on.\n"
    outside: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--headless", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"])
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
            page.on("request", lambda r: None if r.url.startswith(server) else outside.append(
                r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(server + "/")
            expect(page.locator("#glossary")).to_contain_text("entries")
            page.fill("#article", article)
            page.click("#check")
            marks = page.locator("#view mark")
            marks.first.wait_for()
            count = page.locator("#findings li").count()
            assert count >= 4 and marks.count() >= 4
            texts = marks.all_text_contents()
            assert "Политика" in texts and "Kiev" in texts
            rules = {marks.nth(i).get_attribute("class") for i in range(marks.count())}
            assert {"rule-untranslated", "rule-source-form", "rule-variant"} <= rules
            assert page.locator("mark.rule-variant").evaluate(
                "m => getComputedStyle(m).backgroundColor") != page.locator(
                "mark.rule-untranslated").first.evaluate(
                "m => getComputedStyle(m).backgroundColor")

            kiev = page.locator("mark.rule-variant", has_text="Kiev")
            kiev.click()
            assert page.locator("#detail").is_visible()
            assert "Kyiv" in page.locator("#detail-rule").inner_text()
            page.locator("#detail-url").wait_for(state="visible")
            assert page.locator("#detail-url").inner_text() == "https://en.wikipedia.org/wiki/Kyiv"
            page.screenshot(path=str(tmp_path / "finding.png"), full_page=True)
            page.click("#fix-one")
            expect(page.locator("#article")).to_have_value(re.compile("talks in Kyiv"))
            fixed = page.input_value("#article")
            assert "The talks in Kyiv went on." in fixed and "Kiev" not in fixed
            at = article.rindex("Kiev")
            assert fixed == article[:at] + "Kyiv" + article[at + 4 :]  # only that one
            expect(page.locator("#findings li")).to_have_count(count - 1)
            assert "Kiev" not in page.locator("#view").inner_text()
            page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
        finally:
            browser.close()
    assert outside == []
    assert errors == []
    assert (tmp_path / "page.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_stopped_server_keeps_what_it_analysed(tmp_path: Path) -> None:
    """`glossary-check serve`, stopped as a service manager stops it (SIGTERM), keeps what
    it analysed in the cache, as a check from the command line does when it ends."""
    import json
    import os
    import signal
    import subprocess
    import sys
    import urllib.request

    glossary = tmp_path / "glossary.yaml"
    glossary.write_text("version: 1\nlanguage: en\nentries:\n  - term: Kyiv\n"
                        "    variants: [Kiev]\n    sources: {ru: [Киев]}\n", encoding="utf-8")
    cache = tmp_path / "cache"
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "glossary_check", "serve", "--port", str(port), "--no-config",
         "--no-translate", "-g", str(glossary)], env={**os.environ,
                                                      "GLOSSARY_CHECK_CACHE_DIR": str(cache)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/check", method="POST",
            data=json.dumps({"text": "Officials in Киеве said so.\n"}).encode(),
            headers={"Content-Type": "application/json"})
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    report = json.load(answer)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("the server did not answer within 60 s")
                time.sleep(0.1)
        assert [f["text"] for f in report["files"][0]["findings"]] == ["Киеве"]
        assert not list(cache.glob("analyses-*.bin"))
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert list(cache.glob("analyses-*.bin")), err.decode()
