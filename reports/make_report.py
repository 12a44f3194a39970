#!/usr/bin/env python3
"""Writes the hinternet-conformance report from one run's results directory.

  make_report.py --results DIR --catalogue suites/catalogue.json --out OUTDIR
      reads DIR/run.json, each suite's GoogleTest JSON and log, and the catalogue; writes
      OUTDIR/index.html (one self-contained file), OUTDIR/junit.xml and OUTDIR/results.json.
  make_report.py --compare A B --out OUTDIR
      A and B are results.json files (or report directories holding one) of two runs, e.g. a
      Windows runner's and Wine's; writes OUTDIR/compare.html and prints the statements whose
      verdicts differ.

Exit status: 0 when the report was written (failed tests included), 1 when an input is
unreadable or malformed (the message says which), 2 on bad arguments.
Python 3 standard library only.
"""
import argparse
import datetime
import html
import json
import math
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

SCHEMA = 1
LOG_TAIL_LINES = 40
SEGMENT_MAX_LINES = 80
TEXT_MAX_CHARS = 20000

# Keys GoogleTest itself writes on a test object; every other key is a recorded property.
GTEST_TEST_KEYS = {"name", "file", "line", "status", "result", "timestamp", "time", "classname",
                   "failures", "value_param", "type_param", "skipped"}
GTEST_SUITE_KEYS = {"name", "tests", "failures", "disabled", "errors", "skipped", "timestamp",
                    "time", "testsuite"}
GTEST_RUN_KEYS = GTEST_SUITE_KEYS | {"testsuites"}

RESULTS = ["pass", "fail", "known_divergence", "unexpected_pass", "not_run"]
RESULT_LABEL = {"pass": "pass", "fail": "fail", "known_divergence": "known divergence",
                "unexpected_pass": "unexpected pass", "not_run": "not run"}
RESULT_HELP = {
    "pass": "the test passed",
    "fail": "the test failed (or its binary crashed or hung while it ran)",
    "known_divergence": "passed because a documented divergence of this platform occurred, as expected",
    "unexpected_pass": "a marked divergence did not occur: the test failed, remove the mark",
    "not_run": "skipped, disabled, or listed in the catalogue but absent from the results",
}

VERDICTS = ["holds", "demonstrated", "known_divergence", "violated", "unexpected_pass",
            "incomplete", "not_run", "not_covered", "not_testable"]
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

NTSTATUS = {0xC0000005: "access violation", 0xC00000FD: "stack overflow",
            0xC0000374: "heap corruption", 0xC0000409: "stack buffer overrun / fail fast",
            0xC000001D: "illegal instruction", 0xC0000094: "integer divide by zero",
            0xC0000096: "privileged instruction", 0xC0000135: "DLL not found",
            0xC0000139: "entry point not found", 0xC0000142: "DLL initialisation failed",
            0x80000003: "breakpoint", 0xE06D7363: "unhandled C++ exception",
            0xC000013A: "terminated by Ctrl+C"}
SIGNALS = {4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 11: "SIGSEGV",
           13: "SIGPIPE", 15: "SIGTERM"}
HANG_DETECTOR_EXIT = 86


class ReportError(Exception):
    """An input is missing or malformed; the message names it."""


# ----------------------------------------------------------------------------------------------
# Small helpers

def esc(value):
    return html.escape("" if value is None else str(value), quote=True)


