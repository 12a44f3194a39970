"""What wrapper libraries assumed about WinHTTP/WinINet, and the measured answer: the hc_wrapper
property of a test (library, assumption, and a table of cases or the outcome counts of trials)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .error_codes import named
from .evidence import evidence_of, outcomes_of


@dataclass
class WrapperEvidence:
    test: object
    error: str | None = None
    library: str = ""
    assumption: str = ""
    columns: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # lists of cell texts, error numbers named
    answer: object = None  # evidence.Outcomes of trials, or None
    trials_per_s: object = None


def cell(value, api):
    return named(str(value), api) if not isinstance(value, (int, float)) else value


def read_wrapper(t, w):
    table = w.get("table") if isinstance(w.get("table"), dict) else {}
    columns = [str(c) for c in table.get("columns", [])] if isinstance(table.get("columns"), list) else []
    rows = [[cell(v, t.api) for v in r] for r in table.get("rows", []) if isinstance(r, list)] \
        if isinstance(table.get("rows"), list) else []
    answer = w.get("answer") if isinstance(w.get("answer"), dict) else None
    if not rows and answer is None:
        return WrapperEvidence(t, error="has neither a table nor an answer")
    return WrapperEvidence(t, library=str(w.get("library", "")), assumption=str(w.get("assumption", "")),
                           columns=columns, rows=rows,
                           answer=outcomes_of(dict(answer, pattern=""), t.api) if answer else None,
                           trials_per_s=answer.get("trials_per_s") if answer else None)


def wrapper_evidence(tests):
    return evidence_of(tests, "hc_wrapper", WrapperEvidence, read_wrapper)
