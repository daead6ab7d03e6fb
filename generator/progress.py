"""Progress on the terminal and the one-screen summary at the end of a run."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TextIO

from .model import Problem


@dataclass
class Progress:
    """Times each stage and shows ``stage … count (rate/s)`` while it runs."""

    stream: TextIO = field(default_factory=lambda: sys.stderr)
    quiet: bool = False
    timings: list[tuple[str, float, int]] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)  # stage → CPU seconds, workers included
    counts: dict[str, int | str] = field(default_factory=dict)

    @property
    def live(self) -> bool:
        return not self.quiet and self.stream.isatty()

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[dict]:
        """Time a stage; the body may set ``info['count']`` for the rate shown."""
        info: dict = {"count": total or 0}
        if self.live:
            self.stream.write(f"\r\033[K{name} …")
            self.stream.flush()
        start, cpu_start = time.perf_counter(), _cpu()
        yield info
        elapsed = time.perf_counter() - start
        self.cpu[name] = self.cpu.get(name, 0.0) + _cpu() - cpu_start
        self.timings.append((name, elapsed, info["count"]))
        if not self.quiet:
            rate = f" ({info['count'] / elapsed:,.0f}/s)" if info["count"] and elapsed > 0 else ""
            end = "\r\033[K" if self.live else ""
            self.stream.write(f"{end}{name:<10} {info['count']:>7,} in {elapsed:6.2f}s{rate}\n")
            self.stream.flush()

    def summary(self, problems: list[Problem]) -> str:
        """The closing summary: counts, problems by kind, time per stage."""
        lines = ["", "── summary " + "─" * 50]
        for key, value in self.counts.items():
            lines.append(f"  {key:<28} {value}")
        errors = [p for p in problems if p.level == "error"]
        warnings = [p for p in problems if p.level == "warning"]
        lines.append(f"  {'errors / warnings':<28} {len(errors)} / {len(warnings)}")
        shown = errors + warnings[: max(0, 12 - len(errors))]  # every error, then warnings
        for p in shown:
            lines.append(f"    {p}")
        if len(problems) > len(shown):
            lines.append(
                f"    … and {len(problems) - len(shown)} more warnings"
                " (`python -m generator check`)"
            )
        total = sum(t for _, t, _ in self.timings)
        lines.append("  time per stage: " + ", ".join(f"{n} {t:.2f}s" for n, t, _ in self.timings))
        lines.append(f"  total {total:.2f}s")
        if self.cpu:
            lines.append(
                "  CPU per stage (workers included): "
                + ", ".join(f"{n} {t:.2f}s" for n, t in self.cpu.items())
            )
            lines.append(f"  CPU total {sum(self.cpu.values()):.2f}s")
        return "\n".join(lines) + "\n"


def _cpu() -> float:
    """CPU seconds of this process and of its finished child processes."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system
