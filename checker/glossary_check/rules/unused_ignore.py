"""`unused-ignore`: a suppression comment that suppresses nothing (ruff's RUF100).

The suppression pass reports it, after every other rule has run, so the rule
has no check of its own in the pipeline; it is a rule all the same, so that
`--select`, `--ignore`, severities, `--list-rules` and `explain` know it.
"""

from __future__ import annotations

from glossary_check.core.findings import Severity
from glossary_check.rules import Example, Rule, RuleDoc

DOC = RuleDoc(
    what="""With `--report-unused-ignores` (or `report-unused-ignores = true`): flags a
    `glossary-check: ignore[...]` or `disable[...]` comment that suppressed nothing,
    that names a rule nobody knows, or that is misspelt. A rule the run left out with
    `--select` or `--ignore` is not counted as unused.""",
    why="""A suppression outlives the text it was written for: once the sentence is
    fixed, the comment hides the next real finding in that place.""",
    flagged=(Example("<!-- glossary-check: ignore[variant] -->\\nTalks resumed in Kyiv.\\n",
                     name="example.md"),),
    clean=(Example("<!-- glossary-check: ignore[variant] -- quoted -->\\n"
                   "Talks resumed in Kiev.\\n", name="example.md"),),
    fix="None: delete the comment, or name the rule it is for.",
)

RULE = Rule("unused-ignore", Severity.WARNING, "a suppression comment that suppresses nothing",
            DOC, None)
