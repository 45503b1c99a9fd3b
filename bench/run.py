"""Glossary size against speed, memory and findings: glossary-check and its peer in one run.

    python bench/run.py            # sizes 100 .. 50,000; the peer on the whole corpus up
                                   # to 10,000 entries, on the first 10 articles at 50,000
    python bench/run.py --quick    # the peer on the whole corpus at 100 and 1,000 only,
                                   # on the first 10 articles at 10,000 and 50,000

Steps, all on the same generated data (../shared/bench/peer/gen_scale.py, seeded: 200
news-like articles, ~745 KB, and glossaries of 100, 1,000, 10,000 and 50,000 entries
with the answer key for each):

1. glossary-check on the corpus for each size, each run a new process: cold (empty
   compiled-glossary cache: YAML, compiling, writing the cache and the morphology index
   included) and warm (the cache written by the cold run), with every rule and with
   `--select variant,case` (the peer's share of the work), and warm with `--jobs 1`.
   Wall time, throughput and the peak resident memory of the largest process (from
   wait4, as /usr/bin/time reports it). The JSON reports of the cold run, the warm run
   and the serial warm run must be identical (an optimisation must not change results).
2. The peer, textlint + textlint-rule-prh (installed by the peer's setup.sh into
   $TMPDIR/peer-textlint, pinned), on the same glossaries converted by to_prh.py and
   the same files, timed the same way; the conversion is timed apart, as the peer's
   counterpart of compiling. The ratio peer/ours is printed per size.
3. The `variant` and `case` findings of both tools against the generator's answer key:
   precision and recall, and every difference sorted into categories with examples.
4. How time grows with the glossary: 50,000 entries against 1,000.
5. Start-up: `glossary-check --version`, and one article with the cached 50,000-entry
   glossary (median of five runs).

Results are printed and written to bench/out/ (git-ignored) as results.md and results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PEER = ROOT.parent / "shared" / "bench" / "peer"
SIZES = (100, 1000, 10000, 50000)
SUBSET = 10  # articles the peer gets where the whole corpus would take too long
WARM_RUNS = 3  # warm runs are short: the median of three is reported
COMPARED = ("variant", "case")


# --- running and timing ---------------------------------------------------------------


@dataclass
class Timed:
    wall: float
    rss_mb: float
    status: int
    stdout: str = field(repr=False, default="")
    stderr: str = field(repr=False, default="")


def timed(cmd: Sequence[str], *, cwd: Path, env: dict[str, str] | None = None,
          timeout: float | None = None) -> Timed:
    """Run a command; wall time and the peak RSS of its largest process (wait4's maxrss)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL)
        deadline = None if timeout is None else start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        scale = 1024 if sys.platform != "darwin" else 1  # KB on Linux, bytes on macOS
        return Timed(wall, usage.ru_maxrss * scale / 1e6, proc.returncode,
                     out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def ours_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "glossary_check", *args]


def env_with(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    env.pop("NO_COLOR", None)
    return env


# --- data -----------------------------------------------------------------------------


def generate(peer: Path, scale: Path) -> dict[str, Any]:
    if not (scale / "manifest.json").exists():
        print(f"generating the scale data into {scale} ...", flush=True)
        subprocess.run([sys.executable, str(peer / "gen_scale.py"), "--out", str(scale)],
                       check=True, stdout=subprocess.DEVNULL)
    manifest: dict[str, Any] = json.loads((scale / "manifest.json").read_text())
    return manifest


def corpus_files(scale: Path, subset: int | None = None) -> list[str]:
    files = sorted(p.name for p in (scale / "corpus").iterdir() if p.suffix in (".txt", ".md"))
    return [f"corpus/{name}" for name in (files[:subset] if subset else files)]


def total_bytes(scale: Path, files: Iterable[str]) -> int:
    return sum((scale / f).stat().st_size for f in files)


# --- glossary-check -------------------------------------------------------------------


def run_ours(scale: Path, out: Path, size: int, files: list[str], label: str,
             cold: bool = True) -> dict[str, Any]:
    """Cold (unless the cache is already warm), warm, warm variant/case only, warm serial.

    The reports of the cold, warm and serial runs must be byte for byte the same.
    """
    cache = out / "cache" / f"{label}-{size}"
    env = env_with(GLOSSARY_CHECK_CACHE_DIR=str(cache))
    base = ["-g", f"glossary-{size}.yaml", "-f", "json", "--fail-on", "never", *files]
    runs: dict[str, Timed] = {}
    # each cold run starts from an empty cache; the last leaves it warm for the warm runs
    kinds = (("cold_vc", ["--select", "variant,case"]), ("cold", [])) if cold else ()
    for name, extra in (*kinds, ("warm", []), ("warm_vc", ["--select", "variant,case"]),
                        ("warm_serial", ["--jobs", "1"])):
        if name.startswith("cold"):
            shutil.rmtree(cache, ignore_errors=True)
        tries = [timed(ours_cmd(*base, *extra), cwd=scale, env=env)
                 for _ in range(1 if name.startswith("cold") else WARM_RUNS)]
        for run in tries:
            if run.status != 0:
                sys.stderr.write(run.stderr)
                raise SystemExit(f"glossary-check failed ({name}, {size} entries)")
        runs[name] = sorted(tries, key=lambda r: r.wall)[len(tries) // 2]  # the median
        (out / f"ours-{label}-{size}-{name}.json").write_text(runs[name].stdout, encoding="utf-8")
    if cold:  # a CI runner that restores `glossary-check compile`'s file, its cache empty
        artefact = out / "cache" / f"{label}-{size}.compiled"
        artefact.unlink(missing_ok=True)
        made = timed(ours_cmd("compile", f"glossary-{size}.yaml", "-o", str(artefact)),
                     cwd=scale, env=env)
        shutil.rmtree(cache, ignore_errors=True)
        runs["compiled"] = timed(ours_cmd(*base, "--compiled", str(artefact)), cwd=scale,
                                 env=env)
        if made.status != 0 or runs["compiled"].status != 0:
            sys.stderr.write(made.stderr + runs["compiled"].stderr)
            raise SystemExit(f"glossary-check failed (compiled, {size} entries)")
        runs["compile"] = made
    reports = {runs[k].stdout for k in ("cold", "warm", "warm_serial", "compiled") if k in runs}
    nbytes = total_bytes(scale, files)
    return {
        "size": size, "files": len(files), "bytes": nbytes, "equal_reports": len(reports) == 1,
        **{f"{k}_s": round(v.wall, 3) for k, v in runs.items()},
        **{f"{k}_mb": round(v.rss_mb) for k, v in runs.items()},
        "warm_mb_per_s": round(nbytes / 1e6 / runs["warm"].wall, 3),
        "report": json.loads(runs["warm"].stdout),
    }


ARTICLE = "corpus/art-000.txt"  # the one article of the start-up runs


def startup(scale: Path, out: Path, size: int) -> dict[str, float]:
    """Median wall of five `--version` runs and of five one-article checks, cache warm."""
    env = env_with(GLOSSARY_CHECK_CACHE_DIR=str(out / "cache" / f"full-{size}"))  # run_ours's
    one = ["-g", f"glossary-{size}.yaml", "-f", "json", "--fail-on", "never", ARTICLE]
    timed(ours_cmd(*one), cwd=scale, env=env)  # makes sure the cache is there
    result = {}
    for name, args in (("version", ["--version"]), ("one_article", one),
                       ("one_article_vc", [*one, "--select", "variant,case"]),
                       ("one_article_no_untranslated", [*one, "--ignore", "untranslated"])):
        walls = [timed(ours_cmd(*args), cwd=scale, env=env).wall for _ in range(5)]
        result[name] = round(statistics.median(walls), 3)
    return result


def bundled_glossary() -> Path:
    return ROOT / "glossary" / "newsroom.yaml"


#: A real article (ntrex-dev's first English one) beside the generated one, whose made-up
#: Cyrillic names bring in everything a check can load.
REAL_ARTICLES = ROOT.parent / "shared" / "corpus" / "ntrex-dev" / "en"


def one_article_bundled(scale: Path, out: Path) -> dict[str, Any]:
    """One article, all rules, the bundled glossary: median of five with an empty cache each
    time (a fresh CI runner) and of five with the cache warm; the same for a real article
    where there is one; and five other generated articles, each checked for the first time
    on that warm cache (an editor's first check of a new article)."""
    cache = out / "cache" / "bundled"
    env = env_with(GLOSSARY_CHECK_CACHE_DIR=str(cache))

    def check(article: str) -> float:
        return timed(ours_cmd("-g", str(bundled_glossary()), "-f", "json", "--fail-on", "never",
                              article), cwd=scale, env=env).wall

    real = sorted(REAL_ARTICLES.glob("*.txt"))[:1] if REAL_ARTICLES.is_dir() else []
    result: dict[str, Any] = {}
    for label, article in (("", ARTICLE), *(("real_", str(p)) for p in real)):
        cold = []
        for _ in range(5):
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(check(article))
        warm = [check(article) for _ in range(5)]
        result[f"{label}cold"] = round(statistics.median(cold), 3)
        result[f"{label}warm"] = round(statistics.median(warm), 3)
    if real:
        result["real_name"] = real[0].name
    shutil.rmtree(cache, ignore_errors=True)
    check(ARTICLE)
    new = [check(other) for other in corpus_files(scale)[1:6]]
    result["new"] = round(statistics.median(new), 3)
    return result


def merged_bundled(out: Path) -> Path:
    """The bundled glossary with its include merged as glossary-check merges it (the desk's
    entries override the list's), as one file: to_prh refuses a term defined twice."""
    import yaml

    from glossary_check.engine.glossary import load_glossary

    glossary = load_glossary(bundled_glossary())
    entries = []
    for e in glossary.entries:
        item: dict[str, Any] = {"term": e.term, "case": e.case}
        if e.kind:
            item["kind"] = e.kind
        if e.aliases:
            item["aliases"] = list(e.aliases)
        if e.variants:
            item["variants"] = [v.wrong if v.right == e.term else {v.wrong: v.right}
                                for v in e.variants]
        entries.append(item)
    path = out / "bundled-merged.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "language": glossary.language,
                                    "entries": entries}, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


def peer_one_article_bundled(peer: Path, peer_dir: Path, scale: Path, out: Path) -> float | None:
    """textlint + prh on the same article with the bundled glossary converted: median of five."""
    sys.path.insert(0, str(peer))
    import run_peer as rp
    import to_prh
    import yaml

    prh = out / "prh-bundled.yml"
    doc, _ = to_prh.convert(to_prh.load_glossary(str(merged_bundled(out))), "none", "ranges")
    with open(prh, "w", encoding="utf-8") as fh:
        yaml.dump(doc, fh, allow_unicode=True, sort_keys=False, width=1 << 30,
                  Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper))
    rc = out / "textlintrc-bundled.json"
    rc.write_text(json.dumps(rp.textlintrc(str(prh), False)))
    textlint = peer_dir / "node_modules" / ".bin" / "textlint"
    walls = []
    for _ in range(5):
        run = timed([str(textlint), "--config", str(rc), "--format", "json",
                     str(scale / ARTICLE)], cwd=peer, timeout=120)
        if run.status not in (0, 1):
            return None
        walls.append(run.wall)
    return round(statistics.median(walls), 3)


# --- the peer -------------------------------------------------------------------------


def peer_setup(peer: Path, peer_dir: Path) -> str:
    proc = subprocess.run(["bash", str(peer / "setup.sh")], capture_output=True, text=True,
                          env=env_with(PEER_DIR=str(peer_dir)), check=False)
    if proc.returncode != 0:
        raise SystemExit(f"peer setup failed:\n{proc.stdout}\n{proc.stderr}")
    return " ".join(line for line in proc.stdout.splitlines() if line.startswith("text"))


def run_peer(peer: Path, peer_dir: Path, scale: Path, out: Path, size: int, files: list[str],
             label: str, timeout: float) -> dict[str, Any]:
    sys.path.insert(0, str(peer))
    import run_peer as rp  # the peer's own runner: its textlintrc and report conversion
    import to_prh

    os.environ["PEER_DIR"] = str(peer_dir)
    textlint = peer_dir / "node_modules" / ".bin" / "textlint"
    glossary_path = scale / f"glossary-{size}.yaml"
    prh = out / f"prh-{size}.yml"
    start = time.perf_counter()
    if not prh.exists():
        glossary = to_prh.load_glossary(str(glossary_path))
        doc, _ = to_prh.convert(glossary, "none", "ranges")
        import yaml

        with open(prh, "w", encoding="utf-8") as fh:
            yaml.dump(doc, fh, allow_unicode=True, sort_keys=False, width=1 << 30,
                      Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper))
    convert_s = time.perf_counter() - start
    rc = out / f"textlintrc-{size}.json"
    rc.write_text(json.dumps(rp.textlintrc(str(prh), False)))
    raw = out / f"peer-{label}-{size}-textlint.json"
    run = timed([str(textlint), "--config", str(rc), "--format", "json", "-o", str(raw),
                 *[str(scale / f) for f in files]], cwd=peer, timeout=timeout)
    if run.status not in (0, 1) or not raw.exists():
        return {"size": size, "files": len(files), "failed": f"exit {run.status}",
                "wall_s": round(run.wall, 1)}
    results = json.loads(raw.read_text(encoding="utf-8"))
    glossary = to_prh.load_glossary(str(glossary_path))
    cwd = os.getcwd()
    os.chdir(scale)  # report paths relative to the data, as the answer key has them
    try:
        report = rp.to_report(results, files, glossary, glossary_path.name)
    finally:
        os.chdir(cwd)
    nbytes = total_bytes(scale, files)
    return {"size": size, "files": len(files), "bytes": nbytes, "wall_s": round(run.wall, 3),
            "mb": round(run.rss_mb), "convert_s": round(convert_s, 2),
            "mb_per_s": round(nbytes / 1e6 / run.wall, 4), "report": report}


