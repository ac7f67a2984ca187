"""Does a restructuring change any answer?  Every pick and leaderboard, before and after (by hand).

Runs the tool with its defaults on the seen part of every corpus series (as
``bench_quality.py`` does: classifiers off) and on the three bundled samples (the whole default
run: classifiers on, and the article protocol on one of them), and keeps each report's answer —
everything but the clock: timings, dates, versions and paths are dropped — as JSON under
``benchmarks/identity/<label>/``.  ``--compare A B`` then lists every field that differs.

    python benchmarks/bench_identity.py --label before
    python benchmarks/bench_identity.py --label after
    python benchmarks/bench_identity.py --compare before after     # exit 1 on any difference

Not in CI: about 7 minutes on a 2-core CPU.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

OUT = HERE / "identity"
#: Report fields that record the clock or the machine, not the answer.
CLOCK_FIELDS = ("timings", "created_at", "versions")


def answer_only(report: dict) -> dict:
    """The report without the fields that change from run to run whatever the code does."""
    return {key: value for key, value in report.items() if key not in CLOCK_FIELDS}


def corpus_report(name: str) -> dict:
    from bench_quality import load, seen_part
    from corpus import BY_NAME, corpus_file

    from seqlen_tui.core.engine import RunOptions, run_asset

    seen, _ = seen_part(load(name))
    result = run_asset(seen, RunOptions(classifiers=False, seed=42))
    return result.to_report(name, str(corpus_file(BY_NAME[name])))


def sample_report(name: str, protocol: str = "robust") -> dict:
    from seqlen_tui.core.options import RunOptions
    from seqlen_tui.core.runner import run_file

    report, _ = run_file(ROOT / "sample_data" / f"{name}.csv", RunOptions(protocol=protocol))
    return report


def jobs() -> dict:
    from bench_quality import SAMPLES
    from corpus import CORPUS

    runs = {series.name: (corpus_report, series.name) for series in CORPUS}
    runs |= {f"sample_{name}": (sample_report, name) for name in SAMPLES}
    runs["article_MSFT"] = (lambda name: sample_report(name, "article"), "MSFT")
    return runs


def record(label: str, only: list[str] | None) -> None:
    folder = OUT / label
    folder.mkdir(parents=True, exist_ok=True)
    for key, (make, name) in jobs().items():
        if only and key not in only:
            continue
        report = answer_only(make(name))
        (folder / f"{key}.json").write_text(json.dumps(report, indent=1, sort_keys=True, default=str))
        print(f"{key}: lag {report.get('chosen_lag')}", file=sys.stderr, flush=True)


def read_answer(path: Path):
    """A stored answer with the checkout's folder taken out of its paths (the before and the
    after may run from different clones)."""
    text = re.sub(r'"[^"]*/(benchmarks/\.corpus|sample_data)/', r'"<root>/\1/', path.read_text())
    return json.loads(text)


def differences(a, b, where: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        found = []
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                found.append(f"{where}.{key}: only in {'after' if key in b else 'before'}")
            else:
                found += differences(a[key], b[key], f"{where}.{key}")
        return found
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{where}[{i}]")]
    return [] if a == b else [f"{where}: {a!r} → {b!r}"]


def compare(before: str, after: str) -> int:
    changed = 0
    names = sorted(p.name for p in (OUT / before).glob("*.json"))
    for name in names:
        other = OUT / after / name
        if not other.exists():
            print(f"{name}: missing in {after}")
            changed += 1
            continue
        found = differences(read_answer(OUT / before / name), read_answer(other))
        print(f"{name}: {'identical' if not found else f'{len(found)} differences'}")
        for line in found[:20]:
            print("   ", line)
        changed += bool(found)
    print(f"\n{len(names) - changed} of {len(names)} reports identical")
    return 1 if changed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label")
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    if not args.label:
        parser.error("give --label or --compare")
    record(args.label, args.only)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
