"""The proposals as a glossary file, and the evidence as text, JSON or an HTML page.

The glossary is written by hand, not by a YAML library, so that each entry carries
its evidence as a comment for the reviewer; every string is a JSON string, which
YAML reads as a double-quoted scalar, so nothing an archive holds can break out of
it. The HTML page has the look of the check's HTML report (same palette, header
and sidebar) and, like it, loads nothing and escapes everything.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

from glossary_check.core.visible import encodable, escape
from glossary_check.workflow.learn.propose import GlossaryNote, Learned, NameEvidence, Proposal

FORMATS = ("text", "json", "html")
#: Unused entries the text report names; JSON and HTML list them all.
UNUSED_SHOWN = 30


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _comment(text: str) -> str:
    """One line of YAML comment: a file name's control characters and undecodable bytes
    shown as escapes (a comment may hold printable characters only)."""
    return escape(" ".join(text.split()))


def glossary_yaml(learned: Learned, language: str = "en") -> str:
    """The proposals in the glossary format, ready to review (glossary-format.md)."""
    lines = [
        "# Proposed by glossary-check learn: review each entry before adding it to the "
        "glossary.",
        f"# {learned.pairs} pairs, {learned.paragraphs} aligned paragraphs, "
        f"{learned.mentions} linked names; thresholds: min-count "
        f"{learned.thresholds.min_count}, min-share {learned.thresholds.min_share:g}.",
        "version: 1",
        f"language: {_q(language)}",
    ]
    if learned.systems:
        lines.append("transliteration:")
        lines += [f"  {lang}: {_q(system)}" for lang, system in sorted(learned.systems.items())]
    if not learned.proposals:
        lines.append("entries: []")
        return encodable("\n".join(lines) + "\n")
    lines.append("entries:")
    for p in learned.proposals:
        lines.append(f"  # {_comment(p.reason)}; seen {p.count} times")
        lines.append(f"  - term: {_q(p.term)}")
        if p.kind:
            lines.append(f"    kind: {_q(p.kind)}")
        if p.aliases:
            lines.append(f"    aliases: [{', '.join(_q(a) for a in p.aliases)}]")
        if p.variants:
            shown = [f"{{{_q(v)}: {_q(p.fixes[v])}}}" if v in p.fixes else _q(v)
                     for v in p.variants]
            lines.append(f"    variants: [{', '.join(shown)}]")
        if p.sources:
            lines.append("    sources:")
            for lang, names in p.sources.items():
                lines.append(f"      {_q(lang)}: [{', '.join(_q(n) for n in names)}]")
    return encodable("\n".join(lines) + "\n")


def _name(n: NameEvidence) -> dict[str, Any]:
    return {
        "language": n.language,
        "name": n.name,
        "count": n.count,
        "desk_transliteration": n.desk,
        "renderings": [
            {"text": r.text, "count": r.count, "articles": r.articles,
             "how": dict(r.how)} for r in n.renderings
        ],
        "below_min_share": [{"text": t, "count": c} for t, c in n.dropped],
        "examples": [
            {"original": f"{m.original}:{m.line}:{m.column}", "written": m.written,
             "translation": f"{m.translation}:{m.t_line}:{m.t_column}",
             "rendering": m.rendering, "how": m.how, "score": m.score}
            for m in n.examples
        ],
    }


def _proposal(p: Proposal) -> dict[str, Any]:
    return {
        "term": p.term,
        "kind": p.kind,
        "aliases": list(p.aliases),
        "variants": list(p.variants),
        "fixes": dict(p.fixes),
        "sources": {lang: list(names) for lang, names in p.sources.items()},
        "count": p.count,
        "origin": p.origin,
        "reason": p.reason,
        "names": [_name(n) for n in p.names],
        "spellings": [{"text": t, "count": c} for t, c in p.spellings],
        "notes": list(p.notes),
    }


def as_dict(learned: Learned) -> dict[str, Any]:
    return {
        "pairs": learned.pairs,
        "paragraphs": learned.paragraphs,
        "mentions": learned.mentions,
        "thresholds": {"min_count": learned.thresholds.min_count,
                       "min_share": learned.thresholds.min_share},
        "transliteration": dict(sorted(learned.systems.items())),
        "proposals": [_proposal(p) for p in learned.proposals],
        "glossary": [
            {"kind": n.kind, "term": n.term, "location": n.location, "message": n.message,
             "renderings": [{"text": t, "count": c} for t, c in n.renderings]}
            for n in learned.glossary
        ],
        "errors": list(learned.errors),
    }


def render_json(learned: Learned) -> str:
    return json.dumps(as_dict(learned), ensure_ascii=False, indent=2) + "\n"


def _text_proposal(p: Proposal) -> list[str]:
    """One proposal in the text report: its head, why, what it lists, and its evidence."""
    head = f"{p.term}" + (f" ({p.kind})" if p.kind else "") + f" — {p.count} times"
    out = ["", head, f"  why: {p.reason}"]
    if p.aliases:
        out.append(f"  aliases: {', '.join(p.aliases)}")
    if p.variants:
        out.append("  variants: " + ", ".join(
            f"{v} (fix: {p.fixes[v]})" if v in p.fixes else v for v in p.variants))
    out += [f"  {lang}: {', '.join(names)}" for lang, names in p.sources.items()]
    for n in p.names:
        out += _text_name(n)
    if p.spellings:
        out.append("  spellings: " + ", ".join(f"{t} {c}" for t, c in p.spellings))
    out += [f"  note: {note}" for note in p.notes]
    return out


def _text_name(n: NameEvidence) -> list[str]:
    """A source name's renderings, and the examples linked."""
    shown = ", ".join(f"{r.text} {r.count}" for r in n.renderings)
    return [f"  {n.language} {n.name}: {shown} (desk: {n.desk})"] + [
        f"    {m.original}:{m.line}:{m.column} {m.written} -> "
        f"{m.translation}:{m.t_line}:{m.t_column} {m.rendering} ({m.how})"
        for m in n.examples]


