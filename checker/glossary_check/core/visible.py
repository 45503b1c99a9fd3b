"""Text from articles, file names, glossaries and caches, made safe to print.

Anything printed for people (the text report, notices, error lines, the
progress bar) passes through `escape`: a control character could otherwise
move the cursor, erase a finding from the screen, retitle the terminal
(OSC) or start a CI log command on a line of its own, and a bidi control
could show a line in an order other than the one it is read in. Each is
shown as a visible escape instead: `\\x1b`, `\\n`, `<U+202E>`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

#: Bidi controls: embeddings, overrides, isolates and the implicit marks.
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
#: Invisible in print, so a glossary rendering holding one could never be seen to be wrong.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_CONTROLS = "\x00-\x1f\x7f-\x9f"  # C0, DEL and C1
_SURROGATES = "\ud800-\udfff"  # lone ones: the bytes of a file name that are not UTF-8
_UNSAFE = re.compile(f"[{_CONTROLS}{BIDI}{_SURROGATES}]")
#: What a glossary rendering may not hold: the above and the zero-width characters.
_NOT_IN_TERMS = re.compile(f"[{_CONTROLS}{BIDI}{ZERO_WIDTH}{_SURROGATES}]")
_SURROGATE = re.compile(f"[{_SURROGATES}]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def show_char(ch: str) -> str:
    """One character as an escape: `\\n`, `\\x1b`, `<U+202E>`."""
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"<U+{code:04X}>"


def escape(text: str, keep: str = "") -> str:
    """`text` with every control, bidi control and lone surrogate, except those in `keep`, shown."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(lambda m: m[0] if m[0] in keep else show_char(m[0]), text)


def encodable(text: str, show: Callable[[str], str] = show_char) -> str:
    """`text` with its lone surrogates (undecodable file name bytes) shown, so UTF-8 holds it."""
    return _SURROGATE.sub(lambda m: show(m[0]), text)


def hidden_char(text: str) -> int | None:
    """Index of the first character a glossary rendering may not hold, or None."""
    m = _NOT_IN_TERMS.search(text)
    return None if m is None else m.start()


def print_error(message: str, prog: str = "glossary-check") -> None:
    """One error line on standard error; whatever the message quotes cannot break it in two."""
    print(f"{prog}: {escape(message)}", file=sys.stderr)
