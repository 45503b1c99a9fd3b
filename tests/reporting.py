"""Validators for the machine-readable reports, shared by the tests.

The JSON report is checked against the schema the package ships
(`glossary_check/data/report.schema.json`); SARIF against the official
OASIS SARIF 2.1.0 schema and rdjsonl lines against reviewdog's Diagnostic
schema, both committed unchanged under tests/schemas (origins and licences
in tests/schemas/README.md).
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema

SCHEMAS = Path(__file__).parent / "schemas"

# RFC 3986: a URI reference uses only these characters (anything else percent-encoded);
# an absolute URI starts with a scheme. jsonschema checks neither format without extra
# packages, so the SARIF validator brings its own.
_URI_CHARS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def _uri_reference(value: object) -> bool:
    return not isinstance(value, str) or _URI_CHARS.fullmatch(value) is not None


def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return _uri_reference(value) and _SCHEME.match(value) is not None


def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker()
    checker.checks("uri")(_uri)
    checker.checks("uri-reference")(_uri_reference)
    return checker


@cache
def report_schema() -> dict[str, Any]:
    text = files("glossary_check").joinpath("data/report.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _json_validator() -> jsonschema.protocols.Validator:
    schema = report_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@cache
def _sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=_format_checker())


@cache
def _rdjson_validator() -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMAS / "reviewdog-diagnostic.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def _check(validator: jsonschema.protocols.Validator, obj: object) -> None:
    errors = sorted(validator.iter_errors(obj), key=lambda e: list(e.absolute_path))
    if errors:
        raise AssertionError("\n".join(
            f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors
        ))


def validate_json_report(obj: object) -> None:
    """Raise AssertionError listing every way `obj` departs from the shipped report schema."""
    _check(_json_validator(), obj)


def validate_sarif(obj: object) -> None:
    """Raise AssertionError listing every way `obj` departs from the SARIF 2.1.0 schema."""
    _check(_sarif_validator(), obj)


def validate_rdjson_diagnostic(obj: object) -> None:
    """Raise AssertionError listing every way `obj` departs from reviewdog's Diagnostic schema."""
    _check(_rdjson_validator(), obj)


def json_errors(obj: object) -> list[str]:
    """The report schema's complaints about `obj` (empty when it is valid)."""
    return [e.message for e in _json_validator().iter_errors(obj)]
