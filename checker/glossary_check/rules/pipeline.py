"""One document through the rules: candidates once, then every rule in precedence order."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from glossary_check.core.findings import Applicability, Finding, Severity
from glossary_check.documents import Document, DocumentError
from glossary_check.engine.compiled import Compiled
from glossary_check.engine.matching import PatternTimeout, find_matches, tokenize
from glossary_check.rules import Context, Hit, Rule, registry
from glossary_check.rules.align import Pairing
from glossary_check.rules.typography import Typography


@dataclass(frozen=True, slots=True)
class Settings:
    """Which rules run and how severe they are; the CLI and config files fill it."""

    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    severities: Mapping[str, Severity] = field(default_factory=dict)
    report_unused_ignores: bool = False  # suppression comments that suppress nothing
    typography: Typography = field(default_factory=Typography)  # the house style

    def rules(self) -> list[Rule]:
        return [
            rule for rule_id, rule in registry().items()
            if (self.select is None or rule_id in self.select) and rule_id not in self.ignore
        ]

    def severity(self, rule: Rule) -> Severity:
        return self.severities.get(rule.id, rule.severity)


def to_finding(document: Document, rule: Rule, severity: Severity, hit: Hit) -> Finding:
    start, end = document.raw_span(hit.start, hit.end)
    entry = hit.entry
    return Finding(
        rule=rule.id, severity=severity, offset=start, length=end - start,
        text=document.text[start:end], message=hit.message,
        entry=entry.term if entry else None, suggestion=hit.suggestion,
        language=hit.language, translation=hit.translation,
        applicability=hit.applicability if hit.suggestion is not None else Applicability.NONE,
        note=entry.note if entry else None, url=entry.url if entry else None,
    )


def check_document(
    document: Document, compiled: Compiled, settings: Settings, pairing: Pairing | None = None
) -> list[Finding]:
    tokens = tokenize(document.view)
    matches = find_matches(compiled.matcher, document.view, tokens)
    ctx = Context(document, compiled, tokens, matches, pairing=pairing,
                  typography=settings.typography)
    findings: list[Finding] = []
    try:
        for rule in settings.rules():
            if rule.check is None:  # reported by a later pass (unused-ignore)
                continue
            severity = settings.severity(rule)
            for hit in rule.check(ctx):
                if hit.end <= hit.start:
                    continue
                if hit.exclusive:
                    if ctx.claims.overlaps(hit.start, hit.end):
                        continue
                    ctx.claims.add(hit.start, hit.end)
                findings.append(to_finding(document, rule, severity, hit))
    except PatternTimeout as exc:
        raise _timed_out(document, compiled, exc) from None
    findings.sort(key=lambda f: (f.offset, f.length, f.rule))
    return findings


def _timed_out(document: Document, compiled: Compiled, exc: PatternTimeout) -> DocumentError:
    """A document whose patterns ran out of time is not checked: an error, never a gap."""
    entry = compiled.glossary.entries[exc.entry]
    what = (f"the glossary's patterns took more than {exc.seconds:.1f} s together"
            if exc.budget else f"the pattern of '{entry.term}' took more than {exc.seconds:.1f} s")
    return DocumentError(document.path, f"{what} (stopped at {entry.location}: catastrophic "
                         "backtracking? simplify the pattern); not checked")