def _text_glossary(notes: Sequence[GlossaryNote]) -> list[str]:
    """What the archive says of the current glossary; the unused entries named together,
    the first UNUSED_SHOWN of them."""
    if not notes:
        return []
    out = ["", "Against the current glossary:"]
    out += [f"  {n.location}: {n.kind}: {n.term}: {n.message}" for n in notes
            if n.kind != "unused"]
    unused = [n.term for n in notes if n.kind == "unused"]
    if unused:
        shown = ", ".join(unused[:UNUSED_SHOWN])
        more = f" and {len(unused) - UNUSED_SHOWN} more (all in --format json)" \
            if len(unused) > UNUSED_SHOWN else ""
        out.append(f"  unused, in no article: {shown}{more}")
    return out


def render_text(learned: Learned) -> str:
    """The evidence for a reader at a terminal: each proposal, the glossary, what was not read."""
    out = [f"{learned.pairs} pairs, {learned.paragraphs} aligned paragraphs, "
           f"{learned.mentions} linked names; {len(learned.proposals)} proposals"]
    for p in learned.proposals:
        out += _text_proposal(p)
    out += _text_glossary(learned.glossary)
    if learned.errors:
        out += ["", "Not read:"] + [f"  {e}" for e in learned.errors]
    return "\n".join(out) + "\n"


