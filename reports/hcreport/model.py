"""The typed model of one run and its verdict rules: a GoogleTest result becomes a test result
(classify), a statement's tests become its verdict (statement_verdict)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .text import slug

RESULTS = ("pass", "fail", "known_divergence", "unexpected_pass", "not_run")
RESULT_LABEL = {"pass": "pass", "fail": "fail", "known_divergence": "known divergence",
                "unexpected_pass": "unexpected pass", "not_run": "not run"}
RESULT_HELP = {
    "pass": "the test passed",
    "fail": "the test failed (or its binary crashed or hung while it ran)",
    "known_divergence": "passed because a documented divergence of this platform occurred, as expected",
    "unexpected_pass": "a marked divergence did not occur: the test failed, remove the mark",
    "not_run": "skipped, disabled, or listed in the catalogue but absent from the results",
}

VERDICTS = ("holds", "demonstrated", "known_divergence", "violated", "unexpected_pass",
            "incomplete", "not_run", "not_covered", "not_testable")
VERDICT_LABEL = {"holds": "holds", "demonstrated": "demonstrated", "violated": "violated",
                 "unexpected_pass": "unexpected pass", "known_divergence": "known divergence",
                 "incomplete": "incomplete", "not_run": "not run", "not_covered": "not covered",
                 "not_testable": "not testable"}
VERDICT_HELP = {
    "holds": "every test of the statement passed",
    "demonstrated": "unsafe pattern: its tests passed, i.e. the hazard was exercised as documented",
    "violated": "at least one test failed",
    "unexpected_pass": "a marked divergence did not occur (the implementation now follows the documentation)",
    "known_divergence": "a documented divergence of this platform occurred, as expected (reason given)",
    "incomplete": "some tests passed, others did not run (e.g. their binary crashed)",
    "not_run": "none of its tests ran",
    "not_covered": "no test verifies the statement",
    "not_testable": "the statement has no observable behaviour to test (reason given)",
}

# The transports a test runs over (property hc_transport, or the "/Plain" "/Tls" suffix of a test
# parameterised over both); a test with neither ran over plain HTTP.
TRANSPORTS = ("Plain", "Tls")
TRANSPORT_LABEL = {"Plain": "HTTP", "Tls": "TLS"}

# Exit statuses of a suite binary (exit_status.describe_exit: ok, failed, unknown or these).
ABNORMAL = ("crashed", "hung", "error")


@dataclass
class Test:
    suite: str | None  # None: listed in the catalogue, absent from the results
    name: str          # Suite.Test
    result: str        # one of RESULTS
    duration_s: float | None = None
    catalogue: list = field(default_factory=list)   # statement ids the test recorded
    properties: dict = field(default_factory=dict)  # recorded properties, values as strings
    failures: list = field(default_factory=list)
    note: str | None = None
    origin: str = "json"  # json | log | catalogue
    log_excerpt: str = ""
    api: str = ""         # winhttp | wininet | "" (names its error numbers)

    @property
    def ref(self):
        return f"{self.suite}:{self.name}" if self.suite else self.name

    @property
    def anchor(self):
        return "t-" + slug(f"{self.suite or 'catalogue'}-{self.name}")

    @property
    def divergence_reason(self):
        return self.properties.get("hc_divergence_reason", "")

    @property
    def transport(self):
        recorded = self.properties.get("hc_transport", "")
        if recorded in TRANSPORTS:
            return recorded
        suffix = self.name.rsplit("/", 1)[-1] if "/" in self.name else ""
        return suffix if suffix in TRANSPORTS else "Plain"


@dataclass
class Suite:
    """One suite binary's run."""
    name: str
    label: str = ""
    exit_code: object = None  # int, "timeout" or None
    duration_s: float | None = None
    json: object = None       # file names as run.json gives them
    log: object = None
    json_error: str | None = None
    platform: str = ""
    wine_version: object = None
    windows_build: object = None
    properties: dict = field(default_factory=dict)
    tests: list = field(default_factory=list)
    log_tail: str = ""
    running_test: str | None = None
    # Tests whose known crash ended a process of this binary; the tests it left ran in a new one.
    resumed_after: list = field(default_factory=list)
    status: str = "unknown"
    status_text: str = ""
    counts: dict = field(default_factory=dict)

    @property
    def abnormal(self):
        return self.status in ABNORMAL


@dataclass
class Statement:
    """A catalogue statement and, once joined, its tests and verdict."""
    id: str
    statement: str
    api: str = ""
    kind: str = "guarantee"
    source: str = ""
    source_file: str = ""
    catalogue_tests: list = field(default_factory=list)  # test names the catalogue lists
    testable: bool = True
    why_not_testable: str = ""
    tests: list = field(default_factory=list)
    verdict: str = ""
    reasons: list = field(default_factory=list)
    # {transport: verdict} over each transport's tests, when its tests ran over more than one.
    transport_verdicts: dict = field(default_factory=dict)

    @property
    def anchor(self):
        return "st-" + slug(self.id)

    @property
    def verdict_label(self):
        return verdict_label(self.verdict, self.kind)


