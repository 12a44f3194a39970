"""Reading one run's results directory: run.json, each suite binary's GoogleTest JSON and log."""
import json

from .exit_status import describe_exit
from .gtest_log import parse_log, read_log
from .jsonfile import ReportError, read_json
from .model import Implementation, Run, Suite, Test, classify
from .text import as_number, clean_text, parse_seconds

LOG_TAIL_LINES = 40
SEGMENT_MAX_LINES = 80

# Keys GoogleTest itself writes on a test object; every other key is a recorded property.
GTEST_TEST_KEYS = {"name", "file", "line", "status", "result", "timestamp", "time", "classname",
                   "failures", "value_param", "type_param", "skipped"}
GTEST_SUITE_KEYS = {"name", "tests", "failures", "disabled", "errors", "skipped", "timestamp",
                    "time", "testsuite"}
GTEST_RUN_KEYS = GTEST_SUITE_KEYS | {"testsuites"}
OUTSIDE_TESTS = "(outside any test: global set-up or tear-down)"


def load_run(results_dir):
    """(Run, run.json's suite entries, notes). Without run.json the GoogleTest JSON files of the
    directory stand for the binaries (e.g. ctest's output)."""
    notes = []
    run_path = results_dir / "run.json"
    if run_path.exists():
        raw = read_json(run_path, "run.json")
        if not isinstance(raw, dict):
            raise ReportError(f"run.json is malformed: {run_path}: expected an object")
        entries = raw.get("suites", [])
        if not isinstance(entries, list):
            raise ReportError(f"run.json is malformed: {run_path}: \"suites\" must be a list")
        run = Run(started=raw.get("started", ""), wall_s=raw.get("wall_s"), commit=raw.get("commit", ""),
                  host=raw.get("host", ""), wine_version=raw.get("wine_version", ""),
                  implementation=implementation_of(raw.get("implementation"), notes))
    else:
        run, entries = Run(), []
        for p in sorted(results_dir.glob("*.json")):
            if p.name in ("results.json", "faults.json"):
                continue
            log = p.with_suffix(".log")
            entries.append({"name": p.stem, "label": "", "exit_code": None, "duration_s": None,
                            "json": p.name, "log": log.name if log.exists() else None})
        notes.append(f"{run_path.name} was not found; the binaries were taken from the GoogleTest "
                     f"JSON files in {results_dir} and their exit statuses are unknown.")
    return run, entries, notes


def implementation_of(raw, notes):
    if raw is None:
        return None
    if not isinstance(raw, dict) or not all(isinstance(raw.get(k, ""), str)
                                            for k in ("name", "version", "provenance", "label")):
        notes.append("run.json's \"implementation\" is not an object of strings (name, version, "
                     "provenance, label); the platform the suites report is shown instead.")
        return None
    impl = Implementation(**{k: raw.get(k, "").strip() for k in ("name", "version", "provenance", "label")})
    impl.label = impl.label or f"{impl.name} {impl.version}".strip()
    return impl if impl.label else None


def load_suite(results_dir, entry, index, notes):
    if not isinstance(entry, dict):
        raise ReportError(f"run.json is malformed: suites[{index}] is not an object")
    suite = Suite(name=str(entry.get("name") or f"suite{index + 1}"), label=str(entry.get("label") or ""),
                  exit_code=entry.get("exit_code"), duration_s=as_number(entry.get("duration_s")),
                  json=entry.get("json"), log=entry.get("log"))
    resumed = entry.get("resumed_after_known_crash")
    if isinstance(resumed, list):
        suite.resumed_after = [str(name) for name in resumed]
    gtest = read_gtest(results_dir, suite, notes)
    log_text = read_log(results_dir / str(suite.log)) if suite.log else None
    if suite.log and log_text is None:
        notes.append(f"{suite.name}: log {suite.log} not found")
    segments = parse_log(log_text)
    if log_text:
        suite.log_tail = "\n".join(log_text.rstrip("\n").split("\n")[-LOG_TAIL_LINES:])
    seen = set()
    if gtest:
        suite.platform = str(gtest.get("hc_platform", "") or "")
        suite.wine_version = gtest.get("hc_wine_version")
        suite.windows_build = gtest.get("hc_windows_build")
        suite.properties = {k: v for k, v in gtest.items()
                            if k not in GTEST_RUN_KEYS and not k.startswith("hc_")}
        for test in tests_of_gtest(suite.name, gtest, segments):
            suite.tests.append(test)
            seen.add(test.name)
    suite.tests += tests_only_in_log(suite, segments, seen, gtest is not None)
    return suite


