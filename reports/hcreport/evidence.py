"""The lab's recorded evidence, read from tests' properties: unsafe-pattern outcome counts
(hc_unsafe), connection timelines (hc_timeline), cache-contention figures (hc_cache) and
measured connection limits (hc_timeline's figures and the limit/peak properties)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .error_codes import named
from .jsonfile import json_object_property
from .text import as_number

# Outcome kinds, in the order bars are drawn; the CSS colours them (o-<kind>).
OUTCOME_KINDS = ("success", "error", "crash", "hang", "other")
CACHE_ROWS = (("requests", "requests"), ("reached_server", "reached the server"), ("errors", "errors"),
              ("bad_bodies", "bad bodies"), ("seconds", "seconds"), ("req_per_s", "requests/s"))
CACHE_BAD = ("errors", "bad_bodies")
# Plain properties that are connection-limit measurements; runs recorded before the suites gave
# every evidence property the hc_ prefix carry the bare names (one label for both).
LIMIT_KEYS = ("max_conns_per_server", "default_limit_option", "limit_option", "observed_peak",
              "second_server_peak", "in_flight_at_once")
LIMIT_PROPERTIES = tuple("hc_" + k for k in LIMIT_KEYS) + LIMIT_KEYS
TIMELINE_FIGURES = (("documented_limit", "documented limit"), ("limit_option", "limit option"),
                    ("observed_peak", "observed peak"))


def outcome_kind(name):
    n = name.lower()
    if n.startswith("success") or n in ("ok", "pass", "passed"):
        return "success"
    if "crash" in n or "exception" in n:
        return "crash"
    if "hang" in n or "timeout" in n or "deadlock" in n:
        return "hang"
    if "error" in n or "fail" in n:
        return "error"
    return "other"


def outcome_label(name, api):
    """An outcome with its error number named; a bare "error 6" reads "ERROR_INVALID_HANDLE (6)"."""
    label = named(name, api)
    return label[len("error "):] if label != name and re.fullmatch(r"error \d+", name) else label


@dataclass
class Outcome:
    name: str     # as recorded, e.g. "error 12017"
    label: str    # error numbers named, e.g. "error ERROR_WINHTTP_OPERATION_CANCELLED (12017)"
    count: int
    kind: str


@dataclass
class Outcomes:
    """One pattern's trials and how they ended, ordered success, error, crash, hang, other."""
    pattern: str
    trials: float | None
    items: list = field(default_factory=list)

    @property
    def total(self):
        t = self.trials
        return t if isinstance(t, (int, float)) and t > 0 else sum(o.count for o in self.items)

    def fraction(self, outcome):
        return outcome.count / self.total if self.total else 0


def outcomes_of(raw, api):
    """Outcomes of a hc_unsafe object (or its "safe" member)."""
    items = []
    for k, v in ((raw.get("outcomes") if isinstance(raw.get("outcomes"), dict) else {}) or {}).items():
        n = as_number(v)
        items.append(Outcome(str(k), outcome_label(str(k), api), int(n) if n is not None else 0, outcome_kind(str(k))))
    items.sort(key=lambda o: (OUTCOME_KINDS.index(o.kind), -o.count, o.name))
    return Outcomes(str(raw.get("pattern", "")), as_number(raw.get("trials")), items)


@dataclass
class UnsafeEvidence:
    test: object
    error: str | None = None
    pattern: str = ""
    seed: object = None
    trials_per_s: float | None = None
    hazard: Outcomes | None = None
    safe: Outcomes | None = None
    documented_outcome: str = ""  # the outcome a document names for the hazard, errors named
    documented_by: str = ""
    documented_count: int | None = None  # the hazard's trials with that outcome


@dataclass
class TimelineEvidence:
    test: object
    error: str | None = None
    title: str = "connections open at the server"
    documented_limit: float | None = None
    limit_option: float | None = None
    observed_peak: float | None = None
    requests: float | None = None
    events: list = field(default_factory=list)  # (t_ms, open), by time

    @property
    def exceeds(self):
        return None if self.documented_limit is None or self.observed_peak is None \
            else self.observed_peak > self.documented_limit


