"""Builds the Model of one run: reads the results directory and the catalogue, joins each
statement to its tests (recorded ids and the catalogue's test lists) and gives it its verdict."""
from .catalogue import load_catalogue
from .disputes import disputes_path, join_disputes, load_disputes
from .exit_status import describe_exit
from .faults import find_faults, load_faults
from .inputs import load_run, load_suite
from .jsonfile import ReportError
from .model import Model, Test, count_results, statement_verdict, transport_verdicts

APIS = ("winhttp", "wininet")


def build_model(results_dir, catalogue_path):
    catalogue_version, statements = load_catalogue(catalogue_path)
    dispute_groups = load_disputes(disputes_path(catalogue_path))
    run, entries, notes = load_run(results_dir)
    suites = [load_suite(results_dir, e, i, notes) for i, e in enumerate(entries)]
    tests = [t for s in suites for t in s.tests]
    join(statements, tests)
    unknown = unknown_ids(statements, tests)
    for cid, ts in sorted(unknown.items()):
        notes.append(f"catalogue id {cid} recorded by {', '.join(t.name for t in ts)} is not in the catalogue")
    name_apis(statements, suites, tests)

    totals = dict(count_results(tests), tests=len(tests))
    for s in suites:
        s.status, s.status_text = describe_exit(s.exit_code, s.duration_s, bool(s.json) and s.json_error is None)
        if s.resumed_after:
            s.status_text += (f"; the tests left after the known crash of {', '.join(s.resumed_after)} "
                              "ran again in a new process")
        s.counts = count_results(s.tests)
    return Model(run=run, suites=suites, tests=tests, statements=statements, unknown_ids=unknown,
                 totals=totals, notes=notes,
                 platforms=sorted({s.platform for s in suites if s.platform}),
                 windows_builds=sorted({str(s.windows_build) for s in suites if s.windows_build}),
                 catalogue_version=catalogue_version, faults=faults_of(results_dir, notes),
                 disputes=join_disputes(dispute_groups, statements))


def join(statements, tests):
    """Links each statement to the tests recording its id and those the catalogue lists for it (by
    full or short name); a listed test absent from the results becomes a not-run placeholder,
    appended to tests."""
    by_name = {}
    for t in tests:
        by_name.setdefault(t.name, []).append(t)
        short = by_name.setdefault(t.name.split(".", 1)[-1], [])
        if t not in short:
            short.append(t)
    for s in statements:
        linked = [t for t in tests if s.id in t.catalogue]
        for listed in s.catalogue_tests:
            key = listed.split(":", 1)[-1]  # tolerate "binary:Suite.Test"
            matches = by_name.get(key, [])
            if matches:
                linked += [t for t in matches if t not in linked]
            elif not any(t.name == key for t in linked):
                linked.append(placeholder(s.id, key, tests))
        s.tests = linked
        s.verdict, s.reasons = statement_verdict(s, linked)
        s.transport_verdicts = transport_verdicts(s, linked)


def placeholder(statement_id, name, tests):
    """The not-run test standing for `name`, shared by every statement listing it."""
    for t in tests:
        if t.origin == "catalogue" and t.name == name:
            t.catalogue.append(statement_id)
            return t
    t = Test(suite=None, name=name, result="not_run", catalogue=[statement_id],
             note="listed in the catalogue but absent from the results", origin="catalogue")
    tests.append(t)
    return t


def unknown_ids(statements, tests):
    known = {s.id for s in statements}
    unknown = {}
    for t in tests:
        for cid in t.catalogue:
            if cid not in known:
                unknown.setdefault(cid, []).append(t)
    return unknown


def name_apis(statements, suites, tests):
    """Each test's API (to name its error numbers): its binary's label, else its statements'."""
    label = {s.name: s.label for s in suites}
    for t in tests:
        if label.get(t.suite) in APIS:
            t.api = label[t.suite]
            continue
        apis = {s.api for s in statements if t in s.tests and s.api in APIS}
        t.api = apis.pop() if len(apis) == 1 else ""


def faults_of(results_dir, notes):
    path = find_faults(results_dir)
    if path is None:
        return None
    try:
        return load_faults(path)
    except ReportError as e:
        notes.append(f"fault injection: {e}")
        return None