def read_gtest(results_dir, suite, notes):
    """The binary's GoogleTest JSON, or None (the reason noted and kept as suite.json_error)."""
    if not suite.json:
        return None
    path = results_dir / str(suite.json)
    try:
        gtest = read_json(path, "results")
        if not isinstance(gtest, dict) or not isinstance(gtest.get("testsuites", []), list):
            raise ReportError(f"results file is not GoogleTest JSON output: {path}")
        return gtest
    except ReportError as e:
        suite.json_error = str(e)
        notes.append(f"{suite.name}: {e}")
        return None


def tests_of_gtest(suite_name, gtest, segments):
    for ts in gtest.get("testsuites", []) or []:
        if not isinstance(ts, dict):
            continue
        suite_props = {k: v for k, v in ts.items() if k not in GTEST_SUITE_KEYS}
        for tc in ts.get("testsuite", []) or []:
            if not isinstance(tc, dict):
                continue
            cls = str(tc.get("classname") or ts.get("name") or "")
            tname = str(tc.get("name", ""))
            full = f"{cls}.{tname}" if tname else (cls or "(unnamed)")
            if cls == "NonTestSuiteFailure" or (not tname and not tc.get("classname")):
                full = OUTSIDE_TESTS
            result, note = classify(tc)
            props = dict(suite_props)
            props.update({k: v for k, v in tc.items() if k not in GTEST_TEST_KEYS})
            for key in ("value_param", "type_param"):
                if tc.get(key) is not None:
                    props[key] = tc[key]
            failures = [clean_text(f.get("failure", "") if isinstance(f, dict) else f)
                        for f in (tc.get("failures") or [])]
            yield make_test(suite_name, full, result, parse_seconds(tc.get("time")), props, failures,
                            note, "json", segments.get(full))


def tests_only_in_log(suite, segments, seen, has_json):
    """Tests the JSON does not hold: the binary crashed or hung, its log still tells."""
    status, text = describe_exit(suite.exit_code, suite.duration_s, has_json)
    tests = []
    for full, seg in segments.items():
        if full in seen:
            continue
        if seg.outcome == "OK":
            result, note, failures = ("known_divergence" if seg.divergence else "pass"), "result read from the log", []
        elif seg.outcome == "FAILED":
            result, note, failures = "fail", "result read from the log", []
        elif seg.outcome == "SKIPPED":
            result, note, failures = "not_run", "skipped (read from the log)", []
        else:
            what = text if status in ("crashed", "hung") else "the log ended"
            result, note = "fail", "running when the binary stopped"
            failures = [f"The binary stopped while this test was running: {what}. "
                        f"No result was recorded; see the log tail of {suite.name}."]
            suite.running_test = full
        tests.append(make_test(suite.name, full, result, seg.ms / 1000 if seg.ms is not None else None,
                               {}, failures, note, "log", seg))
    return tests


def make_test(suite_name, full, result, duration, props, failures, note, origin, seg):
    raw = props.get("catalogue")
    ids = [x.strip() for x in str(raw).split(",") if x.strip()] if raw else []
    log_excerpt = ""
    if seg and result != "pass":
        lines = seg.lines
        if len(lines) > SEGMENT_MAX_LINES:
            lines = lines[:SEGMENT_MAX_LINES // 2] + [f"… ({len(lines) - SEGMENT_MAX_LINES} lines)"] + \
                lines[-SEGMENT_MAX_LINES // 2:]
        log_excerpt = "\n".join(lines).strip("\n")
    return Test(suite=suite_name, name=full, result=result, duration_s=duration, catalogue=ids,
                properties={k: (v if isinstance(v, str) else json.dumps(v)) for k, v in props.items()},
                failures=failures, note=note, origin=origin, log_excerpt=log_excerpt)
