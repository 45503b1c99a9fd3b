"""The typed records that flow from rules to reports."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    """Ordered so that `--fail-on` compares with `>=`."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (error, warning, info)") from None


class Applicability(enum.Enum):
    """Whether a suggestion may be written by `--fix` without a human looking (ruff's split)."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Finding:
    """One diagnostic. Offsets are code points into the decoded file text (BOM excluded)."""

    rule: str
    severity: Severity
    offset: int
    length: int
    text: str
    message: str
    entry: str | None = None
    suggestion: str | None = None
    language: str | None = None
    translation: str | None = None
    applicability: Applicability = Applicability.NONE
    note: str | None = None
    url: str | None = None

    @property
    def end(self) -> int:
        return self.offset + self.length


@dataclass(frozen=True, slots=True)
class Position:
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(slots=True)
class FileResult:
    """The outcome for one input: findings, or the error that stopped its check."""

    path: str
    language: str
    text: str = ""
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    #: the file began with a UTF-8 byte-order mark (not part of `text`); a fix keeps it
    bom: bool = False