@dataclass
class CacheEvidence:
    test: object
    error: str | None = None
    modes: list = field(default_factory=list)  # dicts, one per cache mode

    @property
    def extra_keys(self):
        return sorted({k for m in self.modes for k in m} - {k for k, _ in CACHE_ROWS} - {"mode"})


def evidence_of(tests, key, kind, read):
    """Evidence of each test holding property `key`: kind(test, error=...) when it is not a JSON
    object, else read(test, object)."""
    out = []
    for t in tests:
        if key in t.properties:
            value, err = json_object_property(t.properties[key])
            out.append(kind(t, error=err) if err else read(t, value))
    return out


def read_unsafe(t, u):
    safe = u.get("safe")
    documented = str(u.get("documented_outcome") or "")
    hazard = outcomes_of(u, t.api)
    return UnsafeEvidence(t, pattern=str(u.get("pattern", "(unnamed pattern)")), seed=u.get("seed"),
                          trials_per_s=as_number(u.get("trials_per_s")), hazard=hazard,
                          safe=outcomes_of(safe, t.api) if isinstance(safe, dict) else None,
                          documented_outcome=outcome_label(documented, t.api) if documented else "",
                          documented_by=str(u.get("documented_by") or ""),
                          documented_count=sum(o.count for o in hazard.items if o.name == documented)
                          if documented else None)


def read_timeline(t, tl):
    events = []
    for e in tl.get("events") if isinstance(tl.get("events"), list) else []:
        if isinstance(e, dict):
            at, n = as_number(e.get("t_ms")), as_number(e.get("open"))
            if at is not None and n is not None:
                events.append((float(at), int(n)))
    events.sort(key=lambda e: e[0])
    return TimelineEvidence(t, title=str(tl.get("title") or "connections open at the server"),
                            documented_limit=as_number(tl.get("documented_limit")),
                            limit_option=as_number(tl.get("limit_option")),
                            observed_peak=as_number(tl.get("observed_peak")),
                            requests=as_number(tl.get("requests")), events=events)


def read_cache(t, c):
    modes = c.get("modes")
    if not isinstance(modes, list):
        return CacheEvidence(t, error="missing its modes list")
    return CacheEvidence(t, modes=[m for m in modes if isinstance(m, dict)])


def unsafe_evidence(tests):
    return evidence_of(tests, "hc_unsafe", UnsafeEvidence, read_unsafe)


def timeline_evidence(tests):
    return evidence_of(tests, "hc_timeline", TimelineEvidence, read_timeline)


def cache_evidence(tests):
    return evidence_of(tests, "hc_cache", CacheEvidence, read_cache)


@dataclass
class LimitFigures:
    """A test's connection-limit figures: (label, value) in recording order."""
    test: str
    title: str
    figures: list = field(default_factory=list)

    @property
    def exceeds(self):
        f = dict(self.figures)
        limit, peak = as_number(f.get("documented limit")), as_number(f.get("observed peak"))
        return limit is not None and peak is not None and peak > limit


def limit_figures(tests):
    """{test name: LimitFigures} of every test that recorded a connection-limit figure."""
    out = {}
    for tl in timeline_evidence(tests):
        if not tl.error:
            out[tl.test.name] = LimitFigures(tl.test.name, tl.title, [
                (label, getattr(tl, key)) for key, label in TIMELINE_FIGURES if getattr(tl, key) is not None])
    for t in tests:
        for key in LIMIT_PROPERTIES:
            if key in t.properties:
                entry = out.setdefault(t.name, LimitFigures(t.name, t.name))
                label = key.removeprefix("hc_").replace("_", " ")
                if label not in dict(entry.figures):
                    n = as_number(t.properties[key])
                    entry.figures.append((label, n if n is not None else t.properties[key]))
    return out
