"""The dispute groups of suites/disputes.json: statements of different documents that contradict
each other (the words in dispute quoted), joined to the statements' verdicts in this run and to the
evidence their tests recorded. A catalogue without a disputes.json beside it has no groups."""
from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass, field

from .error_codes import named
from .jsonfile import ReportError, parse_json_property, read_json


@dataclass
class DisputeRow:
    id: str
    words: str
    statement: object = None  # model.Statement, None when the catalogue lacks the id


@dataclass
class Dispute:
    id: str
    title: str
    question: str
    rows: list = field(default_factory=list)
    evidence_keys: list = field(default_factory=list)
    evidence: list = field(default_factory=list)  # (test, key, text), the measured answer

    @property
    def anchor(self):
        return "dispute-" + self.id


def disputes_path(catalogue_path):
    return pathlib.Path(catalogue_path).with_name("disputes.json")


def load_disputes(path):
    """The raw groups of path (a list); [] when the file does not exist; ReportError when malformed."""
    path = pathlib.Path(path)
    if not path.exists():
        return []
    data = read_json(path, "disputes")
    groups = data.get("disputes") if isinstance(data, dict) else None
    if not isinstance(groups, list):
        raise ReportError(f"disputes is malformed: {path}: expected an object with a \"disputes\" list")
    for i, g in enumerate(groups):
        where = f"disputes is malformed: {path}: disputes[{i}]"
        if not isinstance(g, dict) or not all(isinstance(g.get(k), str) and g[k].strip() for k in ("id", "title")):
            raise ReportError(f"{where} needs \"id\" and \"title\" strings")
        rows = g.get("statements")
        if not isinstance(rows, list) or len(rows) < 2 or not all(
                isinstance(r, dict) and isinstance(r.get("id"), str) and isinstance(r.get("words"), str) for r in rows):
            raise ReportError(f"{where} ({g['id']}): \"statements\" must list two or more {{\"id\", \"words\"}}")
        if not isinstance(g.get("evidence", []), list):
            raise ReportError(f"{where} ({g['id']}): \"evidence\" must be a list of property names")
    return groups


def evidence_text(raw, api):
    """A recorded property, compact, its error numbers named."""
    value, err = parse_json_property(raw)
    text = raw if err is not None or not isinstance(value, (dict, list)) else json.dumps(value, separators=(", ", ": "))
    return named(str(text), api)


def join_disputes(groups, statements):
    """Disputes with their statements (and so their verdicts) and the evidence of their tests."""
    by_id = {s.id: s for s in statements}
    out = []
    for g in groups:
        d = Dispute(g["id"], g["title"], str(g.get("question", "")),
                    [DisputeRow(r["id"], r["words"], by_id.get(r["id"])) for r in g["statements"]],
                    [str(k) for k in g.get("evidence", [])])
        seen = set()
        for row in d.rows:
            for t in (row.statement.tests if row.statement else []):
                for key in d.evidence_keys:
                    if key in t.properties and (t.name, key) not in seen:
                        seen.add((t.name, key))
                        d.evidence.append((t, key, evidence_text(t.properties[key], t.api)))
        out.append(d)
    return out
