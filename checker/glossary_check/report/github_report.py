"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

`::error file=F,line=L,col=C,endLine=..,endColumn=..,title=..::message`;
warning is `::warning`, info `::notice`. Columns are code points, as in the
JSON report. GitHub only places columns within one line, so a finding that
crosses a line break gives its lines and leaves the columns out.

Properties and data are escaped by GitHub's rules (`%`, CR and LF; in
properties also `:` and `,`), so no file name or message can end a command
or start another. Other controls and bidi controls in a message are shown as
visible escapes, as in the text report; file names stay exact (minus
GitHub's escaping), or the annotation would not find its file.

A run's notices (no translation model, a link not followed) are not
findings: an annotation would put them on every pull request, so they are
left to the job's log (the command line prints them on standard error).
"""

from __future__ import annotations

import os
import re

from glossary_check.core.findings import Severity
from glossary_check.core.visible import encodable, escape
from glossary_check.report import Run, located

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
TITLE = "glossary-check"
#: Line breaks in a message stay line breaks in the annotation (escaped as %0D, %0A).
_DATA_BREAKS = "\r\n"


def escape_data(text: str) -> str:
    """The message part: what the runner would otherwise read as the command's end."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: also ':' and ',', which separate properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict[str, str | int], message: str) -> str:
    props = ",".join(
        f"{key}={escape_property(encodable(str(value)))}" for key, value in properties.items())
    head = f"{name} {props}" if props else name
    return f"::{head}::{escape_data(escape(message, keep=_DATA_BREAKS))}"


def _path(path: str) -> str:
    return path.replace(os.sep, "/")


def render(run: Run) -> str:
    lines: list[str] = []
    for result in run.files:
        path = _path(result.path)
        if result.error is not None:
            props: dict[str, str | int] = {"file": path}
            m = re.match(re.escape(result.path) + r":(\d+):(\d+): ", result.error)
            if m:
                props.update(line=int(m[1]), col=int(m[2]))
            props["title"] = TITLE
            lines.append(command("error", props, result.error))
            continue
        for finding, pos in located(result):
            props = {"file": path, "line": pos.line}
            if pos.end_line == pos.line:
                props.update(col=pos.column, endLine=pos.end_line, endColumn=pos.end_column)
            else:
                props["endLine"] = pos.end_line
            props["title"] = f"{TITLE} ({finding.rule})"
            lines.append(command(COMMANDS[finding.severity], props, finding.message))
    return "".join(line + "\n" for line in lines)