# --- findings against the answer key --------------------------------------------------


Key = tuple[str, int, int]  # path, offset, length


def _findings(report: dict[str, Any], files: set[str]) -> dict[Key, dict[str, Any]]:
    out = {}
    for f in report["files"]:
        if f["path"] not in files:
            continue
        for x in f["findings"]:
            if x["rule"] in COMPARED:
                out[(f["path"], x["offset"], x["length"])] = x
    return out


def _line_break(x: dict[str, Any]) -> bool:
    return "\n" in x["text"]


def _why_missed(truth: dict[str, Any], found: dict[Key, dict[str, Any]],
                path: str, text: str) -> str:
    start, end = truth["offset"], truth["offset"] + truth["length"]
    overlapping = [x for (p, o, n), x in found.items() if p == path and o < end and start < o + n]
    if overlapping:
        x = overlapping[0]
        if (x["offset"], x["length"]) == (start, truth["length"]):
            return f"found as {x['rule']} instead of {truth['rule']}"
        return f"found with another span ({x['rule']} '{x['text']}')"
    if _line_break(truth):
        return "name across a line break"
    after = text[end : end + 2]
    if after[:1] in ("'", "’"):
        return "followed by a possessive"
    if truth["rule"] == "case" and truth["text"].isupper():
        return "wrong case: all capitals"
    if truth["rule"] == "case":
        return "wrong case: all lower case"
    return "other"


