"""The table a chaos run prints: one row per fault kind, then what was found, in sentences."""
from __future__ import annotations

import statistics
from typing import Any

from bench import chaos_checks as checks
from bench.chaos_trial import TrialResult

HEAD = ("fault", "trials", "lost", "duplicated", "double-applied", "missing reactions",
        "wrong reactions", "reordered", "mismatched rows", "dead letters", "failed flows",
        "back s (p50/max)", "recovery s (p50/max)")
SHOWN = 12  # sentences shown per category


def _seconds(values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    missing = len(values) - len(known)
    text = f"{statistics.median(known):.1f} / {max(known):.1f}" if known else "-"
    return text + (f" ({missing} never)" if missing else "")


def _row(name: str, results: list[TrialResult]) -> list[str]:
    found = [checks.counts(r.findings) for r in results]
    total = {c: sum(f[c] for f in found) for c in checks.CATEGORIES}
    return [name, str(len(results)), *(str(total[c]) for c in checks.CATEGORIES),
            str(sum(len(r.failed_flows) for r in results)),
            _seconds([r.back_seconds for r in results]),
            _seconds([r.recovery_seconds for r in results])]


def grid(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def table(results: list[TrialResult], kinds: list[str], run: dict[str, Any]) -> str:
    rows = [list(HEAD)]
    for kind in kinds:
        mine = [r for r in results if r.kind == kind]
        if mine:
            rows.append(_row(f"{kind} (control)" if kind == "none" else kind, mine))
    rows.append(_row("all faults", [r for r in results if r.kind != "none"]))
    lines = ["", grid(rows), ""]
    for info in run["phases"]:
        line = f"{info['topology']}: {info['trials']} trials planned"
        if "startup_seconds" in info:
            line += (f"; started and settled in {info['startup_seconds']} s with "
                     f"{info['startup_restarts']} child restarts")
        if "commands_accepted" in info:
            line += (f"; {info['commands_accepted']} commands accepted, refusals {info['refusals']}, "
                     f"{info['supervisor_restarts']} restarts by the supervisor in all")
        if "error" in info:
            line += f"\n  COULD NOT RUN: {info['error']}"
        lines.append(line)
    for category in checks.CATEGORIES:
        sentences = [(r.number, r.kind, s) for r in results for s in r.findings[category].values()]
        if sentences:
            lines.append(f"\n{category.replace('_', ' ')} ({len(sentences)}):")
            lines += [f"  trial {n} ({k}): {s}" for n, k, s in sentences[:SHOWN]]
            if len(sentences) > SHOWN:
                lines.append(f"  ... and {len(sentences) - SHOWN} more (--json lists all)")
    failed = [(r.number, f) for r in results for f in r.failed_flows]
    if failed:
        lines.append(f"\nflows that did not finish ({len(failed)}):")
        lines += [f"  trial {n}: {f}" for n, f in failed[:SHOWN]]
    verdict = {0: "every guarantee held", 1: "GUARANTEES BROKEN (exit status 1)",
               2: "SOME TRIALS COULD NOT RUN (exit status 2)"}[run["status"]]
    lines.append(f"\nseed {run['seed']}; {run['seconds']} s; {verdict}")
    return "\n".join(lines)
