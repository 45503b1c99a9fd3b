"""What reading a document costs, and what the structure recorded for suppression adds.

    python bench/reader_cost.py [--repeat 3]

Builds a Markdown, an HTML and a plain-text article of some 2 MB from the
Ukrainian half of the ntrex corpus (every 20th paragraph headed by a
suppression comment), then for each: the best of `--repeat` reads (CPU seconds),
the peak memory of one read (tracemalloc), how many comments and blocks the
reader recorded and the bytes their arrays take, and the time suppression
takes on a finding in every paragraph. Run it against another checkout
(`PYTHONPATH=that/checker`) to compare; a suppression module that still reads
text and format itself is called that way.
"""

from __future__ import annotations

import argparse
import inspect
import sys
import time
import tracemalloc
from pathlib import Path

from glossary_check.core.findings import Finding, Severity
from glossary_check.documents import read_document
from glossary_check.workflow import suppress

CORPUS = Path(__file__).resolve().parents[1].parent.parent / "shared/corpus/ntrex-dev/uk"
DIRECTIVE = "<!-- glossary-check: ignore[variant] -- quoted -->"


def paragraphs() -> list[str]:
    corpus = CORPUS if CORPUS.is_dir() else Path("/work/shared/corpus/ntrex-dev/uk")
    out = []
    for path in sorted(corpus.glob("*.txt")):
        out += [p.strip() for p in path.read_text(encoding="utf-8").split("\n") if p.strip()]
    return out


def articles(target: int = 2_000_000) -> dict[str, str]:
    paras = paragraphs()
    md, html, text, size, i = [], [], [], 0, 0
    while size < target:
        p = paras[i % len(paras)]
        if i % 20 == 0:
            md.append(DIRECTIVE)
            html.append(DIRECTIVE)
            text.append("# glossary-check: ignore[variant] -- quoted")
        md.append(f"{p} *Київ*.\n")
        html.append(f"<p>{p} <em>Київ</em>.</p>")
        text.append(f"{p} Київ.\n")
        size += len(p)
        i += 1
    return {"a.md": "\n".join(md), "a.html": "\n".join(html), "a.txt": "\n".join(text)}


def recorded_bytes(doc: object) -> tuple[int, int, int]:
    comments, blocks = getattr(doc, "comments", None), getattr(doc, "blocks", None)
    if comments is None or blocks is None:
        return 0, 0, 0
    size = 0
    for arrays in (comments, blocks):
        for name in arrays.__slots__:
            value = getattr(arrays, name, None)
            if isinstance(value, tuple):
                size += sum(v.buffer_info()[1] * v.itemsize for v in value)
            elif hasattr(value, "itemsize"):
                size += value.buffer_info()[1] * value.itemsize
            elif isinstance(value, bytearray):
                size += len(value)
    return len(comments), len(blocks), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    new_api = "document" in inspect.signature(suppress.apply).parameters
    print(f"suppress.apply takes a {'Document' if new_api else 'text and format'}")
    print(f"{'file':8} {'MB':>5} {'read s':>7} {'peak MB':>8} {'comments':>9} {'blocks':>7} "
          f"{'rec. KB':>8} {'suppress s':>11} {'suppressed':>10}")
    for name, text in articles().items():
        data = text.encode("utf-8")
        best = float("inf")
        for _ in range(args.repeat):
            started = time.process_time()
            doc = read_document(name, data)
            best = min(best, time.process_time() - started)
        tracemalloc.start()
        doc = read_document(name, data)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        findings = [Finding("variant", Severity.ERROR, i, 4, "Київ", "m")
                    for i in range(len(text)) if text.startswith("Київ", i)]
        started = time.process_time()
        if new_api:
            out = suppress.apply(doc, findings, known={"variant"})
        else:
            out = suppress.apply(doc.text, doc.format, findings, known={"variant"})  # type: ignore[arg-type]
        took = time.process_time() - started
        n_comments, n_blocks, size = recorded_bytes(doc)
        print(f"{name:8} {len(data) / 1e6:5.2f} {best:7.3f} {peak / 1e6:8.1f} {n_comments:9} "
              f"{n_blocks:7} {size / 1e3:8.1f} {took:11.3f} {len(out.suppressed):10}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