def _why_extra(x: dict[str, Any], truth: dict[Key, dict[str, Any]],
               path: str, text: str) -> str:
    start, end = x["offset"], x["offset"] + x["length"]
    overlapping = [t for (p, o, n), t in truth.items() if p == path and o < end and start < o + n]
    if overlapping:
        t = overlapping[0]
        if (t["offset"], t["length"]) == (start, x["length"]):
            return f"{x['rule']} where the key has {t['rule']}"
        return f"another span than the key's ({t['text']!r})"
    if x["rule"] == "case" and x["text"][:1].isupper() and not x["text"].isupper():
        return "case: capital at a sentence start"
    before = text[max(0, start - 40) : start]
    if before.endswith("\n") and before.rstrip("\n").split(" ")[-1][:1].isupper():
        return (f"{x['rule']} inside a longer name wrapped across a line break "
                "(the whole name is correct)")
    return f"{x['rule']} the key does not list"


def compare(report: dict[str, Any], truth_report: dict[str, Any], files: list[str],
            scale: Path) -> dict[str, Any]:
    wanted = set(files)
    truth = _findings(truth_report, wanted)
    found = _findings(report, wanted)
    texts = {f: (scale / f).read_text(encoding="utf-8-sig") for f in files}
    out: dict[str, Any] = {}
    for rule in (*COMPARED, "all"):
        t = {k for k, v in truth.items() if rule in ("all", v["rule"])}
        f = {k for k, v in found.items() if rule in ("all", v["rule"])}
        tp = len({k for k in t & f if rule != "all" or truth[k]["rule"] == found[k]["rule"]})
        out[rule] = {"truth": len(t), "found": len(f), "correct": tp,
                     "precision": round(tp / len(f), 4) if f else None,
                     "recall": round(tp / len(t), 4) if t else None}
    missed: dict[str, list[str]] = defaultdict(list)
    extra: dict[str, list[str]] = defaultdict(list)
    for key, x in truth.items():
        if key not in found or found[key]["rule"] != x["rule"]:
            missed[_why_missed(x, found, key[0], texts[key[0]])].append(
                f"{key[0]}:{x['line']}:{x['column']} {x['rule']} {x['text']!r}")
    for key, x in found.items():
        if key not in truth or truth[key]["rule"] != x["rule"]:
            extra[_why_extra(x, truth, key[0], texts[key[0]])].append(
                f"{key[0]}:{x['line']}:{x['column']} {x['rule']} {x['text']!r}")
    out["missed"] = {k: {"count": len(v), "examples": v[:3]} for k, v in sorted(missed.items())}
    out["extra"] = {k: {"count": len(v), "examples": v[:3]} for k, v in sorted(extra.items())}
    return out