_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def clean_text(text, limit=TEXT_MAX_CHARS):
    """Text safe for HTML and XML: no ANSI escapes or control characters, bounded length."""
    text = _ANSI.sub("", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    text = _CTRL.sub("\ufffd", text)
    text = "".join(ch for ch in text if not 0xD800 <= ord(ch) <= 0xDFFF and ch not in "\ufffe\uffff")
    if len(text) > limit:
        text = text[:limit] + f"\n… ({len(text) - limit} more characters)"
    return text


def parse_seconds(value):
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    m = re.match(r"\s*([0-9.]+)\s*s?\s*$", str(value))
    return float(m.group(1)) if m else None


def fmt_seconds(s):
    if s is None:
        return "–"
    if s < 1:
        return f"{s * 1000:.0f} ms"
    if s < 60:
        return f"{s:.2f} s"
    m, sec = divmod(int(round(s)), 60)
    return f"{m} min {sec:02d} s" if m < 60 else f"{m // 60} h {m % 60:02d} min"


def fmt_num(x):
    if x is None:
        return "–"
    if isinstance(x, float):
        if x != x:  # NaN
            return "–"
        if abs(x) >= 100 or x == int(x):
            return f"{x:,.0f}"
        return f"{x:,.2f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def slug(text):
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", str(text)).strip("-") or "x"


def read_json(path, what):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise ReportError(f"{what} not found: {path}")
    except (OSError, UnicodeDecodeError) as e:
        raise ReportError(f"{what} unreadable: {path}: {e}")
    except json.JSONDecodeError as e:
        raise ReportError(f"{what} is not valid JSON: {path}: line {e.lineno} column {e.colno}: {e.msg}")


def parse_json_property(raw):
    """A property holding JSON: (value, None) or (None, error message)."""
    if isinstance(raw, (dict, list)):
        return raw, None
    try:
        return json.loads(raw), None
    except (TypeError, ValueError) as e:
        return None, f"not valid JSON: {e}"


def as_number(x):
    if isinstance(x, bool):
        return None
    if isinstance(x, (int, float)):
        return x
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


# ----------------------------------------------------------------------------------------------
# Inputs

def load_catalogue(path):
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
        statements.append({
            "id": s["id"], "api": str(s.get("api", "")), "kind": str(s.get("kind", "guarantee")),
            "statement": s["statement"], "source": str(s.get("source", "")),
            "source_file": str(s.get("source_file", "")), "catalogue_tests": list(tests),
            "testable": s.get("testable", True) is not False,
            "why_not_testable": str(s.get("why_not_testable", "")),
        })
    return {"version": data.get("version"), "statements": statements}


def read_log(path):
    try:
        return clean_text(pathlib.Path(path).read_bytes().decode("utf-8", errors="replace"),
                          limit=10_000_000)
    except OSError:
        return None


_RUN = re.compile(r"^\[ RUN      \] (\S+)\s*$")
_END = re.compile(r"^\[ +(OK|FAILED|SKIPPED) +\] (\S+?)(?:,.*?)?(?: \((\d+) ms\))?\s*$")


def parse_log(text):
    """Tests seen in a GoogleTest log: {full_name: {"outcome", "ms", "lines", "divergence"}}.

    outcome is OK/FAILED/SKIPPED, or None for the test that was running when the log ended (the
    binary crashed or hung in it)."""
    tests, current, lines = {}, None, []
    for line in (text or "").split("\n"):
        stripped = line.strip()
        m = _RUN.match(stripped)
        if m:
            if current is not None:  # a RUN without its end: output interleaved, keep the last
                tests[current] = {"outcome": None, "ms": None, "lines": lines, "divergence": False}
            current, lines = m.group(1), []
            continue
        if current is not None:
            m = _END.match(stripped)
            if m and m.group(2) == current:
                tests[current] = {"outcome": m.group(1),
                                  "ms": int(m.group(3)) if m.group(3) else None,
                                  "lines": lines,
                                  "divergence": any("[ KNOWN DIVERGENCE ]" in l for l in lines)}
                current, lines = None, []
                continue
            lines.append(line)
    if current is not None:
        tests[current] = {"outcome": None, "ms": None, "lines": lines,
                          "divergence": any("[ KNOWN DIVERGENCE ]" in l for l in lines)}
    return tests


def classify(tc):
    """(result, note) of one GoogleTest JSON test object."""
    status, result = tc.get("status", "RUN"), tc.get("result", "COMPLETED")
    failures = tc.get("failures") or []
    verdict = tc.get("hc_verdict")
    if status == "NOTRUN" or result == "SUPPRESSED":
        return "not_run", "disabled"
    if failures:
        if verdict == "unexpected_pass" and len(failures) <= 1:
            return "unexpected_pass", None
        return "fail", None
    if verdict == "unexpected_pass":
        return "unexpected_pass", None
    if result == "SKIPPED":
        return "not_run", "skipped"
    if verdict == "known_divergence":
        return "known_divergence", None
    return "pass", None


def describe_exit(code, duration, has_json):
    """(status, text): status is ok | failed | crashed | hung | error | unknown."""
    if code == "timeout":
        return "hung", f"hung (killed after {duration:.0f} s)" if duration else "hung (killed by the runner)"
    if code is None:
        return ("unknown", "exit status not recorded") if has_json else ("error", "no results, exit status not recorded")
    if isinstance(code, bool) or not isinstance(code, int):
        return "error", f"exit status {code!r}"
    if code == HANG_DETECTOR_EXIT:
        return "hung", f"hung (the suite's hang detector fired, exit code {HANG_DETECTOR_EXIT})"
    if code == 0:
        return ("ok", "exit code 0") if has_json else ("error", "exit code 0 but no results file")
    if code == 1 and has_json:
        return "failed", "exit code 1 (tests failed)"
    if -64 <= code < 0:
        sig = SIGNALS.get(-code, f"signal {-code}")
        return "crashed", f"crashed (killed by {sig})"
    unsigned = code & 0xFFFFFFFF
    if unsigned >= 0x80000000:
        name = NTSTATUS.get(unsigned)
        return "crashed", f"crashed (exit code 0x{unsigned:08X}{', ' + name if name else ''})"
    if not has_json:
        return "crashed", f"crashed (exit code {code}, no results written)"
    return "error", f"exit code {code}"


def load_run(results_dir):
    notes = []
    run_path = results_dir / "run.json"
    if run_path.exists():
        run = read_json(run_path, "run.json")
        if not isinstance(run, dict):
            raise ReportError(f"run.json is malformed: {run_path}: expected an object")
        suites = run.get("suites", [])
        if not isinstance(suites, list):
            raise ReportError(f"run.json is malformed: {run_path}: \"suites\" must be a list")
    else:
        # A directory of GoogleTest JSON files without the runner's summary (e.g. ctest output).
        run = {"host": "", "commit": "", "started": "", "wall_s": None, "wine_version": ""}
        suites = []
        for p in sorted(results_dir.glob("*.json")):
            if p.name in ("results.json",):
                continue
            log = p.with_suffix(".log")
            suites.append({"name": p.stem, "label": "", "exit_code": None, "duration_s": None,
                           "json": p.name, "log": log.name if log.exists() else None})
        notes.append(f"{run_path.name} was not found; the binaries were taken from the GoogleTest "
                     f"JSON files in {results_dir} and their exit statuses are unknown.")
    return run, suites, notes


def load_suite(results_dir, entry, index, notes):
    if not isinstance(entry, dict):
        raise ReportError(f"run.json is malformed: suites[{index}] is not an object")
    name = str(entry.get("name") or f"suite{index + 1}")
    suite = {"name": name, "label": str(entry.get("label") or ""),
             "exit_code": entry.get("exit_code"),
             "duration_s": as_number(entry.get("duration_s")),
             "json": entry.get("json"), "log": entry.get("log"),
             "json_error": None, "platform": "", "wine_version": None, "windows_build": None,
             "properties": {}, "tests": [], "log_tail": "", "running_test": None}
    gtest = None
    if suite["json"]:
        path = results_dir / str(suite["json"])
        try:
            gtest = read_json(path, "results")
            if not isinstance(gtest, dict) or not isinstance(gtest.get("testsuites", []), list):
                raise ReportError(f"results file is not GoogleTest JSON output: {path}")
        except ReportError as e:
            suite["json_error"] = str(e)
            notes.append(f"{name}: {e}")
            gtest = None
    log_text = read_log(results_dir / str(suite["log"])) if suite["log"] else None
    if suite["log"] and log_text is None:
        notes.append(f"{name}: log {suite['log']} not found")
    log_tests = parse_log(log_text)
    if log_text:
        suite["log_tail"] = "\n".join(log_text.rstrip("\n").split("\n")[-LOG_TAIL_LINES:])

    seen = set()
    if gtest:
        suite["platform"] = str(gtest.get("hc_platform", "") or "")
        suite["wine_version"] = gtest.get("hc_wine_version")
        suite["windows_build"] = gtest.get("hc_windows_build")
        suite["properties"] = {k: v for k, v in gtest.items()
                               if k not in GTEST_RUN_KEYS and not k.startswith("hc_")}
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
                    full = "(outside any test: global set-up or tear-down)"
                result, note = classify(tc)
                props = dict(suite_props)
                props.update({k: v for k, v in tc.items() if k not in GTEST_TEST_KEYS})
                if tc.get("value_param") is not None:
                    props["value_param"] = tc["value_param"]
                if tc.get("type_param") is not None:
                    props["type_param"] = tc["type_param"]
                failures = [clean_text(f.get("failure", "") if isinstance(f, dict) else f)
                            for f in (tc.get("failures") or [])]
                seg = log_tests.get(full)
                test = make_test(name, full, result, parse_seconds(tc.get("time")), props, failures,
                                 note, "json", seg)
                suite["tests"].append(test)
                seen.add(full)
    crashed = describe_exit(suite["exit_code"], suite["duration_s"], gtest is not None)[0] in ("crashed", "hung")
    for full, seg in log_tests.items():
        if full in seen:
            continue
        # Tests the JSON does not hold: its binary crashed or hung; the log still tells.
        if seg["outcome"] == "OK":
            result, note = ("known_divergence" if seg["divergence"] else "pass"), "result read from the log"
            failures = []
        elif seg["outcome"] == "FAILED":
            result, note, failures = "fail", "result read from the log", []
        elif seg["outcome"] == "SKIPPED":
            result, note, failures = "not_run", "skipped (read from the log)", []
        else:
            status, text = describe_exit(suite["exit_code"], suite["duration_s"], gtest is not None)
            what = text if crashed else "the log ended"
            result, note = "fail", "running when the binary stopped"
            failures = [f"The binary stopped while this test was running: {what}. "
                        f"No result was recorded; see the log tail of {name}."]
            suite["running_test"] = full
        ms = seg["ms"]
        suite["tests"].append(make_test(name, full, result, ms / 1000 if ms is not None else None, {},
                                        failures, note, "log", seg))
    return suite


def make_test(suite_name, full, result, duration, props, failures, note, origin, seg):
    ids = []
    raw = props.get("catalogue")
    if raw:
        ids = [x.strip() for x in str(raw).split(",") if x.strip()]
    log_excerpt = ""
    if seg and result != "pass":
        lines = seg["lines"]
        if len(lines) > SEGMENT_MAX_LINES:
            lines = lines[:SEGMENT_MAX_LINES // 2] + [f"… ({len(lines) - SEGMENT_MAX_LINES} lines)"] + \
                lines[-SEGMENT_MAX_LINES // 2:]
        log_excerpt = "\n".join(lines).strip("\n")
    return {"suite": suite_name, "name": full, "result": result, "duration_s": duration,
            "catalogue": ids, "properties": {k: (v if isinstance(v, str) else json.dumps(v))
                                             for k, v in props.items()},
            "failures": failures, "note": note, "origin": origin, "log_excerpt": log_excerpt}


# ----------------------------------------------------------------------------------------------
# The model: tests joined to statements

def build_model(results_dir, catalogue_path):
    catalogue = load_catalogue(catalogue_path)
    run, entries, notes = load_run(results_dir)
    suites = [load_suite(results_dir, e, i, notes) for i, e in enumerate(entries)]
    tests = [t for s in suites for t in s["tests"]]

    by_full = {}
    for t in tests:
        by_full.setdefault(t["name"], []).append(t)
        short = t["name"].split(".", 1)[-1]
        by_full.setdefault(short, [])
        if t not in by_full[short]:
            by_full[short].append(t)

    known_ids = {s["id"] for s in catalogue["statements"]}
    statements = []
    for s in catalogue["statements"]:
        linked = [t for t in tests if s["id"] in t["catalogue"]]
        for listed in s["catalogue_tests"]:
            key = listed.split(":", 1)[-1]  # tolerate "binary:Suite.Test"
            matches = by_full.get(key, [])
            if matches:
                for t in matches:
                    if t not in linked:
                        linked.append(t)
            elif not any(t["name"] == key for t in linked):
                placeholder = {"suite": None, "name": key, "result": "not_run", "duration_s": None,
                               "catalogue": [s["id"]], "properties": {}, "failures": [],
                               "note": "listed in the catalogue but absent from the results",
                               "origin": "catalogue", "log_excerpt": ""}
                other = [t for t in tests if t["origin"] == "catalogue" and t["name"] == key]
                if other:
                    other[0]["catalogue"].append(s["id"])
                    placeholder = other[0]
                else:
                    tests.append(placeholder)
                linked.append(placeholder)
        statements.append(dict(s, tests=linked, **statement_verdict(s, linked)))

    unknown = {}
    for t in tests:
        for cid in t["catalogue"]:
            if cid not in known_ids:
                unknown.setdefault(cid, []).append(t)
    for cid, ts in sorted(unknown.items()):
        notes.append(f"catalogue id {cid} recorded by {', '.join(t['name'] for t in ts)} is not in the catalogue")

    totals = {r: sum(1 for t in tests if t["result"] == r) for r in RESULTS}
    totals["tests"] = len(tests)
    for s in suites:
        s["status"], s["status_text"] = describe_exit(s["exit_code"], s["duration_s"],
                                                      bool(s["json"]) and s["json_error"] is None)
        s["counts"] = {r: sum(1 for t in s["tests"] if t["result"] == r) for r in RESULTS}
    platforms = sorted({s["platform"] for s in suites if s["platform"]})
    builds = sorted({str(s["windows_build"]) for s in suites if s["windows_build"]})
    return {"run": run, "suites": suites, "tests": tests, "statements": statements,
            "unknown_ids": unknown, "totals": totals, "notes": notes, "platforms": platforms,
            "windows_builds": builds, "catalogue_version": catalogue["version"]}


def statement_verdict(s, tests):
    results = [t["result"] for t in tests]
    reasons = []
    for t in tests:
        r = t["properties"].get("hc_divergence_reason")
        if r and t["result"] in ("known_divergence", "unexpected_pass") and r not in reasons:
            reasons.append(r)
    if not s["testable"]:
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
        v = "demonstrated" if s["kind"] == "unsafe" else "holds"
    return {"verdict": v, "reasons": reasons}


def verdict_label(verdict, kind):
    if kind == "unsafe" and verdict == "violated":
        return "test failed"
    return VERDICT_LABEL[verdict]


def platform_text(model):
    run = model["run"]
    if model["platforms"]:
        text = " / ".join(model["platforms"])
    elif run.get("host") == "windows":
        text = "Windows"
    elif run.get("wine_version"):
        text = "Wine"
    else:
        text = "unknown platform"
    if run.get("wine_version") and run["wine_version"] not in text:
        text += f" · {run['wine_version']}"
    return text


def results_json(model):
    run = model["run"]
    return {
        "schema": SCHEMA,
        "generator": "reports/make_report.py",
        "run": {"started": run.get("started", ""), "wall_s": run.get("wall_s"),
                "commit": run.get("commit", ""), "host": run.get("host", ""),
                "wine_version": run.get("wine_version", ""), "platform": platform_text(model),
                "windows_builds": model["windows_builds"]},
        "totals": model["totals"],
        "suites": [{"name": s["name"], "label": s["label"], "exit_code": s["exit_code"],
                    "status": s["status"], "status_text": s["status_text"],
                    "duration_s": s["duration_s"], "counts": s["counts"],
                    "running_test": s["running_test"], "json_error": s["json_error"]}
                   for s in model["suites"]],
        "tests": [{"suite": t["suite"], "name": t["name"], "result": t["result"],
                   "duration_s": t["duration_s"], "catalogue": t["catalogue"],
                   "properties": t["properties"], "failures": t["failures"], "note": t["note"],
                   "origin": t["origin"]} for t in model["tests"]],
        "statements": [{"id": s["id"], "api": s["api"], "kind": s["kind"],
                        "statement": s["statement"], "verdict": s["verdict"],
                        "reasons": s["reasons"],
                        "why_not_testable": s["why_not_testable"] if not s["testable"] else "",
                        "tests": [test_ref(t) for t in s["tests"]]}
                       for s in model["statements"]],
        "notes": model["notes"],
    }


def test_ref(t):
    return f"{t['suite']}:{t['name']}" if t["suite"] else t["name"]


# ----------------------------------------------------------------------------------------------
# JUnit

def failure_summary(failure):
    """The first line of a GoogleTest failure's message (its first line is the location)."""
    lines = [l.strip() for l in failure.split("\n") if l.strip()]
    if len(lines) > 1 and re.match(r"^(\S+:\d+|unknown file)(: Failure)?$", lines[0]):
        return lines[1]
    return lines[0] if lines else "failed"


def write_junit(model, path):
    x = clean_text
    root = ET.Element("testsuites", name="hinternet-conformance")
    total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    groups = [(s["name"], s) for s in model["suites"]]
    orphans = [t for t in model["tests"] if t["suite"] is None]
    if orphans:
        groups.append(("catalogue (tests that did not run)", None))
    for name, suite in groups:
        ts = ET.SubElement(root, "testsuite", name=x(name))
        tests = suite["tests"] if suite else orphans
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        if suite:
            props = ET.SubElement(ts, "properties")
            for k, v in (("label", suite["label"]), ("platform", suite["platform"]),
                         ("exit_status", suite["status_text"])):
                ET.SubElement(props, "property", name=k, value=x(v))
        for t in tests:
            cls, _, short = t["name"].rpartition(".")
            tc = ET.SubElement(ts, "testcase", name=x(short or t["name"]),
                               classname=x(f"{name}.{cls}" if suite and cls else (cls or name)),
                               time=f"{t['duration_s'] or 0:.3f}")
            counts["tests"] += 1
            text = "\n\n".join(t["failures"]) or t["note"] or ""
            if t["result"] == "fail":
                counts["failures"] += 1
                first = failure_summary(t["failures"][0]) if t["failures"] else (t["note"] or "failed")
                ET.SubElement(tc, "failure", message=x(first[:300]), type="failure").text = x(text)
            elif t["result"] == "unexpected_pass":
                counts["failures"] += 1
                reason = t["properties"].get("hc_divergence_reason", "")
                ET.SubElement(tc, "failure", message=x(f"unexpected pass: the known divergence "
                                                       f"\"{reason}\" did not occur"),
                              type="unexpected_pass").text = x(text)
            elif t["result"] == "not_run":
                counts["skipped"] += 1
                ET.SubElement(tc, "skipped", message=x(t["note"] or "not run"))
            elif t["result"] == "known_divergence":
                reason = t["properties"].get("hc_divergence_reason", "")
                detail = t["properties"].get("hc_divergence_detail", "")
                ET.SubElement(tc, "system-out").text = x(
                    f"KNOWN DIVERGENCE (passes): {reason}\n{detail}".rstrip())
        if suite and suite["status"] in ("crashed", "hung", "error"):
            tc = ET.SubElement(ts, "testcase", name="binary exit status", classname=x(name),
                               time=f"{suite['duration_s'] or 0:.3f}")
            counts["tests"] += 1
            counts["errors"] += 1
            ET.SubElement(tc, "error", message=x(f"{name}: {suite['status_text']}"),
                          type=suite["status"]).text = x(
                f"{suite['status_text']}\n--- last lines of {suite['log'] or 'the log'} ---\n{suite['log_tail']}")
        for k, v in counts.items():
            ts.set(k, str(v))
            total[k] += v
        ts.set("time", f"{(suite['duration_s'] if suite else 0) or 0:.3f}")
    for k, v in total.items():
        root.set(k, str(v))
    root.set("time", f"{model['run'].get('wall_s') or 0:.3f}")
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)


# ----------------------------------------------------------------------------------------------
# SVG charts

def nice_step(span, target=5):
    if span <= 0:
        return 1
    raw = span / target
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def outcome_colour(name):
    n = name.lower()
    if n.startswith("success") or n in ("ok", "pass", "passed"):
        return "#2da44e"
    if "crash" in n or "exception" in n:
        return "#cf222e"
    if "hang" in n or "timeout" in n or "deadlock" in n:
        return "#8250df"
    if "error" in n or "fail" in n:
        return "#d4a72c"
    return "#8c959f"


def outcome_order(item):
    name, count = item
    c = outcome_colour(name)
    rank = {"#2da44e": 0, "#d4a72c": 1, "#cf222e": 2, "#8250df": 3}.get(c, 4)
    return (rank, -count, name)


def svg_outcome_bars(outcomes, trials, caption):
    items = []
    for k, v in (outcomes or {}).items():
        n = as_number(v)
        items.append((str(k), int(n) if n is not None else 0))
    items.sort(key=outcome_order)
    total = trials if isinstance(trials, (int, float)) and trials > 0 else sum(v for _, v in items)
    label_w, bar_w, value_w, row_h = 150, 230, 100, 22
    width = label_w + bar_w + value_w
    height = max(1, len(items)) * row_h + 6
    out = [f'<svg class="chart chart-bars" xmlns="http://www.w3.org/2000/svg" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{esc(caption)}">',
           f"<title>{esc(caption)}</title>"]
    if not items:
        out.append(f'<text x="4" y="16" class="muted">no outcomes recorded</text>')
    for i, (name, count) in enumerate(items):
        y = 3 + i * row_h
        frac = count / total if total else 0
        w = max(1.5 if count else 0, bar_w * min(frac, 1))
        shown = name if len(name) <= 22 else name[:21] + "…"
        out.append(f'<g><title>{esc(name)}: {count} of {fmt_num(total)}</title>'
                   f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{esc(shown)}</text>'
                   f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="{row_h - 8}" fill="#f0f2f4"/>'
                   f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" '
                   f'fill="{outcome_colour(name)}"/>'
                   f'<text x="{label_w + bar_w + 6}" y="{y + 14}">{fmt_num(count)} '
                   f'<tspan class="muted">({frac * 100:.1f}%)</tspan></text></g>')
    out.append("</svg>")
    return "".join(out)


def svg_timeline(tl):
    events = []
    for e in tl.get("events") or []:
        if isinstance(e, dict):
            t, n = as_number(e.get("t_ms")), as_number(e.get("open"))
            if t is not None and n is not None:
                events.append((float(t), int(n)))
    events.sort(key=lambda e: e[0])
    limit = as_number(tl.get("documented_limit"))
    peak = as_number(tl.get("observed_peak"))
    max_open = max((n for _, n in events), default=0)
    if peak is None:
        peak = max_open
    W, H, ml, mr, mt, mb = 570, 240, 46, 136, 14, 42
    pw, ph = W - ml - mr, H - mt - mb
    xmax = max((t for t, _ in events), default=0) or 1.0
    xstep = nice_step(xmax)
    xmax = math.ceil(xmax / xstep) * xstep
    ytop = max(peak or 0, limit or 0, max_open, 1) + 1
    ystep = 1 if ytop <= 12 else nice_step(ytop)
    ytop = math.ceil(ytop / ystep) * ystep

    def X(t):
        return ml + pw * t / xmax

    def Y(n):
        return mt + ph * (1 - n / ytop)

    title = str(tl.get("title") or "connections open at the server")
    out = [f'<svg class="chart chart-timeline" xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
           f'viewBox="0 0 {W} {H}" role="img" aria-label="{esc(title)}"><title>{esc(title)}</title>']
    # grid and axes
    v = 0
    while v <= ytop + 1e-9:
        y = Y(v)
        out.append(f'<line x1="{ml}" x2="{ml + pw}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                   f'<text x="{ml - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{fmt_num(v)}</text>')
        v += ystep
    v = 0
    while v <= xmax + 1e-9:
        x = X(v)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{mt + ph}" y2="{mt + ph + 4}" class="axis"/>'
                   f'<text x="{x:.1f}" y="{mt + ph + 16}" text-anchor="middle" class="tick">{fmt_num(v)}</text>')
        v += xstep
    out.append(f'<line x1="{ml}" x2="{ml + pw}" y1="{mt + ph}" y2="{mt + ph}" class="axis"/>'
               f'<line x1="{ml}" x2="{ml}" y1="{mt}" y2="{mt + ph}" class="axis"/>'
               f'<text x="{ml + pw / 2}" y="{H - 6}" text-anchor="middle" class="axis-label">time (ms)</text>'
               f'<text transform="translate(13 {mt + ph / 2}) rotate(-90)" text-anchor="middle" '
               f'class="axis-label">connections open</text>')
    if events:
        d = [f"M{X(0):.1f},{Y(0):.1f}"]
        for t, n in events:
            d.append(f"H{X(t):.1f}V{Y(n):.1f}")
        d.append(f"H{X(events[-1][0]):.1f}")
        path = "".join(d)
        out.append(f'<path d="{path}V{Y(0):.1f}Z" class="area"/>'
                   f'<path d="{path}" class="step"/>')
    else:
        out.append(f'<text x="{ml + 10}" y="{mt + 20}" class="muted">no events recorded</text>')
    if limit is not None:
        y = Y(limit)
        out.append(f'<line x1="{ml}" x2="{ml + pw}" y1="{y:.1f}" y2="{y:.1f}" class="limit"/>'
                   f'<text x="{ml + pw + 6}" y="{y + 4:.1f}" class="limit-label">documented limit = '
                   f'{fmt_num(limit)}</text>')
    if events and peak is not None:
        at = next(((t, n) for t, n in events if n >= peak), max(events, key=lambda e: e[1]))
        over = limit is not None and peak > limit
        cls = "peak-over" if over else "peak-ok"
        px, py = X(at[0]), Y(min(peak, ytop))
        label_y = py + 4
        if limit is not None and abs(py - Y(limit)) < 14:  # keep the two labels apart
            label_y = Y(limit) - 10 if py <= Y(limit) else Y(limit) + 18
        out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" class="{cls}"/>'
                   f'<text x="{ml + pw + 6}" y="{max(label_y, mt + 8):.1f}" class="{cls}-label">observed peak = '
                   f'{fmt_num(peak)}</text>'
                   f'<line x1="{px:.1f}" x2="{ml + pw + 4}" y1="{py:.1f}" y2="{py:.1f}" class="peak-guide"/>')
    out.append("</svg>")
    return "".join(out)


# ----------------------------------------------------------------------------------------------
# HTML

CSS = """
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg2:#f6f8fa;
--pass:#1a7f37;--pass-bg:#dafbe1;--fail:#cf222e;--fail-bg:#ffebe9;--kd:#7d4e00;--kd-bg:#fff1c2;
--up:#8250df;--up-bg:#fbefff;--nr:#59636e;--nr-bg:#eaeef2;--nc:#bc4c00;--nc-bg:#fff1e5;--demo:#0550ae;--demo-bg:#ddf4ff}
*{box-sizing:border-box}
body{font:13px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,"Liberation Sans",sans-serif;color:var(--fg);margin:0;background:#fff}
main{max-width:1280px;margin:0 auto;padding:18px 22px 60px}
h1{font-size:21px;margin:0 0 2px}h2{font-size:16px;margin:30px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:14px;margin:18px 0 6px}
a{color:#0969da;text-decoration:none}a:hover{text-decoration:underline}
.muted{color:var(--muted);fill:#59636e}.small{font-size:12px}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12px}
pre{background:var(--bg2);border:1px solid var(--line);border-radius:4px;padding:6px 8px;margin:4px 0;white-space:pre-wrap;word-break:break-word;max-height:340px;overflow:auto}
pre.fail{background:#fff8f7;border-color:#ffcecb}
nav{margin:8px 0 4px;font-size:12px}nav a{margin-right:14px}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:1px 14px;margin:10px 0}.meta dt{color:var(--muted)}.meta dd{margin:0}
.tiles{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}
.tile{border:1px solid var(--line);border-radius:6px;padding:6px 12px;min-width:104px;background:#fff}
.tile b{display:block;font-size:20px;line-height:1.2}.tile span{font-size:11px;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
.tile.t-pass{border-left:4px solid var(--pass)}.tile.t-fail{border-left:4px solid var(--fail)}
.tile.t-known_divergence{border-left:4px solid #d4a72c}.tile.t-unexpected_pass{border-left:4px solid var(--up)}
.tile.t-not_run{border-left:4px solid #8c959f}.tile.t-bin{border-left:4px solid #0969da}
.banner{border:1px solid #ff8182;background:var(--fail-bg);border-radius:6px;padding:8px 12px;margin:10px 0}
.banner.info{border-color:#d4a72c;background:#fff8c5}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border-bottom:1px solid var(--line);padding:4px 7px;text-align:left;vertical-align:top}
th{background:var(--bg2);font-weight:600;font-size:12px;position:sticky;top:0}
tr:hover td{background:#fafbfc}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:11.5px;font-weight:600;white-space:nowrap;line-height:18px;border:1px solid transparent}
.r-pass,.v-holds{color:var(--pass);background:var(--pass-bg)}
.r-fail,.v-violated{color:var(--fail);background:var(--fail-bg)}
.r-known_divergence,.v-known_divergence{color:var(--kd);background:var(--kd-bg)}
.r-unexpected_pass,.v-unexpected_pass{color:var(--up);background:var(--up-bg)}
.r-not_run,.v-not_run,.v-incomplete{color:var(--nr);background:var(--nr-bg)}
.v-not_covered{color:var(--nc);background:var(--nc-bg);border:1px dashed var(--nc)}
.v-not_testable{color:var(--nr);background:#fff;border:1px solid #afb8c1;font-style:italic}
.v-demonstrated{color:var(--demo);background:var(--demo-bg)}
.s-ok{color:var(--pass);background:var(--pass-bg)}.s-failed{color:var(--fail);background:var(--fail-bg)}
.s-crashed{color:#fff;background:var(--fail)}.s-hung{color:#fff;background:var(--up)}
.s-error{color:var(--fail);background:#fff;border:1px solid var(--fail)}.s-unknown{color:var(--nr);background:var(--nr-bg)}
tr.row-violated td:first-child,tr.row-unexpected_pass td:first-child{box-shadow:inset 3px 0 var(--fail)}
tr.row-not_covered td:first-child{box-shadow:inset 3px 0 var(--nc)}
tr.row-known_divergence td:first-child{box-shadow:inset 3px 0 #d4a72c}
.matrix td.id{white-space:nowrap;font-weight:600}.matrix td.stmt{max-width:470px}
.src{font-size:11.5px;color:var(--muted);margin-top:2px}
.tlist{margin:0;padding:0;list-style:none}.tlist li{margin:1px 0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:330px}
.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:5px;vertical-align:0}
.d-pass{background:var(--pass)}.d-fail{background:var(--fail)}.d-known_divergence{background:#d4a72c}.d-unexpected_pass{background:var(--up)}.d-not_run{background:#afb8c1}
.why{font-size:12px;color:var(--muted);margin-top:3px;max-width:260px;overflow-wrap:anywhere}
.legend{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:4px 18px;margin:6px 0 10px;font-size:12px;color:var(--muted)}
.legend .badge{min-width:112px;text-align:center;margin-right:6px}
.dots{font-size:12px;color:var(--muted);margin:0 0 8px}.dots span.k{margin-right:14px;white-space:nowrap}
details>summary{cursor:pointer;color:#0969da;font-size:12px}
.props{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:4px 0}.props dt{font-family:ui-monospace,monospace;font-size:12px;color:var(--muted)}.props dd{margin:0}
.cards{display:flex;flex-wrap:wrap;gap:14px}
.card{border:1px solid var(--line);border-radius:6px;padding:10px 12px;background:#fff}
.card h3{margin:0 0 4px}.timeline-card{max-width:606px}
.pair{display:flex;flex-wrap:wrap;gap:22px}
table.cache{width:auto;min-width:520px}table.cache th.num{max-width:260px;white-space:normal}
table.tests{table-layout:fixed}table.tests td{overflow-wrap:anywhere}.pair>div{min-width:300px}
.chart text{font-size:11.5px;fill:#1f2328}.chart .tick{font-size:10.5px;fill:#59636e}
.chart .grid{stroke:#eaeef2}.chart .axis{stroke:#8c959f}.chart .axis-label{font-size:11px;fill:#59636e}
.chart .area{fill:#0969da;fill-opacity:.12}.chart .step{fill:none;stroke:#0969da;stroke-width:1.6}
.chart .limit{stroke:#cf222e;stroke-width:1.4;stroke-dasharray:6 4}.chart .limit-label{fill:#cf222e;font-weight:600}
.chart .peak-over{fill:#cf222e}.chart .peak-ok{fill:#1a7f37}.chart .peak-over-label{fill:#cf222e}.chart .peak-ok-label{fill:#1a7f37}
.chart .peak-guide{stroke:#8c959f;stroke-dasharray:2 3}
.kv{font-size:12px;color:var(--muted)}.kv b{color:var(--fg);font-weight:600}
.bad{color:var(--fail);font-weight:600}
footer{margin-top:40px;font-size:11px;color:var(--muted)}
@media print{th{position:static}details{display:block}}
"""


def badge(cls, text, title=None):
    t = f' title="{esc(title)}"' if title else ""
    return f'<span class="badge {cls}"{t}>{esc(text)}</span>'


def result_badge(r):
    return badge(f"r-{r}", RESULT_LABEL[r], RESULT_HELP[r])


def verdict_badge(v, kind):
    return badge(f"v-{v}", verdict_label(v, kind), VERDICT_HELP[v])


def test_anchor(t):
    return "t-" + slug(f"{t['suite'] or 'catalogue'}-{t['name']}")


def fmt_date(iso):
    if not iso:
        return "–"
    try:
        d = datetime.datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except ValueError:
        return str(iso)
    if d.tzinfo:
        d = d.astimezone(datetime.timezone.utc)
        return d.strftime("%Y-%m-%d %H:%M:%S UTC")
    return d.strftime("%Y-%m-%d %H:%M:%S")


def render_html(model):
    run, totals = model["run"], model["totals"]
    title = f"HINTERNET conformance — {platform_text(model)}"
    p = []
    p.append(f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
             f'<meta name="viewport" content="width=device-width,initial-scale=1">'
             f'<title>{esc(title)}</title><style>{CSS}</style></head><body><main>')
    # Header
    p.append(f'<header><h1>HINTERNET thread-safety conformance</h1>'
             f'<div class="muted" id="platform">{esc(platform_text(model))}</div>')
    p.append('<nav><a href="#matrix">Guarantee matrix</a><a href="#binaries">Suite binaries</a>'
             '<a href="#tests">Tests</a><a href="#unsafe">Unsafe lab</a>'
             '<a href="#connlimit">Connection limits</a><a href="#cache">Cache contention</a></nav>')
    builds = ", ".join(model["windows_builds"]) or "–"
    p.append('<dl class="meta">'
             f'<dt>Windows build reported</dt><dd>{esc(builds)}</dd>'
             f'<dt>Host</dt><dd>{esc(run.get("host") or "–")}</dd>'
             f'<dt>Started</dt><dd>{esc(fmt_date(run.get("started")))}</dd>'
             f'<dt>Commit</dt><dd class="mono">{esc(run.get("commit") or "–")}</dd>'
             f'<dt>Wall time</dt><dd>{esc(fmt_seconds(as_number(run.get("wall_s"))))}</dd>'
             f'<dt>Catalogue</dt><dd>{len(model["statements"])} statements</dd></dl>')
    p.append('<div class="tiles" id="totals">')
    for r in RESULTS:
        p.append(f'<div class="tile t-{r}" data-result="{r}"><b>{totals[r]}</b><span>{esc(RESULT_LABEL[r])}</span></div>')
    bad = [s for s in model["suites"] if s["status"] in ("crashed", "hung", "error")]
    p.append(f'<div class="tile t-bin"><b>{len(model["suites"])}</b><span>binaries'
             f'{f", {len(bad)} abnormal" if bad else ""}</span></div></div>')
    vcount = {}
    for s in model["statements"]:
        vcount[s["verdict"]] = vcount.get(s["verdict"], 0) + 1
    p.append('<div class="small">Statements: ' + " ".join(
        f'{badge("v-" + v, VERDICT_LABEL[v])} {vcount[v]}' for v in VERDICTS if v in vcount) + "</div>")
    if not model["suites"]:
        p.append('<div class="banner">No suite binary ran in this run: there are no results.</div>')
    for s in bad:
        p.append(f'<div class="banner"><b>{esc(s["name"])}</b>: {esc(s["status_text"])}. '
                 f'Its remaining tests have no results; statements it verifies may show as not covered '
                 f'or not run. <a href="#bin-{slug(s["name"])}">Log tail</a></div>')
    for n in model["notes"]:
        p.append(f'<div class="banner info">{esc(n)}</div>')
    p.append("</header>")

    # Matrix
    p.append('<section id="matrix"><h2>Guarantee matrix</h2><div class="legend">')
    for v in VERDICTS:
        p.append(f'<div>{badge("v-" + v, VERDICT_LABEL[v])} {esc(VERDICT_HELP[v])}</div>')
    p.append('</div><div class="dots">Tests: ' + "".join(
        f'<span class="k" title="{esc(RESULT_HELP[r])}"><span class="dot d-{r}"></span>{esc(RESULT_LABEL[r])}</span>'
        for r in RESULTS) + '</div>')
    p.append('<table class="matrix"><thead><tr><th>ID</th><th>API</th><th>Kind</th><th>Statement</th>'
             '<th>Tests</th><th>Verdict</th></tr></thead><tbody>')
    for s in model["statements"]:
        p.append(f'<tr class="row-{s["verdict"]}" id="st-{slug(s["id"])}" data-verdict="{s["verdict"]}">'
                 f'<td class="id">{esc(s["id"])}</td><td>{esc(s["api"])}</td><td>{esc(s["kind"])}</td>'
                 f'<td class="stmt">{esc(s["statement"])}')
        if s["source"] or s["source_file"]:
            p.append(f'<div class="src">{esc(s["source"])}'
                     f'{" · " if s["source"] and s["source_file"] else ""}'
                     f'<span class="mono">{esc(s["source_file"])}</span></div>')
        p.append('</td><td>')
        if s["tests"]:
            p.append('<ul class="tlist">')
            for t in s["tests"]:
                where = f"{t['suite']}: {t['name']}" if t["suite"] else f"{t['name']} ({t['note']})"
                p.append(f'<li title="{esc(where)} — {esc(RESULT_LABEL[t["result"]])}">'
                         f'<span class="dot d-{t["result"]}"></span>'
                         f'<a href="#{test_anchor(t)}">{esc(t["name"])}</a></li>')
            p.append("</ul>")
        else:
            p.append('<span class="muted">—</span>')
        p.append(f'</td><td>{verdict_badge(s["verdict"], s["kind"])}')
        if s["verdict"] == "not_testable" and s["why_not_testable"]:
            p.append(f'<div class="why">{esc(s["why_not_testable"])}</div>')
        for r in s["reasons"]:
            p.append(f'<div class="why">{esc(r)}</div>')
        p.append("</td></tr>")
    if model["unknown_ids"]:
        for cid, ts in sorted(model["unknown_ids"].items()):
            p.append(f'<tr class="row-unknown"><td class="id">{esc(cid)}</td><td colspan="3">'
                     f'<span class="bad">not in the catalogue</span> (recorded by the tests listed)</td><td>'
                     + "".join(f'<div><a href="#{test_anchor(t)}">{esc(t["name"])}</a></div>' for t in ts)
                     + "</td><td></td></tr>")
    p.append("</tbody></table></section>")

    # Binaries
    p.append('<section id="binaries"><h2>Suite binaries</h2>')
    if model["suites"]:
        p.append('<table class="binaries"><thead><tr><th>Binary</th><th>Label</th><th>Exit status</th>'
                 '<th class="num">Duration</th>' + "".join(f'<th class="num">{esc(RESULT_LABEL[r])}</th>' for r in RESULTS)
                 + "</tr></thead><tbody>")
        for s in model["suites"]:
            p.append(f'<tr id="bin-{slug(s["name"])}" data-status="{s["status"]}"><td class="mono">'
                     f'<a href="#tests-{slug(s["name"])}">{esc(s["name"])}</a></td><td>{esc(s["label"])}</td>'
                     f'<td>{badge("s-" + s["status"], s["status_text"])}')
            if s["running_test"]:
                p.append(f'<div class="small">while running <span class="mono">{esc(s["running_test"])}</span></div>')
            if s["json_error"]:
                p.append(f'<div class="small bad">{esc(s["json_error"])}</div>')
            p.append(f'</td><td class="num">{fmt_seconds(s["duration_s"])}</td>'
                     + "".join(f'<td class="num">{s["counts"][r] or ""}</td>' for r in RESULTS) + "</tr>")
            if s["status"] in ("crashed", "hung", "error") or (s["status"] == "unknown" and not s["tests"]):
                p.append(f'<tr class="logtail"><td colspan="{4 + len(RESULTS)}"><div class="small">Last '
                         f'{LOG_TAIL_LINES} lines of <span class="mono">{esc(s["log"] or "(no log)")}</span>:</div>'
                         f'<pre class="fail">{esc(s["log_tail"] or "(empty log)")}</pre></td></tr>')
        p.append("</tbody></table>")
    else:
        p.append('<p class="muted">No binaries ran.</p>')
    p.append("</section>")

    # Tests
    p.append('<section id="tests"><h2>Tests</h2>')
    groups = [(s["name"], s["tests"]) for s in model["suites"]]
    orphans = [t for t in model["tests"] if t["suite"] is None]
    if orphans:
        groups.append(("listed in the catalogue, absent from the results", orphans))
    for name, tests in groups:
        p.append(f'<h3 id="tests-{slug(name)}" class="mono">{esc(name)}</h3>')
        if not tests:
            p.append('<p class="muted">No test results.</p>')
            continue
        p.append('<table class="tests"><colgroup><col style="width:140px"><col><col style="width:80px">'
                 '<col style="width:190px"><col style="width:150px"></colgroup>'
                 '<thead><tr><th>Result</th><th>Test</th><th class="num">Time</th>'
                 '<th>Catalogue</th><th>Details</th></tr></thead><tbody>')
        for t in tests:
            p.append(f'<tr id="{test_anchor(t)}" data-result="{t["result"]}"><td>{result_badge(t["result"])}</td>'
                     f'<td class="mono">{esc(t["name"])}')
            if t["note"]:
                p.append(f'<div class="small muted">{esc(t["note"])}</div>')
            if t["failures"]:
                p.append("".join(f'<pre class="fail">{esc(f)}</pre>' for f in t["failures"]))
            reason = t["properties"].get("hc_divergence_reason")
            if reason and t["result"] in ("known_divergence", "unexpected_pass"):
                p.append(f'<div class="small"><b>Divergence:</b> {esc(reason)}</div>')
            p.append(f'</td><td class="num">{fmt_seconds(t["duration_s"])}</td><td>'
                     + " ".join(f'<a class="mono small" href="#st-{slug(c)}">{esc(c)}</a>' for c in t["catalogue"])
                     + "</td><td>")
            props = {k: v for k, v in t["properties"].items() if k != "catalogue"}
            if props or t["log_excerpt"]:
                what = [f'{len(props)} propert{"y" if len(props) == 1 else "ies"}'] if props else []
                what += ["log"] if t["log_excerpt"] else []
                p.append(f'<details><summary>{" + ".join(what)}</summary>')
                p.append('<dl class="props">' if props else "")
                for k, v in sorted(props.items()):
                    shown = v
                    if k in ("hc_unsafe", "hc_timeline", "hc_cache"):
                        val, err = parse_json_property(v)
                        shown = json.dumps(val, indent=1) if err is None else v
                        if k == "hc_timeline" and err is None and isinstance(val, dict) and len(val.get("events") or []) > 12:
                            val = dict(val, events=f"{len(val['events'])} events (charted)")
                            shown = json.dumps(val, indent=1)
                    p.append(f'<dt>{esc(k)}</dt><dd><pre>{esc(clean_text(shown))}</pre></dd>')
                p.append("</dl>" if props else "")
                if t["log_excerpt"]:
                    p.append(f'<div class="small muted">log:</div><pre>{esc(t["log_excerpt"])}</pre>')
                p.append("</details>")
            p.append("</td></tr>")
        p.append("</tbody></table>")
    if not groups:
        p.append('<p class="muted">No tests.</p>')
    p.append("</section>")

    p.append(render_unsafe(model))
    p.append(render_timelines(model))
    p.append(render_cache(model))
    p.append(f'<footer>Generated by reports/make_report.py at '
             f'{datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")} · '
             f'junit.xml and results.json beside this file.</footer></main></body></html>')
    return "".join(p)


def property_tests(model, key):
    for t in model["tests"]:
        if key in t["properties"]:
            val, err = parse_json_property(t["properties"][key])
            if err is None and not isinstance(val, dict):
                err = "not a JSON object"
            yield t, val, err


def test_link(t):
    return (f'<a class="mono small" href="#{test_anchor(t)}">{esc(t["suite"])}: {esc(t["name"])}</a> '
            f'{result_badge(t["result"])}')


def render_unsafe(model):
    p = ['<section id="unsafe"><h2>Unsafe lab</h2>']
    items = list(property_tests(model, "hc_unsafe"))
    if not items:
        p.append('<p class="muted">No unsafe-pattern trials were recorded in this run.</p>')
    p.append('<div class="cards">')
    for t, u, err in items:
        p.append('<div class="card unsafe-card">')
        if err:
            p.append(f'<h3>{test_link(t)}</h3><p class="bad">hc_unsafe is {esc(err)}</p></div>')
            continue
        p.append(f'<h3>{esc(u.get("pattern", "(unnamed pattern)"))}</h3><div>{test_link(t)}</div>'
                 f'<div class="kv">trials <b>{fmt_num(as_number(u.get("trials")))}</b> · seed '
                 f'<b class="mono">{esc(u.get("seed", "–"))}</b> · <b>{fmt_num(as_number(u.get("trials_per_s")))}</b> '
                 f'trials/s</div><div class="pair"><div><div class="small"><b>Unsafe pattern</b></div>')
        p.append(svg_outcome_bars(u.get("outcomes"), as_number(u.get("trials")),
                                  f"outcomes of {u.get('pattern', '')}"))
        p.append("</div>")
        safe = u.get("safe")
        if isinstance(safe, dict):
            p.append(f'<div><div class="small"><b>Safe pattern:</b> {esc(safe.get("pattern", ""))} '
                     f'<span class="kv">({fmt_num(as_number(safe.get("trials")))} trials)</span></div>')
            p.append(svg_outcome_bars(safe.get("outcomes"), as_number(safe.get("trials")),
                                      f"outcomes of the safe pattern {safe.get('pattern', '')}"))
            p.append("</div>")
        else:
            p.append('<div class="small muted">No safe pattern recorded.</div>')
        p.append("</div></div>")
    p.append("</div></section>")
    return "".join(p)


def render_timelines(model):
    p = ['<section id="connlimit"><h2>Connection-limit evidence</h2>']
    items = list(property_tests(model, "hc_timeline"))
    if not items:
        p.append('<p class="muted">No connection timelines were recorded in this run.</p>')
    p.append('<div class="cards">')
    for t, tl, err in items:
        p.append('<div class="card timeline-card">')
        if err:
            p.append(f'<h3>{test_link(t)}</h3><p class="bad">hc_timeline is {esc(err)}</p></div>')
            continue
        limit, peak = as_number(tl.get("documented_limit")), as_number(tl.get("observed_peak"))
        verdict = ""
        if limit is not None and peak is not None:
            verdict = (f'<span class="bad">peak {fmt_num(peak)} exceeds the documented limit {fmt_num(limit)}</span>'
                       if peak > limit else f'peak {fmt_num(peak)} within the documented limit {fmt_num(limit)}')
        p.append(f'<h3>{esc(tl.get("title", "connections open at the server"))}</h3><div>{test_link(t)}</div>'
                 f'<div class="kv">documented limit <b>{fmt_num(limit)}</b> · limit option '
                 f'<b>{fmt_num(as_number(tl.get("limit_option")))}</b> · observed peak <b>{fmt_num(peak)}</b> · '
                 f'requests <b>{fmt_num(as_number(tl.get("requests")))}</b> · {verdict}</div>')
        p.append(svg_timeline(tl))
        p.append("</div>")
    p.append("</div></section>")
    return "".join(p)


def render_cache(model):
    p = ['<section id="cache"><h2>Cache contention</h2>']
    items = list(property_tests(model, "hc_cache"))
    if not items:
        p.append('<p class="muted">No cache-contention measurements were recorded in this run.</p>')
    p.append('<div class="cards">')
    rows = [("requests", "requests"), ("reached_server", "reached the server"), ("errors", "errors"),
            ("bad_bodies", "bad bodies"), ("seconds", "seconds"), ("req_per_s", "requests/s")]
    for t, c, err in items:
        p.append(f'<div class="card cache-card"><div>{test_link(t)}</div>')
        modes = c.get("modes") if not err else None
        if err or not isinstance(modes, list):
            p.append(f'<p class="bad">hc_cache is {esc(err or "missing its modes list")}</p></div>')
            continue
        modes = [m for m in modes if isinstance(m, dict)]
        p.append('<table class="cache"><thead><tr><th>Measure</th>'
                 + "".join(f'<th class="num mono">{esc(m.get("mode", "?"))}</th>' for m in modes)
                 + "</tr></thead><tbody>")
        for key, label in rows:
            p.append(f"<tr><td>{esc(label)}</td>")
            for m in modes:
                v = as_number(m.get(key))
                cls = "num bad" if key in ("errors", "bad_bodies") and v else "num"
                p.append(f'<td class="{cls}">{fmt_num(v)}</td>')
            p.append("</tr>")
        extra = sorted({k for m in modes for k in m} - {k for k, _ in rows} - {"mode"})
        for key in extra:
            p.append(f"<tr><td class=\"mono\">{esc(key)}</td>"
                     + "".join(f'<td class="num">{esc(m.get(key, "–"))}</td>' for m in modes) + "</tr>")
        p.append("</tbody></table></div>")
    p.append("</div></section>")
    return "".join(p)


# ----------------------------------------------------------------------------------------------
# Compare mode

def load_results_json(path):
    path = pathlib.Path(path)
    if path.is_dir():
        path = path / "results.json"
    data = read_json(path, "results.json")
    if not isinstance(data, dict) or not isinstance(data.get("statements"), list):
        raise ReportError(f"not a results.json written by make_report.py: {path}")
    return data


def run_label(data, fallback):
    run = data.get("run") or {}
    bits = [run.get("platform") or fallback]
    if run.get("commit"):
        bits.append(run["commit"])
    return " @ ".join(bits)


def compare(a, b):
    sa = {s["id"]: s for s in a["statements"] if isinstance(s, dict) and "id" in s}
    sb = {s["id"]: s for s in b["statements"] if isinstance(s, dict) and "id" in s}
    ids = list(sa) + [i for i in sb if i not in sa]
    rows = []
    for i in ids:
        va = sa.get(i, {}).get("verdict", "absent")
        vb = sb.get(i, {}).get("verdict", "absent")
        s = sa.get(i) or sb.get(i)
        rows.append({"id": i, "api": s.get("api", ""), "kind": s.get("kind", ""),
                     "statement": s.get("statement", ""), "a": va, "b": vb,
                     "reasons_a": sa.get(i, {}).get("reasons", []),
                     "reasons_b": sb.get(i, {}).get("reasons", []), "differs": va != vb})
    ta, tb = test_results(a), test_results(b)
    # A test listed in the catalogue that did not run has no binary: match it by name.
    for mine, other in ((ta, tb), (tb, ta)):
        for suite, name in [k for k in mine if k[0] is None]:
            found = [k for k in other if k[1] == name and k[0] is not None]
            if len(found) == 1 and found[0] not in mine:
                mine[found[0]] = mine.pop((None, name))
    tests = []
    for k in list(ta) + [k for k in tb if k not in ta]:
        ra, rb = ta.get(k, "absent"), tb.get(k, "absent")
        if ra != rb:
            tests.append({"suite": k[0], "name": k[1], "a": ra, "b": rb})
    return rows, tests


def test_results(data):
    return {(t.get("suite"), t.get("name")): t.get("result")
            for t in data.get("tests", []) if isinstance(t, dict)}


def compare_text(rows, tests, la, lb):
    def v(x):
        return VERDICT_LABEL.get(x, x)

    def r(x):
        return RESULT_LABEL.get(x, x)

    rows = [dict(x, a=v(x["a"]), b=v(x["b"])) for x in rows]
    diff = [x for x in rows if x["differs"]]
    out = [f"A: {la}", f"B: {lb}",
           f"{len(diff)} of {len(rows)} statements differ in verdict"]
    if diff:
        w = max(len("statement"), *(len(x["id"]) for x in diff))
        wa = max(len("A"), *(len(x["a"]) for x in diff))
        out.append(f"{'statement':<{w}}  {'A':<{wa}}  B")
        out.append(f"{'-' * w}  {'-' * wa}  {'-' * max(1, max(len(x['b']) for x in diff))}")
        out += [f"{x['id']:<{w}}  {x['a']:<{wa}}  {x['b']}" for x in diff]
    if tests:
        out.append(f"{len(tests)} tests differ in result (A -> B):")
        out += [f"  {t['suite'] or '(not run)'}: {t['name']}: {r(t['a'])} -> {r(t['b'])}" for t in tests]
    return "\n".join(out)


def vbadge(v):
    if v in VERDICT_LABEL:
        return badge(f"v-{v}", VERDICT_LABEL[v], VERDICT_HELP[v])
    return badge("v-not_run", v)


def render_compare(rows, tests, la, lb):
    diff = [r for r in rows if r["differs"]]
    same = [r for r in rows if not r["differs"]]
    p = [f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Verdict comparison</title>'
         f'<style>{CSS}</style></head><body><main><h1>Verdict comparison</h1>'
         f'<dl class="meta"><dt>A</dt><dd>{esc(la)}</dd><dt>B</dt><dd>{esc(lb)}</dd></dl>'
         f'<p><b id="ndiff">{len(diff)}</b> of {len(rows)} statements differ in verdict.</p>']

    def table(rs, cls):
        q = [f'<table class="{cls}"><thead><tr><th>ID</th><th>API</th><th>Kind</th><th>Statement</th>'
             f'<th>A: {esc(la)}</th><th>B: {esc(lb)}</th></tr></thead><tbody>']
        for r in rs:
            q.append(f'<tr data-id="{esc(r["id"])}"><td class="id mono">{esc(r["id"])}</td><td>{esc(r["api"])}</td>'
                     f'<td>{esc(r["kind"])}</td><td class="stmt">{esc(r["statement"])}</td>'
                     f'<td>{vbadge(r["a"])}' + "".join(f'<div class="why">{esc(x)}</div>' for x in r["reasons_a"])
                     + f'</td><td>{vbadge(r["b"])}' + "".join(f'<div class="why">{esc(x)}</div>' for x in r["reasons_b"])
                     + "</td></tr>")
        q.append("</tbody></table>")
        return "".join(q)

    p.append('<h2>Statements whose verdicts differ</h2>')
    p.append(table(diff, "matrix diff") if diff else '<p class="muted">None: both runs reach the same verdicts.</p>')
    if tests:
        p.append('<h2>Tests whose results differ</h2><table class="tdiff"><thead><tr><th>Binary</th><th>Test</th>'
                 '<th>A</th><th>B</th></tr></thead><tbody>')
        for t in tests:
            p.append(f'<tr><td class="mono">{esc(t["suite"] or "–")}</td><td class="mono">{esc(t["name"])}</td>'
                     f'<td>{result_or(t["a"])}</td><td>{result_or(t["b"])}</td></tr>')
        p.append("</tbody></table>")
    p.append(f'<h2>Same verdict in both runs</h2><details><summary>{len(same)} statements</summary>')
    p.append(table(same, "matrix same") + "</details></main></body></html>")
    return "".join(p)


def result_or(r):
    return result_badge(r) if r in RESULT_LABEL else badge("r-not_run", r)


# ----------------------------------------------------------------------------------------------

def write_text(path, text):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="make_report.py",
        description="Writes index.html, junit.xml and results.json from a conformance results "
                    "directory, or compares the results.json of two runs.",
        usage="%(prog)s --results DIR --catalogue FILE --out DIR\n"
              "       %(prog)s --compare A_results.json B_results.json --out DIR")
    ap.add_argument("--results", type=pathlib.Path, metavar="DIR",
                    help="results directory: run.json, NAME.json and NAME.log of each suite binary")
    ap.add_argument("--catalogue", type=pathlib.Path, metavar="FILE", help="suites/catalogue.json")
    ap.add_argument("--compare", nargs=2, metavar=("A", "B"),
                    help="results.json (or report directories) of two runs")
    ap.add_argument("--out", type=pathlib.Path, metavar="DIR", required=True, help="output directory")
    args = ap.parse_args(argv)

    if args.compare:
        if args.results or args.catalogue:
            ap.error("--compare takes no --results or --catalogue")
    else:
        if not args.results or not args.catalogue:
            ap.error("--results and --catalogue are required (or --compare A B)")
        if not args.results.is_dir():
            ap.error(f"--results {args.results}: not a directory")
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        ap.error(f"--out {args.out}: {e}")

    try:
        if args.compare:
            a, b = (load_results_json(x) for x in args.compare)
            la, lb = run_label(a, "A"), run_label(b, "B")
            if la == lb:
                la, lb = f"{la} ({args.compare[0]})", f"{lb} ({args.compare[1]})"
            rows, tests = compare(a, b)
            write_text(args.out / "compare.html", render_compare(rows, tests, la, lb))
            print(compare_text(rows, tests, la, lb))
            print(f"wrote {args.out / 'compare.html'}")
            return 0
        model = build_model(args.results, args.catalogue)
    except ReportError as e:
        print(f"make_report.py: error: {e}", file=sys.stderr)
        return 1

    write_text(args.out / "index.html", render_html(model))
    write_text(args.out / "results.json", json.dumps(results_json(model), indent=1) + "\n")
    write_junit(model, args.out / "junit.xml")
    t = model["totals"]
    bad = [f"{s['name']} {s['status_text']}" for s in model["suites"] if s["status"] in ("crashed", "hung", "error")]
    print(f"report: {t['pass']} passed, {t['fail']} failed, {t['known_divergence']} known divergences, "
          f"{t['unexpected_pass']} unexpected passes, {t['not_run']} not run"
          + (f"; {'; '.join(bad)}" if bad else "") + f" -> {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