_CSS = """
:root { --ink: #1d1d1f; --muted: #5f6368; --line: #d8d8dc; --panel: #f6f6f8; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--ink); }
header { padding: 12px 20px; border-bottom: 1px solid var(--line); background: var(--panel); }
header h1 { font-size: 18px; margin: 0 0 4px; }
header p { margin: 0; color: var(--muted); }
.layout { display: grid; grid-template-columns: 280px minmax(0, 1fr); }
nav { border-right: 1px solid var(--line); padding: 12px 16px; background: #fbfbfc; }
nav h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em;
  color: var(--muted); margin: 16px 0 6px; }
nav ul { list-style: none; margin: 0; padding: 0; }
nav a { color: #1a5fb4; text-decoration: none; }
main { padding: 12px 24px; }
section { border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; margin: 0 0 12px; }
section h3 { margin: 4px 0; font-size: 16px; }
.why { color: var(--muted); }
mark { background: #fff09b; padding: 0 2px; border-radius: 3px; }
mark.variant { background: #ffb3b3; }
table { border-collapse: collapse; margin: 4px 0; }
td, th { border-bottom: 1px solid var(--line); padding: 2px 8px; text-align: left; }
.count { color: var(--muted); font-variant-numeric: tabular-nums; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def render_html(learned: Learned) -> str:
    nav = ['<nav aria-label="Proposals"><h2>Proposals</h2><ul>']
    body = []
    for i, p in enumerate(learned.proposals):
        nav.append(f'<li><a href="#p{i}">{_e(p.term)}</a> '
                   f'<span class="count">{p.count}</span></li>')
        parts = [f'<section id="p{i}"><h3><mark>{_e(p.term)}</mark>'
                 + (f" <small>{_e(p.kind)}</small>" if p.kind else "") + "</h3>",
                 f'<p class="why">{_e(p.reason)}</p>']
        if p.aliases:
            parts.append(f"<p>aliases: {_e(', '.join(p.aliases))}</p>")
        if p.variants:
            parts.append("<p>variants: " + ", ".join(
                f'<mark class="variant">{_e(v)}</mark>' for v in p.variants) + "</p>")
        for lang, names in p.sources.items():
            parts.append(f"<p>{_e(lang)}: {_e(', '.join(names))}</p>")
        for n in p.names:
            rows = "".join(f"<tr><td>{_e(r.text)}</td><td class=count>{r.count}</td>"
                           f"<td class=count>{r.articles} articles</td></tr>"
                           for r in n.renderings)
            examples = "".join(
                f"<li>{_e(m.original)}:{m.line}:{m.column} {_e(m.written)} → "
                f"{_e(m.translation)}:{m.t_line}:{m.t_column} {_e(m.rendering)} "
                f"({_e(m.how)})</li>" for m in n.examples)
            parts.append(f"<p>{_e(n.language)} {_e(n.name)} (desk: {_e(n.desk)})</p>"
                         f"<table>{rows}</table><ul>{examples}</ul>")
        if p.spellings:
            parts.append("<p>spellings: " + _e(", ".join(f"{t} {c}" for t, c in p.spellings))
                         + "</p>")
        parts += [f'<p class="why">{_e(note)}</p>' for note in p.notes]
        parts.append("</section>")
        body.append("".join(parts))
    nav.append("</ul>")
    if learned.glossary:
        nav.append("<h2>Current glossary</h2><ul>")
        nav += [f"<li>{_e(n.kind)}: {_e(n.term)}</li>" for n in learned.glossary]
        nav.append("</ul>")
        body.append("<section><h3>Against the current glossary</h3><ul>" + "".join(
            f"<li>{_e(n.location)}: <b>{_e(n.kind)}</b> {_e(n.term)}: {_e(n.message)}</li>"
            for n in learned.glossary) + "</ul></section>")
    nav.append("</nav>")
    summary = (f"{learned.pairs} pairs, {learned.paragraphs} aligned paragraphs, "
               f"{learned.mentions} linked names, {len(learned.proposals)} proposals")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">"
        "<title>glossary-check learn</title>"
        f"<style>{_CSS}</style></head><body>"
        f"<header><h1>Proposed glossary entries</h1><p>{_e(summary)}</p></header>"
        f"<div class=\"layout\">{''.join(nav)}<main>{''.join(body)}</main></div>"
        "</body></html>\n"
    )


def render(learned: Learned, fmt: str) -> str:
    """The report in `fmt`, writable as UTF-8 whatever the file names hold: the text one
    with every control character shown (it is read on a terminal), the others with the
    undecodable bytes of a name shown."""
    if fmt == "json":
        return encodable(render_json(learned))
    if fmt == "html":
        return encodable(render_html(learned))
    return "\n".join(escape(line) for line in render_text(learned).split("\n"))
