"""Reading suites/catalogue.json into Statements."""
from .jsonfile import ReportError, read_json
from .model import Statement


def load_catalogue(path):
    """(catalogue version, [Statement]); a malformed catalogue is a ReportError naming the entry."""
    data = read_json(path, "catalogue")
    if not isinstance(data, dict) or not isinstance(data.get("statements"), list):
        raise ReportError(f"catalogue is malformed: {path}: expected an object with a \"statements\" list")
    statements, seen = [], set()
    for i, s in enumerate(data["statements"]):
        where = f"catalogue is malformed: {path}: statements[{i}]"
        if not isinstance(s, dict):
            raise ReportError(f"{where} is not an object")
        for key in ("id", "statement"):
            if not isinstance(s.get(key), str) or not s[key].strip():
                raise ReportError(f"{where} has no \"{key}\" string")
        if s["id"] in seen:
            raise ReportError(f"{where}: duplicate id {s['id']}")
        seen.add(s["id"])
        tests = s.get("tests", [])
        if not isinstance(tests, list) or not all(isinstance(t, str) for t in tests):
            raise ReportError(f"{where} ({s['id']}): \"tests\" must be a list of test names")
        statements.append(Statement(
            id=s["id"], api=str(s.get("api", "")), kind=str(s.get("kind", "guarantee")),
            statement=s["statement"], source=str(s.get("source", "")),
            source_file=str(s.get("source_file", "")), catalogue_tests=list(tests),
            testable=s.get("testable", True) is not False,
            why_not_testable=str(s.get("why_not_testable", ""))))
    return data.get("version"), statements
