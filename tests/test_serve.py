"""`glossary-check serve`: the CLI's checks over HTTP, LanguageTool's API, limits and reloads."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette", reason="the serve extra is not installed")
from starlette.testclient import TestClient

from conftest import RunCli
from glossary_check.commands.serve import build_parser, check_args, read_token
from glossary_check.commands.warm import Engine
from glossary_check.commands.web import languagetool as lt
from glossary_check.commands.web.app import Limits, create_app
from glossary_check.commands.web.metrics import Metrics
from glossary_check.core.errors import UsageError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "coalition-of-the-willing.txt"
GLOSSARY = """\
version: 1
language: en
entries:
  - term: Kyiv
    kind: place
    variants: [Kiev]
    sources: {ru: [Киев], uk: [Київ]}
    note: Ukrainian-derived spelling
    url: https://en.wikipedia.org/wiki/Kyiv
  - term: Élysée Palace
    variants: [Elysee Palace]
  - term: Recep Tayyip Erdoğan
    kind: person
    aliases: [Erdoğan]
    sources: {ru: [Реджеп Тайип Эрдоган, Эрдоган]}
"""


def engine_for(glossary: Path | None, *extra: str) -> Engine:
    flags = ["--no-config", "--no-translate", *extra]
    if glossary is not None:
        flags += ["-g", str(glossary)]
    return Engine(check_args(build_parser().parse_args(flags)))


@pytest.fixture
def glossary(tmp_path: Path) -> Path:
    path = tmp_path / "glossary.yaml"
    path.write_text(GLOSSARY, encoding="utf-8")
    return path


@pytest.fixture
def engine(glossary: Path) -> Engine:
    return engine_for(glossary)


Client = Callable[..., TestClient]


@pytest.fixture
def client(engine: Engine) -> Iterator[Client]:
    opened: list[TestClient] = []

    def make(limits: Limits | None = None, metrics: Metrics | None = None) -> TestClient:
        app = create_app(engine, limits or Limits(reload_interval=60), metrics)
        test_client = TestClient(app, raise_server_exceptions=False)
        test_client.__enter__()
        opened.append(test_client)
        return test_client

    yield make
    for test_client in opened:
        test_client.__exit__(None, None, None)


# --- LanguageTool's API ---------------------------------------------------------------------

def test_languages_offer_the_published_language(client: Client) -> None:
    langs = client().get("/v2/languages").json()
    assert {"name": "English", "code": "en", "longCode": "en-US"} in langs
    assert all(entry["code"] == "en" for entry in langs)


def test_lt_offsets_are_utf16_units_and_fields_are_complete(client: Client) -> None:
    text = "😀 We flew to Kiev 🇺🇦 and left Kiev.\n"
    answer = client().post("/v2/check", data={"text": text, "language": "en-US"})
    assert answer.status_code == 200
    matches = answer.json()["matches"]
    assert len(matches) == 2
    utf16 = text.encode("utf-16-le")
    for match in matches:
        start, length = match["offset"] * 2, match["length"] * 2
        assert utf16[start : start + length].decode("utf-16-le") == "Kiev"
        assert match["replacements"] == [{"value": "Kyiv"}]
        assert match["rule"]["id"] == "variant"
        assert match["rule"]["issueType"] == "terminology"
        assert match["rule"]["category"] == {"id": "GLOSSARY", "name": "Newsroom glossary"}
        assert match["rule"]["urls"] == [{"value": "https://en.wikipedia.org/wiki/Kyiv"}]
        context = match["context"]
        piece = context["text"].encode("utf-16-le")[context["offset"] * 2:]
        assert piece[: context["length"] * 2].decode("utf-16-le") == "Kiev"
        assert "Kyiv" in match["message"] and match["shortMessage"] == "error: variant"
    # the second Kiev: 3 astral characters (an emoji and two regional indicators) before it
    assert matches[1]["offset"] == text.index("Kiev", 20) + 3


def test_lt_get_with_query_parameters(client: Client) -> None:
    answer = client().get("/v2/check", params={"text": "In Kiev.", "language": "auto"})
    assert [m["offset"] for m in answer.json()["matches"]] == [3]


def test_lt_data_annotation_offsets_count_the_markup(client: Client) -> None:
    data = {"annotation": [{"markup": "<p>"}, {"text": "Talks in "},
                           {"markup": "<b>", "interpretAs": ""}, {"text": "Kiev"},
                           {"markup": "</b>"}, {"text": " and "},
                           {"markup": "<br/>", "interpretAs": "\n\n"}, {"text": "Kiev."}]}
    whole = "".join(i.get("text", i.get("markup", "")) for i in data["annotation"])
    answer = client().post("/v2/check", data={"data": json.dumps(data), "language": "en"})
    matches = answer.json()["matches"]
    assert [whole[m["offset"] : m["offset"] + m["length"]] for m in matches] == ["Kiev", "Kiev"]


def test_annotated_map_back() -> None:
    annotated = lt.parse_data(json.dumps({"annotation": [
        {"text": "ab"}, {"markup": "<x>"}, {"text": "cd"}]}))
    assert annotated.prose == "abcd" and annotated.whole == "ab<x>cd"
    assert annotated.to_whole(2) == 5  # a start after the markup
    assert annotated.to_whole(2, end=True) == 2  # an end before it


@pytest.mark.parametrize("fields", [
    {"text": "Kiev"},  # no language
    {"language": "en-US"},  # neither text nor data
    {"language": "de-DE", "text": "Kiev"},  # not the language articles are published in
    {"language": "en", "data": "{not json"},
    {"language": "en", "data": json.dumps({"annotation": [{"markup": 3}]})},
    {"language": "en", "data": json.dumps([1, 2])},
])
def test_lt_bad_requests_are_400_with_json(client: Client, fields: dict[str, str]) -> None:
    answer = client().post("/v2/check", data=fields)
    assert answer.status_code == 400
    assert answer.json()["status"] == 400 and answer.json()["error"]


def test_lt_refuses_file_uploads(client: Client) -> None:
    answer = client().post("/v2/check", data={"language": "en"},
                           files={"text": ("../../etc/passwd", b"Kiev")})
    assert answer.status_code == 400 and "error" in answer.json()


# --- the native API: the same report as the command line -------------------------------------

def test_api_check_is_the_command_lines_report(
    client: Client, glossary: Path, tmp_path: Path, run_cli: RunCli,
) -> None:
    from jsonschema import validate

    text = EXAMPLE.read_text(encoding="utf-8") + "\nWe flew to Kiev and the Elysee Palace.\n"
    article = tmp_path / "a.txt"
    article.write_text(text, encoding="utf-8")
    code, out, err = run_cli("--no-config", "--no-translate", "-f", "json", "-g", str(glossary),
                             str(article))
    assert code in (0, 1), err
    expected = json.loads(out)
    answer = client().post("/api/check", json={"text": text, "format": "txt"})
    assert answer.status_code == 200
    report = answer.json()
    schema = json.loads((ROOT / "checker/glossary_check/data/report.schema.json").read_text())
    validate(report, schema)
    assert report["files"][0]["findings"] == expected["files"][0]["findings"]
    assert {f["rule"] for f in report["files"][0]["findings"]} >= {"variant", "untranslated"}
    assert report["summary"] == expected["summary"]
    assert report["files"][0]["path"] == "article.txt"  # never a name from the request
    assert report["glossary"]["path"] == "glossary.yaml"  # no server path given away


def test_api_check_formats_and_offsets_as_written(client: Client) -> None:
    html = '<p title="Kiev">Élysée — <b>Kiev</b></p>\n'
    report = client().post("/api/check", json={"text": html, "format": "html"}).json()
    offsets = [f["offset"] for f in report["files"][0]["findings"]]
    assert [html[at : at + 4] for at in offsets] == ["Kiev"] * len(offsets)
    assert html.index("<b>") + 3 in offsets


def test_api_check_with_the_original_runs_the_pair_rules(client: Client) -> None:
    body = {"text": "The visit will last two days.\n", "format": "txt",
            "source": "Визит Эрдогана продлится два дня.\n", "source_language": "ru"}
    report = client().post("/api/check", json=body).json()
    assert [f["rule"] for f in report["files"][0]["findings"]] == ["omission"]
    alone = client().post("/api/check", json={"text": body["text"]}).json()
    assert alone["files"][0]["findings"] == []


def test_api_fix_all_safe_fixes_with_a_diff(client: Client) -> None:
    answer = client().post("/api/fix", json={"text": "In Kiev and kyiv.\n", "format": "md"})
    out = answer.json()
    assert answer.status_code == 200
    assert out["text"] == "In Kyiv and Kyiv.\n" and out["fixed"] == 2 and out["changed"]
    assert out["diff"].splitlines()[:2] == ["--- a/article.md", "+++ b/article.md"]
    assert "-In Kiev and kyiv." in out["diff"] and "+In Kyiv and Kyiv." in out["diff"]
    assert out["report"]["files"][0]["findings"] == []


def test_api_fix_keeps_markup_and_escapes(client: Client) -> None:
    html = "<p>At the <i>Elysee</i> Palace &amp; in Kiev</p>\n"
    out = client().post("/api/fix", json={"text": html, "format": "html"}).json()
    assert out["text"] == "<p>At the <i>Élysée</i> Palace &amp; in Kyiv</p>\n"


def test_api_fix_one_finding_even_an_unsafe_one(client: Client) -> None:
    text = "We met in Киев, then Kiev.\n"
    api = client()
    findings = api.post("/api/check", json={"text": text}).json()["files"][0]["findings"]
    source_form = next(f for f in findings if f["rule"] == "source-form")
    assert source_form["fix"] == "unsafe"
    assert api.post("/api/fix", json={"text": text}).json()["text"] == (
        "We met in Киев, then Kyiv.\n")  # all safe fixes leave the unsafe one
    out = api.post("/api/fix", json={"text": text, "offset": source_form["offset"],
                                      "rule": "source-form"}).json()
    assert out["text"] == "We met in Kyiv, then Kiev.\n" and out["fixed"] == 1
    gone = api.post("/api/fix", json={"text": text, "offset": 0, "rule": "variant"})
    assert gone.status_code == 400 and "no variant finding at offset 0" in gone.json()["error"]


@pytest.mark.parametrize(("path", "body"), [
    ("/api/check", b"not json"),
    ("/api/check", b"[1, 2]"),
    ("/api/check", b'{"format": "txt"}'),
    ("/api/check", b'{"text": 5}'),
    ("/api/check", b'{"text": "x", "format": "docx"}'),
    ("/api/check", b'{"text": "x", "format": ["md"]}'),
    ("/api/check", b'{"text": "\\ud800 Kiev"}'),
    ("/api/check", b'{"text": "x", "source": 7}'),
    ("/api/check", b"\xff\xfe{"),
    ("/api/check", b"[" * 100_000),
    ("/api/fix", b'{"text": "Kiev", "unsafe": "yes"}'),
    ("/api/fix", b'{"text": "Kiev", "offset": "3", "rule": "variant"}'),
    ("/api/fix", b'{"text": "Kiev", "offset": true, "rule": "variant"}'),
])
def test_malformed_requests_get_a_json_4xx(client: Client, path: str, body: bytes) -> None:
    answer = client().post(path, content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 400, answer.text
    assert set(answer.json()) == {"error", "status"}


def test_wrong_method_and_unknown_path_are_json(client: Client) -> None:
    api = client()
    assert api.get("/api/check").status_code == 405
    assert api.get("/api/check").json()["status"] == 405
    missing = api.get("/../../etc/passwd")
    assert missing.status_code == 404 and missing.json()["status"] == 404


def test_an_unreadable_document_is_422_with_the_report(client: Client) -> None:
    answer = client().post("/api/check", json={"text": "a\x00b", "format": "txt"})
    if answer.status_code == 200:
        pytest.skip("the text reader accepts NUL characters")
    assert answer.status_code == 422 and answer.json()["files"][0]["error"]


# --- safe by default ------------------------------------------------------------------------

def test_body_limit_is_413(client: Client) -> None:
    api = client(Limits(max_body=1000, reload_interval=60))
    big = {"text": "Kiev " * 400}
    assert api.post("/api/check", json=big).status_code == 413
    assert api.post("/api/check", json=big).json()["status"] == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"text": "'
        for _ in range(50):
            yield b"Kiev " * 20
        yield b'"}'

    streamed = api.post("/api/check", content=chunks(),
                        headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    assert api.post("/api/check", json={"text": "Kiev"}).status_code == 200


def test_token_guards_all_but_the_page_and_health(client: Client) -> None:
    api = client(Limits(token="s3cret-token-0123456789", reload_interval=60))
    assert api.post("/api/check", json={"text": "Kiev"}).status_code == 401
    assert api.get("/v2/languages").headers["www-authenticate"] == "Bearer"
    assert api.get("/metrics").status_code == 401
    wrong = {"Authorization": "Bearer s3cret-token-0123456788"}
    assert api.post("/api/check", json={"text": "Kiev"}, headers=wrong).status_code == 401
    right = {"Authorization": "Bearer s3cret-token-0123456789"}
    assert api.post("/api/check", json={"text": "Kiev"}, headers=right).status_code == 200
    assert api.get("/healthz").status_code == 200 and api.get("/").status_code == 200


def test_token_file_must_be_private_and_long(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("s3cret-token-0123456789\n")
    token.chmod(0o644)
    with pytest.raises(UsageError, match="owner only"):
        read_token(str(token))
    token.chmod(0o600)
    assert read_token(str(token)) == "s3cret-token-0123456789"
    token.write_text("short\n")
    with pytest.raises(UsageError, match="at least 16"):
        read_token(str(token))


def _blocking(engine: Engine, monkeypatch: pytest.MonkeyPatch, release: threading.Event,
              seconds: float = 30) -> None:
    real = engine.check

    def slow(*args: Any, **kwargs: Any) -> Any:
        release.wait(seconds)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "check", slow)


def test_full_is_503_with_retry_after(
    client: Client, engine: Engine, monkeypatch: pytest.MonkeyPatch,
) -> None:
    release, metrics = threading.Event(), Metrics()
    _blocking(engine, monkeypatch, release)
    api = client(Limits(concurrency=1, retry_after=3, reload_interval=60), metrics)
    first: list[int] = []
    worker = threading.Thread(
        target=lambda: first.append(api.post("/api/check", json={"text": "Kiev"}).status_code))
    worker.start()
    deadline = time.monotonic() + 20
    while metrics.in_flight < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    busy = api.post("/v2/check", data={"text": "Kiev", "language": "en"})
    release.set()
    worker.join(30)
    assert busy.status_code == 503 and busy.headers["retry-after"] == "3"
    assert busy.json()["status"] == 503
    assert first == [200]
    assert api.post("/api/check", json={"text": "Kiev"}).status_code == 200  # slot given back
    assert 'glossary_check_rejected_total{reason="busy"} 1' in api.get("/metrics").text


def test_time_limit_is_504(client: Client, engine: Engine,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    _blocking(engine, monkeypatch, release, seconds=5)
    api = client(Limits(timeout=0.2, reload_interval=60))
    answer = api.post("/api/check", json={"text": "Kiev"})
    release.set()
    assert answer.status_code == 504 and "longer than 0.2 s" in answer.json()["error"]


def test_a_failure_is_a_json_500_without_traceback(
    client: Client, engine: Engine, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("secret internals /home/desk/glossary.yaml")

    monkeypatch.setattr(engine, "check", broken)
    answer = client().post("/api/check", json={"text": "Kiev"})
    assert answer.status_code == 500
    assert answer.json() == {"error": "internal error: the server's log says more",
                             "status": 500}
    assert "Traceback" not in answer.text and "secret" not in answer.text


def test_cors_is_off_unless_origins_are_named(client: Client) -> None:
    origin = {"Origin": "https://desk.example"}
    closed = client().get("/v2/languages", headers=origin)
    assert "access-control-allow-origin" not in closed.headers
    opened = client(Limits(cors_origins=("https://desk.example",), reload_interval=60))
    allowed = opened.get("/v2/languages", headers=origin)
    assert allowed.headers["access-control-allow-origin"] == "https://desk.example"
    other = opened.get("/v2/languages", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_page_headers_and_no_inline_script(client: Client) -> None:
    from html.parser import HTMLParser

    api = client()
    page = api.get("/")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    scripts: list[tuple[dict[str, str | None], str]] = []

    class Scripts(HTMLParser):
        inside = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            assert not any(name.startswith("on") for name, _ in attrs), (tag, attrs)
            assert not any(name == "style" for name, _ in attrs), (tag, attrs)
            if tag == "script":
                scripts.append((dict(attrs), ""))
                self.inside = True

        def handle_endtag(self, tag: str) -> None:
            self.inside = False

        def handle_data(self, data: str) -> None:
            if self.inside:
                scripts[-1] = (scripts[-1][0], scripts[-1][1] + data)

    Scripts().feed(page.text)
    assert scripts == [({"src": "/app.js", "defer": None}, "")]
    for asset in ("/app.js", "/app.css"):
        answer = api.get(asset)
        assert answer.status_code == 200 and "http" not in answer.text.split("\n", 3)[0]
        assert "//cdn" not in answer.text
    assert api.get("/api/check", headers={}).headers["x-content-type-options"] == "nosniff"


def test_binds_this_machine_only_by_default() -> None:
    args = build_parser().parse_args([])
    assert args.host == "127.0.0.1" and not args.cors_origin and args.token_file is None


# --- warm, reloaded, observed ---------------------------------------------------------------

def _touch_later(path: Path, text: str) -> None:
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 2_000_000_000, before + 2_000_000_000))


def test_reload_on_change_and_keep_serving_on_a_broken_glossary(
    client: Client, engine: Engine, glossary: Path,
) -> None:
    api = client()
    checked = api.post("/api/check", json={"text": "Bakhmut, not Artemovsk.\n"}).json()
    assert checked["files"][0]["findings"] == []
    assert engine.reload_if_changed() is False  # nothing changed
    _touch_later(glossary, GLOSSARY + "  - {term: Bakhmut, variants: [Artemovsk]}\n")
    assert engine.reload_if_changed() is True
    checked = api.post("/api/check", json={"text": "Bakhmut, not Artemovsk.\n"}).json()
    assert [f["text"] for f in checked["files"][0]["findings"]] == ["Artemovsk"]
    assert api.get("/healthz").json()["generation"] == 2

    _touch_later(glossary, GLOSSARY + "  - {term: [broken\n")
    assert engine.reload_if_changed() is False
    health = api.get("/healthz").json()
    assert health["status"] == "stale" and health["generation"] == 2
    assert "glossary.yaml" in health["reload_error"]
    checked = api.post("/api/check", json={"text": "Bakhmut, not Artemovsk.\n"}).json()
    assert [f["text"] for f in checked["files"][0]["findings"]] == ["Artemovsk"]
    assert "glossary_check_glossary_reload_failing 1" in api.get("/metrics").text

    _touch_later(glossary, GLOSSARY)
    assert engine.reload_if_changed() is True
    health = api.get("/healthz").json()
    assert health["status"] == "ok" and health["generation"] == 3
    assert health["reload_error"] is None


def test_the_watcher_reloads_by_itself(engine: Engine, glossary: Path) -> None:
    app = create_app(engine, Limits(reload_interval=0.05))
    with TestClient(app) as api:
        _touch_later(glossary, GLOSSARY + "  - {term: Bakhmut, variants: [Artemovsk]}\n")
        deadline = time.monotonic() + 20
        while api.get("/healthz").json()["generation"] < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert api.get("/healthz").json()["generation"] == 2


def test_configuration_change_is_reloaded(tmp_path: Path, glossary: Path) -> None:
    config = tmp_path / "glossary-check.toml"
    config.write_text("", encoding="utf-8")
    engine = Engine(check_args(build_parser().parse_args(
        ["--config", str(config), "--no-translate", "-g", str(glossary)])))
    assert engine.check("In Kiev.\n", "text")[1].findings
    _touch_later(config, 'ignore = ["variant"]\n')
    assert engine.reload_if_changed() is True
    assert engine.check("In Kiev.\n", "text")[1].findings == []


def test_metrics_exposition(client: Client) -> None:
    api = client()
    api.post("/v2/check", data={"text": "Kiev and Kiev", "language": "en"})
    api.post("/api/check", json={"text": "Elysee Palace"})
    api.post("/api/check", content=b"nope")
    text = api.get("/metrics").text
    assert 'glossary_check_requests_total{route="/v2/check",method="POST",status="200"} 1' in text
    assert 'glossary_check_requests_total{route="/api/check",method="POST",status="400"} 1' in text
    assert 'glossary_check_findings_total{rule="variant"} 3' in text
    assert 'glossary_check_request_seconds_count{route="/api/check"} 2' in text
    assert "glossary_check_glossary_generation 1" in text
    assert "glossary_check_glossary_entries 3" in text
    for line in text.splitlines():
        assert line.startswith("#") or len(line.rsplit(" ", 1)) == 2


def test_serve_help_and_bad_flags(run_cli: RunCli, tmp_path: Path) -> None:
    code, out, _ = run_cli("serve", "--help")
    assert code == 0 and "--token-file" in out and "127.0.0.1" in out
    token = tmp_path / "token"
    token.write_text("s3cret-token-0123456789")
    token.chmod(0o644)
    code, _, err = run_cli("serve", "--token-file", str(token), "--port", "0")
    assert code == 2 and "owner only" in err
    code, _, err = run_cli("serve", "--timeout", "0")
    assert code == 2 and "--timeout" in err


def test_entry_lookup_gives_note_and_link(client: Client) -> None:
    api = client()
    kyiv = api.get("/api/entry", params={"term": "Kyiv"}).json()
    assert kyiv == {"term": "Kyiv", "kind": "place", "note": "Ukrainian-derived spelling",
                    "url": "https://en.wikipedia.org/wiki/Kyiv"}
    missing = api.get("/api/entry", params={"term": "../glossary.yaml"})
    assert missing.status_code == 404 and missing.json()["status"] == 404


def test_what_a_session_analysed_is_kept_for_the_next_start(
    glossary: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server keeps what it analysed when it stops, as a check does when it ends: its next
    start analyses none of it again."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("GLOSSARY_CHECK_CACHE_DIR", str(cache))
    text = "Officials in Киеве met Эрдогана.\n"
    first = engine_for(glossary)
    _, found = first.check(text, "text")
    assert {f.text for f in found.findings} >= {"Киеве", "Эрдогана"}
    assert first.session.compiled.sources.analysed > 0
    assert not list(cache.glob("analyses-*.bin"))
    first.keep()
    assert list(cache.glob("analyses-*.bin"))
    again = engine_for(glossary)
    _, same = again.check(text, "text")
    assert same.findings == found.findings
    assert again.session.compiled.sources.analysed == 0
