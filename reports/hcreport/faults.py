"""faults.json: a fault-injection run's faults, which test caught each, and the score.

A fault is "caught" when a test failed because of it, "survived" when every test still passed,
"not_observable" when no test can see it (listed apart), "not_loaded" when the faulty build could
not be made to run (an error of the fault run, not a score)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .jsonfile import ReportError, read_json
from .text import as_number, clean_text

FAULT_VERDICTS = ("caught", "survived", "not_observable", "not_loaded")
FILE_NAME = "faults.json"


@dataclass
class Fault:
    id: str
    api: str = ""
    breaks: str = ""          # the catalogue id the fault breaks
    description: str = ""
    expected_tests: list = field(default_factory=list)
    verdict: str = ""         # one of FAULT_VERDICTS, else an error
    caught_by: list = field(default_factory=list)
    seconds: float | None = None
    evidence: str = ""

    @property
    def is_error(self):
        return self.verdict not in ("caught", "survived", "not_observable")


@dataclass
class FaultReport:
    implementation: str
    total_seconds: float | None
    faults: list
    source: str = ""    # the file read

    def count(self, verdict):
        return sum(1 for f in self.faults if f.verdict == verdict)

    @property
    def scored(self):
        return [f for f in self.faults if f.verdict in ("caught", "survived")]

    @property
    def not_observable(self):
        return [f for f in self.faults if f.verdict == "not_observable"]

    @property
    def score(self):
        """caught / (caught + survived), None when nothing was scored."""
        n = len(self.scored)
        return self.count("caught") / n if n else None

    def as_json(self):
        return {"implementation": self.implementation, "total_seconds": self.total_seconds,
                "caught": self.count("caught"), "survived": self.count("survived"),
                "not_observable": self.count("not_observable"),
                "errors": sum(1 for f in self.faults if f.is_error), "score": self.score,
                "faults": [{"id": f.id, "api": f.api, "breaks": f.breaks, "verdict": f.verdict,
                            "caught_by": f.caught_by, "seconds": f.seconds} for f in self.faults]}


def find_faults(results_dir):
    """faults.json of the results directory, else of the run directory holding it, else the one
    `scripts/conformance faults` wrote in that build tree (faults/faults.json), else None."""
    for d in (results_dir, results_dir.parent, results_dir.parent / "faults"):
        if (d / FILE_NAME).is_file():
            return d / FILE_NAME
    return None


def load_faults(path):
    data = read_json(path, FILE_NAME)
    if not isinstance(data, dict) or not isinstance(data.get("faults"), list):
        raise ReportError(f"{FILE_NAME} is malformed: {path}: expected an object with a \"faults\" list")
    faults = []
    for i, f in enumerate(data["faults"]):
        if not isinstance(f, dict) or not isinstance(f.get("id"), str) or not f["id"].strip():
            raise ReportError(f"{FILE_NAME} is malformed: {path}: faults[{i}] has no \"id\" string")
        faults.append(Fault(
            id=f["id"], api=str(f.get("api", "")), breaks=str(f.get("breaks", "")),
            description=clean_text(f.get("description", "")),
            expected_tests=strings(f.get("expected_tests")), verdict=str(f.get("verdict", "")),
            caught_by=strings(f.get("caught_by")), seconds=as_number(f.get("seconds")),
            evidence=clean_text(f.get("evidence", ""))))
    return FaultReport(implementation=str(data.get("implementation", "")),
                       total_seconds=as_number(data.get("total_seconds")), faults=faults, source=str(path))


def strings(value):
    return [str(x) for x in value] if isinstance(value, list) else []
