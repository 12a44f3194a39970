"""Several runs side by side, read from their results.json: statements against implementations,
unsafe-lab outcomes per pattern, measured connection limits, fault-injection scores and the
tests whose results differ."""
from __future__ import annotations

import os
import pathlib
from dataclasses import dataclass, field

from .build import name_apis
from .evidence import limit_figures, unsafe_evidence
from .jsonfile import ReportError, read_json
from .model import RESULT_LABEL, VERDICTS, Statement, Suite, Test, verdict_label
from .text import failure_summary

ABSENT = "absent"
# Column sort order: what needs a look first.
SEVERITY = ("violated", "unexpected_pass", "incomplete", "not_run", "known_divergence", "not_covered",
            "not_testable", "demonstrated", "holds", ABSENT)
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass
class RunData:
    """One column of the matrix: a run's results.json, read back into the model's types."""
    key: str                  # A, B, ... (the text summary's column names)
    label: str                # the implementation, e.g. "Wine 10.0"
    detail: str               # provenance, else the platform text
    commit: str
    started: str
    source: pathlib.Path      # the results.json read
    report_href: str | None   # the run's index.html, relative to the matrix page
    statements: dict          # id -> Statement (tests resolved, verdict as recorded)
    tests: list
    totals: dict
    faults: dict | None

    def href(self, anchor):
        return f"{self.report_href}#{anchor}" if self.report_href else None


@dataclass
class Cell:
    run: RunData
    statement: Statement | None  # None: the run has no such statement

    @property
    def verdict(self):
        return self.statement.verdict if self.statement else ABSENT

    @property
    def label(self):
        return verdict_label(self.verdict, self.statement.kind) if self.statement else ABSENT

    @property
    def rank(self):
        return SEVERITY.index(self.verdict) if self.verdict in SEVERITY else len(SEVERITY)

    @property
    def evidence(self):
        """The tests that decided the verdict: those that did not pass, else all of them."""
        tests = self.statement.tests if self.statement else []
        return [t for t in tests if t.result != "pass"] or tests

    @property
    def tooltip(self):
        lines = [f"{self.run.label}: {self.label}"]
        if self.statement:
            lines += self.statement.reasons
            lines += [f"{t.name}: {RESULT_LABEL.get(t.result, t.result)}"
                      + (f" — {failure_summary(t.failures[0])}" if t.failures else "")
                      for t in self.evidence[:4]]
        return "\n".join(lines)

    @property
    def href(self):
        return self.run.href(self.statement.anchor) if self.statement else None


@dataclass
class Row:
    id: str
    api: str
    kind: str
    statement: str
    order: int
    cells: list

    @property
    def differs(self):
        return len({c.verdict for c in self.cells}) > 1


@dataclass
class PatternRow:
    """One unsafe pattern's outcomes in each run (None: not run there)."""
    test: str
    pattern: str
    cells: list = field(default_factory=list)  # evidence.UnsafeEvidence or None

    @property
    def differs(self):
        def counts(u):
            return None if u is None or u.error else sorted((o.name, o.count) for o in u.hazard.items)
        return len({repr(counts(u)) for u in self.cells}) > 1


@dataclass
class ValueRow:
    """A figure, or a test result, in each run (None: absent there)."""
    test: str
    measure: str
    values: list = field(default_factory=list)

    @property
    def differs(self):
        return len({repr(getattr(v, "figures", v)) for v in self.values}) > 1


@dataclass
class Matrix:
    runs: list
    rows: list           # Row, differing first
    patterns: list       # PatternRow
    limits: list         # ValueRow
    test_diffs: list     # ValueRow whose values are results

    @property
    def differing(self):
        return [r for r in self.rows if r.differs]

    def verdicts_present(self):
        seen = {c.verdict for r in self.rows for c in r.cells}
        return [v for v in VERDICTS + (ABSENT,) if v in seen]

    def counts(self, i):
        """{verdict: statements} of run i, for every verdict some run has."""
        verdicts = [r.cells[i].verdict for r in self.rows]
        return {v: verdicts.count(v) for v in self.verdicts_present()}


