"""Reading a GoogleTest console log: which tests ran, how each ended, and their output."""
from __future__ import annotations

import pathlib
import re
from dataclasses import dataclass, field

from .text import clean_text

_RUN = re.compile(r"^\[ RUN      \] (\S+)\s*$")
_END = re.compile(r"^\[ +(OK|FAILED|SKIPPED) +\] (\S+?)(?:,.*?)?(?: \((\d+) ms\))?\s*$")
DIVERGENCE_MARK = "[ KNOWN DIVERGENCE ]"


@dataclass
class LogSegment:
    """One test's part of the log. outcome is OK/FAILED/SKIPPED, or None for the test that was
    running when the log ended (the binary crashed or hung in it)."""
    outcome: str | None
    ms: int | None
    lines: list = field(default_factory=list)

    @property
    def divergence(self):
        return any(DIVERGENCE_MARK in line for line in self.lines)


def read_log(path):
    try:
        return clean_text(pathlib.Path(path).read_bytes().decode("utf-8", errors="replace"),
                          limit=10_000_000)
    except OSError:
        return None


def parse_log(text):
    """{Suite.Test: LogSegment} of every test the log shows starting."""
    tests, current, lines = {}, None, []
    for line in (text or "").split("\n"):
        stripped = line.strip()
        m = _RUN.match(stripped)
        if m:
            if current is not None:  # a RUN without its end: output interleaved, keep the last
                tests[current] = LogSegment(None, None, lines)
            current, lines = m.group(1), []
            continue
        if current is not None:
            m = _END.match(stripped)
            if m and m.group(2) == current:
                tests[current] = LogSegment(m.group(1), int(m.group(3)) if m.group(3) else None, lines)
                current, lines = None, []
                continue
            lines.append(line)
    if current is not None:
        tests[current] = LogSegment(None, None, lines)
    return tests
