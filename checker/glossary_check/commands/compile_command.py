"""`glossary-check compile GLOSSARY... -o FILE`: the glossary compiled ahead, as a build artefact.

A CI runner starts with an empty cache; a compiled glossary it restores
(keyed on the glossary's digest) or that the desk publishes beside the
glossary spares every run the YAML and the compiling. `--compiled FILE`
reads it; it holds the version of glossary-check that wrote it and the
digest of every file it was compiled from, and a file of another version,
from other files, or whose glossary has changed since is refused and
rebuilt.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from glossary_check.commands.options import file_size
from glossary_check.core.errors import ExitCode, display_path
from glossary_check.core.inputs import DEFAULT_MAX_FILE_SIZE, set_max_file_size
from glossary_check.core.visible import escape


def main(argv: Sequence[str]) -> int:
    from glossary_check.cache.compiled import write_artefact  # msgpack, the engine

    parser = argparse.ArgumentParser(
        prog="glossary-check compile",
        description="Compile glossaries (merged, as several -g would be) into FILE, for "
        "'--compiled FILE': a CI job can cache it keyed on the glossary's digest, or a desk "
        "publish it beside the glossary. Exit status: 0 written, 2 a broken glossary or a "
        "file that cannot be written.",
    )
    parser.add_argument("glossaries", nargs="+", metavar="GLOSSARY", help="glossary YAML file(s)")
    parser.add_argument("-o", "--output", metavar="FILE", required=True,
                        help="where the compiled glossary is written (replaced atomically)")
    parser.add_argument("--max-file-size", type=file_size, default=DEFAULT_MAX_FILE_SIZE,
                        metavar="SIZE", help="refuse glossary files larger than this "
                        "(bytes, or with K, M, G; default: 16M)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing")
    args = parser.parse_args(argv)
    set_max_file_size(args.max_file_size)
    out = Path(args.output)
    compiled = write_artefact([Path(p) for p in args.glossaries], out)
    if not args.quiet:
        glossary = compiled.glossary
        files = len(glossary.files)
        sys.stdout.write(escape(
            f"{display_path(out)}: {len(glossary.entries)} entries from {files} "
            f"file{'s' if files != 1 else ''} ({glossary.path})\n", keep="\n"))
    return ExitCode.OK
