#!/usr/bin/env python3
"""Machine translation: import cost, cold and warm start, sentences per second.

    python bench/translation.py [--model tests/fixtures/tiny-ru-en.argosmodel] [--repeat 3]

Every number is measured in this run next to its baseline, argostranslate's own
`argostranslate.translate` on the same installed package and the same texts:

- import: a new process importing `glossary_check.translate` and opening the
  backend, against one importing `argostranslate.translate`;
- cold start: a new process from nothing to the first translated sentence;
- warm: sentences per second once the model is loaded (best of --repeat), both ways,
  and a second run through the cache (no model calls);
and checks that both give the same output. The package is installed into a
temporary ARGOS_PACKAGES_DIR; nothing is downloaded.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURE = HERE.parent / "tests" / "fixtures" / "tiny-ru-en.argosmodel"

OURS_COLD = """
import sys, time
t0 = time.perf_counter()
from glossary_check.cache.translations import open_translator
translator = open_translator(use_cache=False)
t1 = time.perf_counter()
out = translator.translate_batch([sys.argv[1]], "ru", "en")
t2 = time.perf_counter()
print(t1 - t0, t2 - t0, out[0])
"""
PEER_COLD = """
import sys, time
t0 = time.perf_counter()
import argostranslate.translate
t1 = time.perf_counter()
out = argostranslate.translate.translate(sys.argv[1], "ru", "en")
t2 = time.perf_counter()
print(t1 - t0, t2 - t0, out)
"""


def texts_to_translate() -> list[str]:
    """The fixture's training sentences, two to a paragraph, as an article's spans come."""
    spec = importlib.util.spec_from_file_location(
        "make_tiny_model", HERE.parent / "tests" / "fixtures" / "make_tiny_model.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    sources = [ru for ru, _ in module.build_corpus()]
    return [f"{a} {b}" for a, b in zip(sources[::2], sources[1::2], strict=False)]


def cold(code: str, text: str, env: dict[str, str]) -> tuple[float, float, float, str]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, text], env=env, capture_output=True,
                          text=True, check=True)
    wall = time.perf_counter() - start
    imported, first, out = proc.stdout.strip().split(" ", 2)
    return float(imported), float(first), wall, out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=FIXTURE)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ARGOS_PACKAGES_DIR"] = str(Path(tmp) / "argos")
        os.environ["GLOSSARY_CHECK_CACHE_DIR"] = str(Path(tmp) / "cache")
        from glossary_check.cache.translations import open_translator
        from glossary_check.translate import models

        models.install_from_path(args.model)
        env = dict(os.environ)
        texts = texts_to_translate()
        sentences = sum(t.count(".") or 1 for t in texts)

        ours_c = cold(OURS_COLD, texts[0], env)
        peer_c = cold(PEER_COLD, texts[0], env)

        translator = open_translator(threads=args.threads, use_cache=False)
        translator.translate_batch(texts[:2], "ru", "en")  # load the model
        ours_best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            ours = translator.translate_batch(texts, "ru", "en")
            ours_best = min(ours_best, time.perf_counter() - t0)

        import argostranslate.translate

        argostranslate.translate.translate(texts[0], "ru", "en")
        peer_best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            peer = [argostranslate.translate.translate(t, "ru", "en") for t in texts]
            peer_best = min(peer_best, time.perf_counter() - t0)

        cached = open_translator(threads=args.threads, use_cache=True)
        cached.translate_batch(texts, "ru", "en")  # fills the cache
        t0 = time.perf_counter()
        again = open_translator(threads=args.threads, use_cache=True).translate_batch(
            texts, "ru", "en")
        cached_s = time.perf_counter() - t0

    same = ours == peer == again and ours_c[3] == peer_c[3]
    rows = [
        ("import (new process)", f"{ours_c[0]:.3f} s", f"{peer_c[0]:.3f} s",
         f"{peer_c[0] / ours_c[0]:.1f}x"),
        ("cold start to first sentence", f"{ours_c[1]:.3f} s", f"{peer_c[1]:.3f} s",
         f"{peer_c[1] / ours_c[1]:.1f}x"),
        ("process wall time, one text", f"{ours_c[2]:.3f} s", f"{peer_c[2]:.3f} s",
         f"{peer_c[2] / ours_c[2]:.1f}x"),
        (f"warm: {len(texts)} texts, ~{sentences} sentences",
         f"{sentences / ours_best:.0f} sent/s", f"{sentences / peer_best:.0f} sent/s",
         f"{peer_best / ours_best:.1f}x"),
        ("second run through the cache", f"{cached_s:.3f} s", "-", f"{peer_best / cached_s:.0f}x"),
    ]
    width = [max(len(r[i]) for r in rows) for i in range(4)]
    head = ("", "glossary-check", "argostranslate")
    print(f"{head[0]:<{width[0]}}  {head[1]:>{width[1]}}  {head[2]:>{width[2]}}  ratio")
    for row in rows:
        print(f"{row[0]:<{width[0]}}  {row[1]:>{width[1]}}  {row[2]:>{width[2]}}  {row[3]}")
    print(json.dumps({"same_output": same}))
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
