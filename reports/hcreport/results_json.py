"""results.json: the run's machine-readable verdicts (schema 1; keys are only ever added)."""
SCHEMA = 1
GENERATOR = "reports/make_report.py"


def results_json(model):
    run = model.run
    return {
        "schema": SCHEMA,
        "generator": GENERATOR,
        "run": {"started": run.started, "wall_s": run.wall_s, "commit": run.commit, "host": run.host,
                "wine_version": run.wine_version, "platform": model.platform_text,
                "windows_builds": model.windows_builds,
                "implementation": run.implementation.as_json() if run.implementation else None},
        "totals": model.totals,
        "suites": [{"name": s.name, "label": s.label, "exit_code": s.exit_code, "status": s.status,
                    "status_text": s.status_text, "duration_s": s.duration_s, "counts": s.counts,
                    "running_test": s.running_test, "json_error": s.json_error}
                   for s in model.suites],
        "tests": [{"suite": t.suite, "name": t.name, "result": t.result, "duration_s": t.duration_s,
                   "catalogue": t.catalogue, "properties": t.properties, "failures": t.failures,
                   "note": t.note, "origin": t.origin, "transport": t.transport} for t in model.tests],
        "statements": [{"id": s.id, "api": s.api, "kind": s.kind, "statement": s.statement,
                        "verdict": s.verdict, "reasons": s.reasons,
                        "transport_verdicts": s.transport_verdicts,
                        "why_not_testable": s.why_not_testable if not s.testable else "",
                        "tests": [t.ref for t in s.tests]}
                       for s in model.statements],
        "notes": model.notes,
        "faults": model.faults.as_json() if model.faults else None,
    }