# --- printing -------------------------------------------------------------------------


def _f(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def cpu_times() -> list[int] | None:
    """The machine's CPU time so far by kind (Linux's /proc/stat: user, nice, system, idle,
    iowait, irq, softirq, steal, ...), in ticks; None where it cannot be read."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = f.readline().split()
    except OSError:
        return None
    return [int(x) for x in fields[1:9]] if fields[:1] == ["cpu"] and len(fields) >= 9 else None


def stolen(start: list[int] | None, end: list[int] | None) -> float | None:
    """The share of CPU time a virtual machine's host took for others between two readings
    (`steal`): where it is high, this machine ran slower than its CPUs say."""
    if start is None or end is None:
        return None
    spent = [b - a for a, b in zip(start, end, strict=True)]
    return spent[7] / sum(spent) if sum(spent) > 0 else None


def render(results: dict[str, Any]) -> str:
    lines: list[str] = []
    add = lines.append
    m = results["machine"]
    add(f"# glossary-check against {results['peer_version']}\n")
    steal = m.get("steal")
    add(f"Corpus: {results['corpus_files']} files, {results['corpus_bytes']:,} bytes; "
        f"{m['cpus']} CPUs; Python {m['python']}; load average at start {m['load']}"
        + ("" if steal is None else
           f"; CPU time taken by the virtual machine's host for others during the run "
           f"(steal) {100 * steal:.0f}%") + ".")
    add("Times are wall seconds (a new process each run; warm runs: median of three), memory "
        "is the peak RSS of the largest process. Ours: cold = empty cache, warm = cache written "
        "by the cold run, all rules unless noted; `--jobs` default (one worker per CPU).\n")
    add("| entries | files | ours cold s | ours warm s | warm MB/s | warm variant,case s "
        "| warm --jobs 1 s | ours peak MB (cold / warm) | peer s | peer MB/s | peer peak MB "
        "| peer/ours warm | peer/ours variant,case | peer/ours cold | reports equal |")
    add("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for row in results["rows"]:
        o, p = row["ours"], row.get("peer") or {}
        pw = p.get("wall_s") if "failed" not in p else None
        cold = o.get("cold_s")

        def ratio(ours_s: float | None, pw: float | None = pw) -> str:
            return _f(pw / ours_s, 1) if pw and ours_s else "-"

        add(f"| {o['size']:,} | {o['files']} | {_f(cold)} | {_f(o['warm_s'])} | "
            f"{_f(o['warm_mb_per_s'], 3)} | {_f(o['warm_vc_s'])} | {_f(o['warm_serial_s'])} | "
            f"{o.get('cold_mb', '-')} / {o['warm_mb']} | "
            f"{_f(pw, 1) if pw else p.get('failed', '-')} | {_f(p.get('mb_per_s'), 4)} | "
            f"{p.get('mb', '-')} | {ratio(o['warm_s'])} | {ratio(o['warm_vc_s'])} | "
            f"{ratio(cold)} | {'yes' if o['equal_reports'] else 'NO'} |")
    add("")
    growth = results.get("growth")
    if growth:
        add("Growth of wall time from 1,000 to 50,000 entries (whole corpus): "
            + "; ".join(f"{k} x{v:.2f}" for k, v in growth.items()) + ".\n")
    s = results.get("startup")
    if s:
        add(f"Start-up, median of 5 (cache warm, {s['size']:,} entries): `--version` "
            f"{s['version']:.3f} s; one article {s['one_article']:.3f} s, with "
            f"`--select variant,case` {s['one_article_vc']:.3f} s, with `--ignore untranslated` "
            f"{s['one_article_no_untranslated']:.3f} s.\n")
    lines += done_when(results)
    add("## Findings against the answer key (`variant` and `case`)\n")
    add("| entries | files | tool | rule | key | found | correct | precision | recall |")
    add("|---:|---:|---|---|---:|---:|---:|---:|---:|")
    for row in results["rows"]:
        for tool in ("ours", "peer"):
            cmp_ = row.get(f"compare_{tool}")
            if not cmp_:
                continue
            for rule in (*COMPARED, "all"):
                c = cmp_[rule]
                add(f"| {row['ours']['size']:,} | {row['ours']['files']} | {tool} | {rule} | "
                    f"{c['truth']} | {c['found']} | {c['correct']} | {_f(c['precision'], 3)} | "
                    f"{_f(c['recall'], 3)} |")
    add("")
    for row in results["rows"]:
        for tool in ("ours", "peer"):
            cmp_ = row.get(f"compare_{tool}")
            if not cmp_ or not (cmp_["missed"] or cmp_["extra"]):
                continue
            add(f"### {tool}, {row['ours']['size']:,} entries ({row['ours']['files']} files)\n")
            for what in ("missed", "extra"):
                for why, d in cmp_[what].items():
                    add(f"- {what}: {why}: {d['count']} (e.g. {'; '.join(d['examples'])})")
            add("")
    return "\n".join(lines) + "\n"


def _row(results: dict[str, Any], size: int, whole: bool = True) -> dict[str, Any] | None:
    for row in results["rows"]:
        o = row["ours"]
        if o["size"] == size and (o["files"] == results["corpus_files"]) == whole:
            return row
    return None


def _mark(ok: bool | None) -> str:
    return "n/a" if ok is None else ("yes" if ok else "NO")


def done_when(results: dict[str, Any]) -> list[str]:
    """The speed targets, each with what this run measured, and the summary table."""
    out = ["## Targets\n", "| target | measured | met |", "|---|---|---|"]

    def ours(size: int, key: str) -> float | None:
        row = _row(results, size)
        return None if row is None else row["ours"].get(key)

    for size, limit in ((10000, 3.0), (50000, 8.0)):
        cold, mb = ours(size, "cold_s"), ours(size, "cold_mb")
        out.append(f"| cold, all rules, {size:,} entries, 200 articles: under {limit:.0f} s, "
                   f"under 400 MB | {_f(cold)} s, {mb if mb is not None else '-'} MB | "
                   f"{_mark(None if cold is None else cold < limit and mb < 400)} |")
    for whole in (True, False):
        row = _row(results, 10000, whole)
        if row is None or "peer" not in row or "wall_s" not in row["peer"] \
                or "failed" in row["peer"]:
            continue
        ratio = row["peer"]["wall_s"] / row["ours"]["cold_s"]
        files = row["ours"]["files"]
        out.append(f"| textlint + prh at least 50x slower at 10,000 entries, cold against cold "
                   f"({files} articles) | x{ratio:.1f} ({row['peer']['wall_s']:.1f} s against "
                   f"{row['ours']['cold_s']:.2f} s) | {_mark(ratio >= 50)} |")
    rates = [(r["ours"]["size"], r["ours"]["warm_mb_per_s"]) for r in results["rows"]
             if r["ours"]["files"] == results["corpus_files"]]
    if rates:
        worst = min(rate for _, rate in rates)
        out.append("| warm, all rules: at least 1 MB/s on the corpus | "
                   + ", ".join(f"{size:,}: {rate:.2f} MB/s" for size, rate in rates)
                   + f" | {_mark(worst >= 1)} |")
    w1, w50 = ours(1000, "warm_s"), ours(50000, "warm_s")
    growth = None if w1 is None or w50 is None else w50 / w1
    out.append(f"| warm, all rules: 50,000 entries within 1.2x of 1,000 | "
               f"{'-' if growth is None else f'x{growth:.2f}'} | "
               f"{_mark(None if growth is None else growth <= 1.2)} |")
    b = results.get("bundled") or {}
    if b:
        peer = b.get("peer")
        out.append(f"| one article, bundled glossary: under 0.25 s cold cache and warm | "
                   f"cold {b['cold']:.3f} s, warm {b['warm']:.3f} s | "
                   f"{_mark(b['cold'] < 0.25 and b['warm'] < 0.25)} |")
        if "real_cold" in b:
            out.append(f"| (the same, a real article: ntrex-dev's {b['real_name']}) | "
                       f"cold {b['real_cold']:.3f} s, warm {b['real_warm']:.3f} s | "
                       f"{_mark(b['real_cold'] < 0.25 and b['real_warm'] < 0.25)} |")
        out.append(f"| (the same, five other generated articles, each new to a warm cache) | "
                   f"{b['new']:.3f} s | {_mark(b['new'] < 0.25)} |")
        out.append(f"| one article, bundled glossary: at most half of textlint + prh | "
                   f"{'peer not run' if peer is None else f'peer {peer:.3f} s'} | "
                   f"{_mark(None if peer is None else max(b['cold'], b['warm']) <= peer / 2)} |")
    out += ["", "Summary table (200 articles, all rules unless noted, empty cache for "
            "cold; `--compiled`: the file `glossary-check compile` wrote, restored on a runner "
            "whose cache is empty, as the README's CI step does):", "",
            "| glossary | cold, all rules | cold, `--select variant,case` | warm, all rules "
            "| `compile` | `--compiled`, cache empty |", "| --- | --- | --- | --- | --- | --- |"]
    for size in (1000, 10000, 50000):
        row = _row(results, size)
        if row is None:
            continue
        o = row["ours"]
        out.append(f"| {size:,} entries | {_f(o.get('cold_s'), 1)} s, {o.get('cold_mb', '-')} MB "
                   f"| {_f(o.get('cold_vc_s'), 1)} s | {_f(o['warm_s'], 1)} s "
                   f"| {_f(o.get('compile_s'), 1)} s | {_f(o.get('compiled_s'), 1)} s |")
    return [*out, ""]


# --- main -----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="the peer on the whole corpus at 100 and 1,000 entries only")
    ap.add_argument("--peer", type=Path, default=DEFAULT_PEER,
                    help="the peer's scripts (default: ../shared/bench/peer from the repository)")
    ap.add_argument("--peer-dir", type=Path,
                    default=Path(os.environ.get("PEER_DIR")
                                 or Path(tempfile.gettempdir()) / "peer-textlint"),
                    help="where setup.sh installs textlint (default: $TMPDIR/peer-textlint)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument("--scale", type=Path, help="generated data (default: OUT/scale)")
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--no-peer", action="store_true", help="glossary-check only")
    ap.add_argument("--peer-sizes", help="run the peer at these sizes only (default: all)")
    ap.add_argument("--peer-timeout", type=float, default=1800)
    a = ap.parse_args(argv)
    sizes = [int(s) for s in a.sizes.split(",")]
    out = a.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    # Byte-compiled modules are kept (outside the source tree), as an installed package has
    # them: with PYTHONDONTWRITEBYTECODE every run would compile every module again.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(out / "pycache")
    scale = (a.scale or out / "scale").resolve()
    peer = a.peer.resolve()
    generate(peer, scale)
    files = corpus_files(scale)
    subset = corpus_files(scale, SUBSET)
    # byte-compile what a check imports, outside the timings
    timed(ours_cmd("--no-cache", "-g", f"glossary-{min(sizes)}.yaml", "-f", "json",
                   "--fail-on", "never", *files[:20]), cwd=scale, env=env_with())
    peer_version = "the peer (not run)"
    if not a.no_peer:
        peer_version = peer_setup(peer, a.peer_dir) or "textlint + prh"
    results: dict[str, Any] = {
        "peer_version": peer_version, "corpus_files": len(files),
        "corpus_bytes": total_bytes(scale, files),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                    "load": " ".join(f"{x:.2f}" for x in os.getloadavg())},
        "rows": [],
    }
    cpu_at_start = cpu_times()
    for size in sizes:
        truth = json.loads((scale / "truth" / f"truth-{size}.json").read_text(encoding="utf-8"))
        whole_peer = size <= (1000 if a.quick else 10000)
        print(f"== {size:,} entries: glossary-check ...", flush=True)
        ours = run_ours(scale, out, size, files, "full")
        print(f"   cold {ours['cold_s']:.2f} s ({ours['cold_mb']} MB), cold variant,case "
              f"{ours['cold_vc_s']:.2f} s, warm {ours['warm_s']:.2f} s, variant,case "
              f"{ours['warm_vc_s']:.2f} s, --jobs 1 {ours['warm_serial_s']:.2f} s, "
              f"reports equal: {ours['equal_reports']}", flush=True)
        row: dict[str, Any] = {"ours": ours,
                               "compare_ours": compare(ours["report"], truth, files, scale)}
        results["rows"].append(row)
        if a.no_peer or (a.peer_sizes and str(size) not in a.peer_sizes.split(",")):
            continue
        if not whole_peer:  # the peer on a subset; ours on the same files, cache warm
            print(f"   glossary-check on the first {SUBSET} articles ...", flush=True)
            ours = run_ours(scale, out, size, subset, "subset")
            row = {"ours": ours, "compare_ours": compare(ours["report"], truth, subset, scale)}
            results["rows"].append(row)
        target = files if whole_peer else subset
        print(f"   peer on {len(target)} files ...", flush=True)
        p = run_peer(peer, a.peer_dir, scale, out, size, target, "full" if whole_peer
                     else "subset", a.peer_timeout)
        row["peer"] = p
        if "report" in p:
            row["compare_peer"] = compare(p["report"], truth, target, scale)
            times = p["wall_s"] / ours["warm_s"]
            print(f"   peer {p['wall_s']:.1f} s ({p['mb']} MB): x{times:.1f} our warm time",
                  flush=True)
    by_size = {r["ours"]["size"]: r["ours"] for r in results["rows"]
               if r["ours"]["files"] == len(files)}
    if 1000 in by_size and 50000 in by_size:
        results["growth"] = {
            f"ours {k}": by_size[50000][f"{k}_s"] / by_size[1000][f"{k}_s"]
            for k in ("warm", "warm_vc", "warm_serial", "cold")
        }
    peers = {r["ours"]["size"]: r["peer"] for r in results["rows"]
             if "peer" in r and r["peer"].get("files") == len(files) and "wall_s" in r["peer"]}
    if 1000 in peers and 10000 in peers:
        results["growth"] = {**results.get("growth", {}),
                             "peer 1,000 -> 10,000": peers[10000]["wall_s"] / peers[1000]["wall_s"]}
    largest = max(sizes)
    full_cache = out / "cache" / f"full-{largest}"
    if full_cache.exists():
        results["startup"] = {"size": largest, **startup(scale, out, largest)}
    print("== one article, the bundled glossary ...", flush=True)
    results["bundled"] = one_article_bundled(scale, out)
    if not a.no_peer:
        results["bundled"]["peer"] = peer_one_article_bundled(peer, a.peer_dir, scale, out)
    for row in results["rows"]:
        for tool in ("ours", "peer"):
            row.get(tool, {}).pop("report", None)
    results["machine"]["steal"] = stolen(cpu_at_start, cpu_times())
    text = render(results)
    (out / "results.md").write_text(text, encoding="utf-8")
    (out / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    print()
    print(text)
    return 0 if all(r["ours"]["equal_reports"] for r in results["rows"]) else 1


if __name__ == "__main__":
    sys.exit(main())
