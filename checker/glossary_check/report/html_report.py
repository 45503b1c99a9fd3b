"""The HTML report: one self-contained page to read an article with its findings in place.

Every finding is a `<mark data-rule=...>` over its text as written in the file
(markup of an HTML article shows as source), coloured by rule; hovering shows
the message, the suggestion and the translation (`title`), clicking opens
them in a details panel. A sidebar counts findings by rule (with switches to
hide a rule) and by glossary entry. Inline CSS and JavaScript only, and a
Content-Security-Policy that forbids loading anything: the page works from a
file, an e-mail attachment or a CI artefact, offline. Everything taken from
the run is escaped.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable

from glossary_check.core.findings import FileResult, Finding
from glossary_check.core.positions import LineIndex
from glossary_check.core.visible import encodable
from glossary_check.report import Run

#: Rule -> highlight colour (background); other rules get a neutral one.
COLOURS = {
    "variant": "#ffb3b3",
    "case": "#ffd39b",
    "source-form": "#d7b8ff",
    "untranslated": "#a9d8ff",
    "mixed-script": "#ff9de2",
    "inconsistent": "#fff09b",
    "mistranslation": "#9ee6d5",
    "omission": "#e0e0e0",
    "typography": "#f5c6a5",
    "unused-ignore": "#d9d9d9",
}
OTHER_COLOUR = "#cfe8b0"

_CSS = """
:root { --ink: #1d1d1f; --muted: #5f6368; --line: #d8d8dc; --panel: #f6f6f8; }
* { box-sizing: border-box; }
body {
  margin: 0;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--ink);
}
header { padding: 12px 20px; border-bottom: 1px solid var(--line); background: var(--panel); }
header h1 { font-size: 18px; margin: 0 0 4px; }
header p { margin: 0; color: var(--muted); }
.layout {
  display: grid;
  grid-template-columns: 280px minmax(0, 1fr);
  min-height: calc(100vh - 70px);
}
nav {
  border-right: 1px solid var(--line);
  padding: 12px 16px;
  overflow: auto;
  background: #fbfbfc;
}
nav h2 {
  font-size: 13px;
  text-transform: uppercase;
  letter-spacing: .04em;
  color: var(--muted);
  margin: 16px 0 6px;
}
nav ul { list-style: none; margin: 0; padding: 0; }
nav li { display: flex; align-items: center; gap: 6px; padding: 2px 0; }
nav li .name { flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
nav button.link {
  background: none;
  border: 0;
  padding: 0;
  font: inherit;
  color: #1a5fb4;
  cursor: pointer;
  text-align: left;
}
.count {
  font-variant-numeric: tabular-nums;
  color: var(--muted);
  min-width: 2ch;
  text-align: right;
}
.swatch {
  display: inline-block;
  width: 12px;
  height: 12px;
  border-radius: 3px;
  border: 1px solid rgba(0,0,0,.15);
}
main { padding: 12px 24px 80px; min-width: 0; }
article.file h2 { font-size: 16px; margin: 18px 0 8px; font-family: ui-monospace, monospace; }
pre.text {
  white-space: pre-wrap;
  overflow-wrap: anywhere;
  font: 14px/1.6 ui-monospace, "SFMono-Regular", Menlo, monospace;
  background: #fff;
  border: 1px solid var(--line);
  border-radius: 6px;
  padding: 12px 14px;
  margin: 0;
}
mark.finding {
  color: inherit;
  border-radius: 3px;
  padding: 0 1px;
  cursor: pointer;
  border-bottom: 2px solid rgba(0,0,0,.35);
}
mark.finding:empty::after { content: "\\25BE"; color: #b00020; }
mark.finding.s-error { border-bottom-color: #b00020; }
mark.finding.s-warning { border-bottom-color: #b26a00; }
mark.finding.s-info { border-bottom-color: #1a5fb4; }
mark.finding:focus, mark.finding.current { outline: 2px solid #1a5fb4; outline-offset: 1px; }
.error { color: #b00020; }
.clean { color: var(--muted); }
#details {
  position: fixed;
  right: 16px;
  bottom: 16px;
  width: min(440px, calc(100vw - 32px));
  background: #fff;
  border: 1px solid var(--line);
  border-radius: 8px;
  box-shadow: 0 6px 24px rgba(0,0,0,.18);
  padding: 12px 16px;
}
#details[hidden] { display: none; }
#details h2 { font-size: 15px; margin: 0 0 8px; }
#details dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; margin: 0; }
#details dt { color: var(--muted); }
#details dd { margin: 0; overflow-wrap: anywhere; }
#details .close {
  position: absolute;
  top: 8px;
  right: 10px;
  border: 0;
  background: none;
  font-size: 18px;
  cursor: pointer;
}
"""

_JS = """
(function () {
  "use strict";
  var panel = document.getElementById("details");
  var fields = ["rule", "severity", "where", "text", "message", "suggestion", "translation",
                "entry", "note", "url"];
  var current = null;
  function show(mark) {
    if (current) { current.classList.remove("current"); }
    current = mark;
    mark.classList.add("current");
    fields.forEach(function (name) {
      var row = panel.querySelector('[data-field="' + name + '"]');
      var value = name === "text" ? mark.textContent : mark.getAttribute("data-" + name);
      row.hidden = value === null || value === "";
      row.previousElementSibling.hidden = row.hidden;
      row.textContent = value === null ? "" : value;
    });
    panel.hidden = false;
  }
  document.addEventListener("click", function (event) {
    var mark = event.target.closest("mark.finding");
    if (mark) { show(mark); return; }
    var jump = event.target.closest("[data-goto]");
    if (jump) {
      var target = document.getElementById(jump.getAttribute("data-goto"));
      if (target) { target.scrollIntoView({block: "center"}); target.focus(); show(target); }
    }
  });
  document.addEventListener("keydown", function (event) {
    var mark = event.target.closest && event.target.closest("mark.finding");
    if (mark && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      show(mark);
    }
    if (event.key === "Escape") { panel.hidden = true; }
  });
  panel.querySelector(".close").addEventListener("click", function () { panel.hidden = true; });
  document.querySelectorAll("input[data-rule-switch]").forEach(function (box) {
    box.addEventListener("change", function () {
      var rule = box.getAttribute("data-rule-switch");
      document.querySelectorAll("mark.finding").forEach(function (mark) {
        if (mark.getAttribute("data-rule") === rule) {
          mark.style.background = box.checked ? "" : "transparent";
          mark.style.borderBottomColor = box.checked ? "" : "transparent";
        }
      });
    });
  });
})();
"""

_DETAILS = """<aside id="details" hidden aria-live="polite">
<button type="button" class="close" aria-label="Close">&times;</button>
<h2>Finding</h2>
<dl>
<dt>Rule</dt><dd data-field="rule"></dd>
<dt>Severity</dt><dd data-field="severity"></dd>
<dt>Where</dt><dd data-field="where"></dd>
<dt>Text</dt><dd data-field="text"></dd>
<dt>Message</dt><dd data-field="message"></dd>
<dt>Suggestion</dt><dd data-field="suggestion"></dd>
<dt>Translation</dt><dd data-field="translation"></dd>
<dt>Entry</dt><dd data-field="entry"></dd>
<dt>Note</dt><dd data-field="note"></dd>
<dt>Documented at</dt><dd data-field="url"></dd>
</dl>
</aside>"""


def _e(text: str) -> str:
    return html.escape(encodable(text), quote=True)


def rule_class(rule: str) -> str:
    return "r-" + re.sub(r"[^a-z0-9-]", "-", rule.lower())


def colour(rule: str) -> str:
    return COLOURS.get(rule, OTHER_COLOUR)


def _title(f: Finding) -> str:
    lines = [f"{f.rule} ({f.severity.label}): {f.message}"]
    if f.suggestion is not None:
        lines.append(f"suggestion: {f.suggestion}")
    if f.translation is not None:
        lines.append(f"translation: {f.translation}")
    return "\n".join(lines)


def _mark_open(f: Finding, ident: str, path: str, index: LineIndex) -> str:
    pos = index.position(f.offset, f.length)
    attrs = {
        "class": f"finding {rule_class(f.rule)} s-{f.severity.label}",
        "id": ident,
        "tabindex": "0",
        "data-rule": f.rule,
        "data-severity": f.severity.label,
        "data-where": f"{path}:{pos.line}:{pos.column}",
        "data-message": f.message,
        "data-fix": f.applicability.value,
        "title": _title(f),
    }
    optional = {"data-suggestion": f.suggestion, "data-translation": f.translation,
                "data-entry": f.entry, "data-note": f.note, "data-url": f.url}
    attrs.update({k: v for k, v in optional.items() if v is not None})
    return "<mark " + " ".join(f'{k}="{_e(v)}"' for k, v in attrs.items()) + ">"


def highlight(result: FileResult, prefix: str) -> str:
    """The file text, escaped, with a mark around every finding (nested where one holds another)."""
    text, index = result.text, LineIndex(result.text)
    out: list[str] = []
    pos = 0
    stack: list[int] = []  # ends of the marks open now
    ordered = sorted(enumerate(result.findings),
                     key=lambda it: (it[1].offset, -it[1].length, it[0]))
    for number, f in ordered:
        start, end = f.offset, f.end
        while stack and (stack[-1] <= start or stack[-1] < end):
            close = stack.pop()  # ends before this one starts, or would cross it: close it first
            out.append(_e(text[pos:close]) + "</mark>")
            pos = max(pos, close)
        start = max(start, pos)
        out.append(_e(text[pos:start]))
        out.append(_mark_open(f, f"{prefix}-{number}", result.path, index))
        pos = start
        stack.append(max(end, start))
    while stack:
        close = stack.pop()
        out.append(_e(text[pos:close]) + "</mark>")
        pos = max(pos, close)
    out.append(_e(text[pos:]))
    return "".join(out)


def _counts(findings: Iterable[Finding]) -> tuple[Counter[str], Counter[str]]:
    by_rule: Counter[str] = Counter()
    by_entry: Counter[str] = Counter()
    for f in findings:
        by_rule[f.rule] += 1
        by_entry[f.entry if f.entry is not None else ""] += 1
    return by_rule, by_entry


def _first_ids(run: Run) -> tuple[dict[str, str], dict[str, str]]:
    """The first finding of each rule and of each entry, to jump to from the sidebar."""
    rules: dict[str, str] = {}
    entries: dict[str, str] = {}
    for i, result in enumerate(run.files):
        for j, f in enumerate(result.findings):
            rules.setdefault(f.rule, f"f{i}-{j}")
            entries.setdefault(f.entry or "", f"f{i}-{j}")
    return rules, entries


def _sidebar(run: Run) -> str:
    all_findings = [f for r in run.files for f in r.findings]
    by_rule, by_entry = _counts(all_findings)
    first_rule, first_entry = _first_ids(run)
    parts = ['<nav id="sidebar" aria-label="Findings">']
    parts.append('<section id="by-rule"><h2>By rule</h2><ul>')
    for rule, count in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        summary = run.rules.get(rule, "")
        parts.append(
            f'<li data-rule-row="{_e(rule)}" title="{_e(summary)}">'
            f'<input type="checkbox" checked data-rule-switch="{_e(rule)}" '
            f'aria-label="show {_e(rule)}">'
            f'<span class="swatch" style="background:{colour(rule)}"></span>'
            f'<button type="button" class="link name" data-goto="{first_rule[rule]}">'
            f"{_e(rule)}</button>"
            f'<span class="count">{count}</span></li>'
        )
    if not by_rule:
        parts.append('<li class="clean">no findings</li>')
    parts.append("</ul></section>")
    parts.append('<section id="by-entry"><h2>By glossary entry</h2><ul>')
    for entry, count in sorted(by_entry.items(), key=lambda kv: (-kv[1], kv[0])):
        label = entry or "(no entry)"
        parts.append(
            f'<li data-entry-row="{_e(entry)}">'
            f'<button type="button" class="link name" data-goto="{first_entry[entry]}">'
            f"{_e(label)}</button>"
            f'<span class="count">{count}</span></li>'
        )
    parts.append("</ul></section>")
    parts.append('<section id="by-file"><h2>Files</h2><ul>')
    for i, result in enumerate(run.files):
        shown = "error" if result.error is not None else str(len(result.findings))
        parts.append(f'<li><a class="name" href="#file-{i}">{_e(result.path)}</a>'
                     f'<span class="count">{shown}</span></li>')
    parts.append("</ul></section></nav>")
    return "".join(parts)


def _file(result: FileResult, i: int) -> str:
    n = len(result.findings)
    count = "not checked" if result.error is not None else f'{n} finding{"s" if n != 1 else ""}'
    head = (f'<article class="file" id="file-{i}"><h2>{_e(result.path)} '
            f'<span class="count">{count}</span></h2>')
    if result.error is not None:
        return head + f'<p class="error">{_e(result.error)}</p></article>'
    body = f'<pre class="text">{highlight(result, f"f{i}")}</pre>'
    clean = '<p class="clean">No findings.</p>' if not result.findings else ""
    return head + clean + body + "</article>"


def render(run: Run) -> str:
    counts = run.counts()
    files_with = sum(1 for r in run.files if r.findings)
    summary = (f"{run.finding_count} finding{'s' if run.finding_count != 1 else ''} "
               f"({counts['error']} error, {counts['warning']} warning, {counts['info']} info) in "
               f"{files_with} of {len(run.files)} file{'s' if len(run.files) != 1 else ''}")
    rule_css = f"mark.finding {{ background: {OTHER_COLOUR}; }}\n" + "".join(
        f"mark.{rule_class(rule)} {{ background: {c}; }}\n" for rule, c in COLOURS.items()
    )
    notices = "".join(f'<p class="notice">{_e(n)}</p>' for n in run.notices)
    return "".join([
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">",
        "<title>glossary-check report</title>",
        f"<style>{_CSS}{rule_css}</style></head><body>",
        f'<header><h1>glossary-check</h1><p id="summary">{_e(summary)} · glossary '
        f"{_e(run.glossary_path)} ({run.glossary_entries} entries) · "
        f"glossary-check {_e(run.tool_version)}</p>{notices}</header>",
        '<div class="layout">', _sidebar(run), "<main>",
        "".join(_file(r, i) for i, r in enumerate(run.files)),
        "</main></div>", _DETAILS, f"<script>{_JS}</script>", "</body></html>\n",
    ])
