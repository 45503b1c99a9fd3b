"""`glossary-check test GLOSSARY`: run every entry's `examples` (prh's specs, for a glossary).

Each `bad` sentence must get at least one finding for its entry, each `good`
one none. A finding is for an entry when it names the entry, or names no
entry but suggests one of the entry's renderings (a `mixed-script` Kyiv).
Every rule runs, with the default settings, on each sentence as a plain-text
document of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from glossary_check.core.findings import Finding
from glossary_check.documents import read_document
from glossary_check.engine.compiled import Compiled
from glossary_check.engine.glossary import Entry
from glossary_check.rules.pipeline import Settings, check_document


@dataclass(frozen=True, slots=True)
class Failure:
    entry: Entry
    kind: str  # "bad" or "good"
    sentence: str
    findings: tuple[Finding, ...] = ()

    def message(self) -> str:
        where = f"{self.entry.location}: {self.entry.term}"
        if self.kind == "bad":
            return f"{where}: bad example not flagged: {self.sentence!r}"
        shown = "; ".join(f"{f.rule} on {f.text!r}" for f in self.findings)
        return f"{where}: good example flagged ({shown}): {self.sentence!r}"


@dataclass(frozen=True, slots=True)
class Outcome:
    entries: int  # entries with examples
    examples: int
    failures: tuple[Failure, ...]

    @property
    def passed(self) -> bool:
        return not self.failures

    def report(self) -> str:
        lines = [f.message() for f in self.failures]
        verdict = "all pass" if self.passed else f"{len(self.failures)} failed"
        lines.append(f"{self.examples} example{'s' if self.examples != 1 else ''} of "
                     f"{self.entries} entr{'ies' if self.entries != 1 else 'y'}: {verdict}")
        return "\n".join(lines) + "\n"


def concerns(finding: Finding, entry: Entry) -> bool:
    if finding.entry is not None:
        return finding.entry == entry.term
    renderings = {*entry.accepted, *(v.right for v in entry.variants)}
    return finding.suggestion is not None and finding.suggestion in renderings


def check_sentence(compiled: Compiled, sentence: str, settings: Settings) -> list[Finding]:
    document = read_document("example.txt", sentence.encode("utf-8"), "text")
    return check_document(document, compiled, settings)


def run(compiled: Compiled, settings: Settings | None = None) -> Outcome:
    settings = settings or Settings()
    failures: list[Failure] = []
    entries = examples = 0
    for entry in compiled.glossary.entries:
        cases: Sequence[tuple[str, str]] = [
            *(("bad", s) for s in entry.examples.bad), *(("good", s) for s in entry.examples.good)
        ]
        if not cases:
            continue
        entries += 1
        for kind, sentence in cases:
            examples += 1
            mine = [f for f in check_sentence(compiled, sentence, settings) if concerns(f, entry)]
            if kind == "bad" and not mine:
                failures.append(Failure(entry, kind, sentence))
            elif kind == "good" and mine:
                failures.append(Failure(entry, kind, sentence, tuple(mine)))
    return Outcome(entries, examples, tuple(failures))


def main(argv: Sequence[str]) -> int:
    """`glossary-check test GLOSSARY...`: exit 0 when all pass, 1 when some fail, 2 on error."""
    import argparse
    import sys

    from glossary_check.commands.options import add_compiled, add_rule_selection, resolve
    from glossary_check.commands.session import open_session
    from glossary_check.core.errors import ExitCode

    parser = argparse.ArgumentParser(
        prog="glossary-check test",
        description="Run the examples of every glossary entry: each bad sentence must be "
        "flagged for its entry, no good one. Exit status: 0 all pass, 1 some fail, 2 error.",
    )
    parser.add_argument("glossary", nargs="+", metavar="GLOSSARY", help="glossary YAML file(s)")
    add_rule_selection(parser)
    add_compiled(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the failures")
    args = parser.parse_args(argv)
    args.no_config = True  # a glossary's own examples, whatever the project's configuration says
    session = open_session(resolve(args), cached=False)
    outcome = run(session.compiled, session.settings)
    text = outcome.report()
    if args.quiet:
        text = "".join(line + "\n" for line in text.splitlines()[:-1])
    sys.stdout.write(text)
    return ExitCode.OK if outcome.passed else ExitCode.FINDINGS