@dataclass
class Implementation:
    """What ran the suites, as run.json's "implementation" names it."""
    name: str = ""
    version: str = ""
    provenance: str = ""
    label: str = ""

    def as_json(self):
        return {"name": self.name, "version": self.version, "provenance": self.provenance,
                "label": self.label}


@dataclass
class Run:
    """run.json's summary of the run (values as recorded)."""
    started: object = ""
    wall_s: object = None
    commit: object = ""
    host: object = ""
    wine_version: object = ""
    implementation: Implementation | None = None


@dataclass
class Model:
    run: Run
    suites: list
    tests: list
    statements: list
    unknown_ids: dict    # catalogue id not in the catalogue -> tests recording it
    totals: dict
    notes: list
    platforms: list
    windows_builds: list
    catalogue_version: object = None
    faults: object = None  # faults.FaultReport or None
    disputes: list = field(default_factory=list)  # disputes.Dispute, suites/disputes.json's groups

    @property
    def platform_text(self):
        if self.platforms:
            text = " / ".join(self.platforms)
        elif self.run.host == "windows":
            text = "Windows"
        elif self.run.wine_version:
            text = "Wine"
        else:
            text = "unknown platform"
        if self.run.wine_version and self.run.wine_version not in text:
            text += f" · {self.run.wine_version}"
        return text

    @property
    def label(self):
        """The implementation's name for headings: run.json's label, else the platform text."""
        return self.run.implementation.label if self.run.implementation else self.platform_text

    @property
    def abnormal_suites(self):
        return [s for s in self.suites if s.abnormal]

    @property
    def orphans(self):
        """Tests the catalogue lists that are absent from the results."""
        return [t for t in self.tests if t.suite is None]

    @property
    def verdict_counts(self):
        return count_verdicts(s.verdict for s in self.statements)


def count_verdicts(verdicts):
    """{verdict: n} in VERDICTS order, verdicts that occur only."""
    verdicts = list(verdicts)
    return {v: verdicts.count(v) for v in VERDICTS if v in verdicts}


def count_results(tests):
    return {r: sum(1 for t in tests if t.result == r) for r in RESULTS}


def classify(tc):
    """(result, note) of one GoogleTest JSON test object."""
    status, result = tc.get("status", "RUN"), tc.get("result", "COMPLETED")
    failures = tc.get("failures") or []
    verdict = tc.get("hc_verdict")
    if status == "NOTRUN" or result == "SUPPRESSED":
        return "not_run", "disabled"
    if failures:
        # The expectation mark records "unexpected pass" as a failure of its own.
        if verdict == "unexpected_pass" and len(failures) <= 1:
            return "unexpected_pass", None
        return "fail", None
    if verdict == "unexpected_pass":
        return "unexpected_pass", None
    if result == "SKIPPED":
        # A test that cannot run here records why (hc_not_run_reason) before it skips.
        reason = tc.get("hc_not_run_reason")
        return "not_run", f"skipped: {reason}" if reason else "skipped"
    if verdict == "known_divergence":
        return "known_divergence", None
    return "pass", None


def statement_verdict(statement, tests):
    """(verdict, reasons) of a statement from its tests' results; reasons are the divergence
    reasons of its divergent tests."""
    results = [t.result for t in tests]
    reasons = []
    for t in tests:
        r = t.divergence_reason
        if r and t.result in ("known_divergence", "unexpected_pass") and r not in reasons:
            reasons.append(r)
    if not statement.testable:
        v = "not_testable"
    elif not tests:
        v = "not_covered"
    elif "fail" in results:
        v = "violated"
    elif "unexpected_pass" in results:
        v = "unexpected_pass"
    elif all(r == "not_run" for r in results):
        v = "not_run"
    elif "not_run" in results:
        v = "incomplete"
    elif "known_divergence" in results:
        v = "known_divergence"
    else:
        v = "demonstrated" if statement.kind == "unsafe" else "holds"
    return v, reasons


def transport_verdicts(statement, tests):
    """{transport: verdict} of the statement over each transport's tests, in TRANSPORTS order;
    empty when all its tests share one transport (the verdict says it all)."""
    by = {tr: [t for t in tests if t.transport == tr] for tr in TRANSPORTS}
    by = {tr: ts for tr, ts in by.items() if ts}
    if len(by) < 2:
        return {}
    return {tr: statement_verdict(statement, ts)[0] for tr, ts in by.items()}


def verdict_label(verdict, kind):
    """An unsafe pattern's failed test means the lab could not run it, not a broken guarantee."""
    if kind == "unsafe" and verdict == "violated":
        return "test failed"
    return VERDICT_LABEL.get(verdict, verdict)