def results_path(path):
    path = pathlib.Path(path)
    if path.is_dir():
        path = path / "results.json"
    if not path.is_file():
        raise ReportError(f"{path}: not a run: expected a report directory holding results.json, "
                          f"or a results.json file")
    return path


def load_runs(paths, out_dir):
    runs = [load_run(results_path(p), i, out_dir) for i, p in enumerate(paths)]
    labels = [r.label for r in runs]
    for r in runs:
        if labels.count(r.label) > 1:  # the same implementation twice: name the directory too
            r.label = f"{r.label} ({r.source.parent.name or r.source.name})"
    labels = [r.label for r in runs]
    for r in runs:
        if labels.count(r.label) > 1:
            r.label = f"{r.label} [{r.key}]"
    return runs


def load_run(path, index, out_dir):
    try:
        data = read_json(path, "results.json")
    except ReportError as e:
        raise ReportError(f"{path}: not a run: {e}")
    if not isinstance(data, dict) or not isinstance(data.get("statements"), list) \
            or not isinstance(data.get("tests", []), list):
        raise ReportError(f"{path}: not a run: not a results.json written by make_report.py")
    run = data.get("run") if isinstance(data.get("run"), dict) else {}
    impl = run.get("implementation") if isinstance(run.get("implementation"), dict) else {}
    tests = [test_of(t) for t in data.get("tests", []) if isinstance(t, dict)]
    by_ref = {t.ref: t for t in tests}
    statements = {}
    for s in data["statements"]:
        if not isinstance(s, dict) or "id" not in s:
            continue
        st = Statement(id=str(s["id"]), statement=str(s.get("statement", "")), api=str(s.get("api", "")),
                       kind=str(s.get("kind", "")), verdict=str(s.get("verdict", "")),
                       reasons=[str(x) for x in s.get("reasons") or []],
                       why_not_testable=str(s.get("why_not_testable", "")))
        st.tests = [by_ref[ref] for ref in s.get("tests") or [] if ref in by_ref]
        statements[st.id] = st
    suites = [Suite(name=str(s.get("name")), label=str(s.get("label", "")))
              for s in data.get("suites") or [] if isinstance(s, dict)]
    name_apis(list(statements.values()), suites, tests)
    report = path.parent / "index.html"
    return RunData(
        key=LETTERS[index % len(LETTERS)] + ("" if index < len(LETTERS) else str(index // len(LETTERS))),
        label=str(impl.get("label") or run.get("platform") or f"run {index + 1}"),
        detail=str(impl.get("provenance") or (run.get("platform") if impl.get("label") else "") or ""),
        commit=str(run.get("commit") or ""), started=str(run.get("started") or ""), source=path,
        report_href=relative_href(report, out_dir) if report.is_file() else None,
        statements=statements, tests=tests, totals=data.get("totals") or {},
        faults=data.get("faults") if isinstance(data.get("faults"), dict) else None)


def test_of(t):
    return Test(suite=t.get("suite"), name=str(t.get("name", "")), result=str(t.get("result", "")),
                duration_s=t.get("duration_s"), catalogue=list(t.get("catalogue") or []),
                properties={str(k): str(v) for k, v in (t.get("properties") or {}).items()},
                failures=[str(f) for f in t.get("failures") or []], note=t.get("note"),
                origin=str(t.get("origin", "")))


def relative_href(target, out_dir):
    try:
        return pathlib.PurePath(os.path.relpath(target.resolve(), pathlib.Path(out_dir).resolve())).as_posix()
    except ValueError:  # another drive (Windows)
        return target.resolve().as_uri()


def build_matrix(runs):
    ids, seen = [], set()
    for r in runs:
        for sid in r.statements:
            if sid not in seen:
                seen.add(sid)
                ids.append(sid)
    rows = []
    for order, sid in enumerate(ids):
        first = next(r.statements[sid] for r in runs if sid in r.statements)
        rows.append(Row(id=sid, api=first.api, kind=first.kind, statement=first.statement, order=order,
                        cells=[Cell(r, r.statements.get(sid)) for r in runs]))
    rows.sort(key=lambda r: (not r.differs, r.order))
    return Matrix(runs=runs, rows=rows, patterns=pattern_rows(runs), limits=limit_rows(runs),
                  test_diffs=test_diff_rows(runs))


def pattern_rows(runs):
    rows = {}
    for i, r in enumerate(runs):
        for u in unsafe_evidence(r.tests):
            row = rows.setdefault(u.test.name, PatternRow(u.test.name, u.pattern, [None] * len(runs)))
            row.pattern = row.pattern or u.pattern
            row.cells[i] = u
    return list(rows.values())


def limit_rows(runs):
    """ValueRow per test: its title as measure, each run's evidence.LimitFigures as values."""
    rows = {}
    for i, r in enumerate(runs):
        for test, figures in limit_figures(r.tests).items():
            row = rows.setdefault(test, ValueRow(test, figures.title, [None] * len(runs)))
            row.values[i] = figures
    return list(rows.values())


def test_diff_rows(runs):
    """Tests whose results are not the same in every run. A catalogue-listed test that did not
    run has no binary; it is matched by name to the one binary that ran it elsewhere."""
    suites_of = {}
    for r in runs:
        for t in r.tests:
            if t.suite is not None:
                suites_of.setdefault(t.name, set()).add(t.suite)
    results = []
    for r in runs:
        mine = {}
        for t in r.tests:
            suite = t.suite
            if suite is None and len(suites_of.get(t.name, ())) == 1:
                suite = next(iter(suites_of[t.name]))
            mine.setdefault((suite, t.name), t.result)
        results.append(mine)
    keys = list(dict.fromkeys(k for mine in results for k in mine))
    rows = [ValueRow(suite or "", name, [mine.get((suite, name), ABSENT) for mine in results])
            for suite, name in keys]
    return [row for row in rows if row.differs]


def matrix_text(m):
    """The plain-text summary for CI logs: the runs, verdict counts per implementation, each
    statement whose verdicts differ, and the tests whose results differ."""
    keys = [r.key for r in m.runs]
    out = ["Runs:"]
    out += [f"  {r.key}  {r.label}" + (f" — {r.detail}" if r.detail else "")
            + (f" @ {r.commit}" if r.commit else "") + f"  ({r.source})" for r in m.runs]
    verdicts = m.verdicts_present()
    out.append("Statement verdicts per implementation:")
    counts = [m.counts(i) for i in range(len(m.runs))]
    out += table([["verdict", *keys]] + [[v.replace("_", " "), *(str(c[v]) for c in counts)] for v in verdicts],
                 right=True)
    out.append(f"{len(m.differing)} of {len(m.rows)} statements differ in verdict")
    if m.differing:
        out += table([["statement", *keys]] + [[r.id, *(c.label for c in r.cells)] for r in m.differing])
    if m.test_diffs:
        out.append(f"{len(m.test_diffs)} tests differ in result ({' / '.join(keys)}):")
        out += [f"  {row.test or '(not run)'}: {row.measure}: "
                + " / ".join(RESULT_LABEL.get(v, v) for v in row.values) for row in m.test_diffs]
    return "\n".join(out)


def table(rows, right=False):
    """Rows of strings as aligned text columns (indented by two)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]

    def line(row):
        cols = [row[0].ljust(widths[0])] + [c.rjust(w) if right else c.ljust(w) for c, w in zip(row[1:], widths[1:])]
        return ("  " + "  ".join(cols)).rstrip()
    return [line(rows[0]), "  " + "  ".join("-" * w for w in widths)] + [line(r) for r in rows[1:]]

