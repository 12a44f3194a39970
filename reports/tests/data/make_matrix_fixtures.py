#!/usr/bin/env python3
"""Writes the matrix tests' fixtures beside this file from a real run's results.json:

  make_matrix_fixtures.py RESULTS_JSON
      matrix_wine8.json          the run, made small (long texts cut) and without machine paths
      matrix_synthetic_b.json    SYNTHETIC: an edited copy standing in for a second implementation
                                 (some verdicts changed, outcome counts and limits altered) until a
                                 real second run is added; its implementation says so

The synthetic copy's statement verdicts are recomputed from its edited tests with the report's
own rule (hcreport.model.statement_verdict), so that it is consistent.

  make_matrix_fixtures.py --wine10 RESULTS_JSON
      matrix_wine10.json         a real run under Wine 10.0 (scripts/conformance run --wine 10.0),
                                 made small the same way
"""
import copy
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
from hcreport.model import RESULTS, Statement, Test, statement_verdict  # noqa: E402

MAX_TEXT = 3000
# Everything up to the repository's own top-level directories is the machine's path.
MACHINE_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[/\\][\w.+~-]+)+?[/\\](?=(?:suites|fixtures|localserver|protocol|reports)[/\\])")


def scrub(text):
    """Machine paths removed; a long text that is not JSON evidence cut."""
    text = MACHINE_PATH.sub("", text)
    if len(text) <= MAX_TEXT or is_json(text):
        return text
    return text[:MAX_TEXT] + f"\n… ({len(text) - MAX_TEXT} more characters)"


def is_json(text):
    try:
        json.loads(text)
        return True
    except ValueError:
        return False


def small(data):
    data = copy.deepcopy(data)
    for t in data["tests"]:
        t["properties"] = {k: scrub(v) for k, v in t["properties"].items()}
        t["failures"] = [scrub(f) for f in t["failures"]]
    data["notes"] = [scrub(n) for n in data["notes"]]
    return data


def test_named(data, name):
    return next(t for t in data["tests"] if t["name"] == name)


def set_result(t, result, failure=None):
    t["result"] = result
    t["failures"] = [failure] if failure else []
    if result == "pass":
        for k in ("hc_verdict", "hc_divergence_reason", "hc_divergence_detail"):
            t["properties"].pop(k, None)


def set_property(data, test, key, update):
    t = test_named(data, test)
    t["properties"][key] = json.dumps(update(json.loads(t["properties"][key])))


def synthetic(data):
    b = copy.deepcopy(data)
    b["run"]["platform"] = "Wine 10.0 (synthetic)"
    b["run"]["wine_version"] = "wine-10.0 (synthetic)"
    b["run"]["implementation"] = {
        "name": "Wine", "version": "10.0 (synthetic)", "label": "Wine 10.0 (synthetic)",
        "provenance": "SYNTHETIC: an edited copy of matrix_wine8.json, not a real run"}
    set_result(test_named(b, "WinHttpWebSocket.CompleteUpgradeCreatesOneWebSocketPerRequest"), "pass")
    set_result(test_named(b, "WinInetParentClose.ClosingTheConnectHandleEndsItsChildrensPendingRequests"), "pass")
    set_result(test_named(b, "WinInetParentClose.ClosingTheSessionHandleEndsEveryPendingRequestBelowIt"), "pass")
    set_result(test_named(b, "WinInetConnLimit.RequestsBeyondThePerServerLimitWaitAtTheClient"), "fail",
               "suites/wininet/conn_limit_test.cpp:165: Failure\nExpected: (peak) <= (limit), actual: 6 vs 2\n"
               "InternetReadFile: error 12030 <script>alert('synthetic')</script>")
    test_named(b, "WinInetConnLimit.AnHttp10ServerGetsItsOwnLimit")["properties"]["observed_peak"] = "4"
    set_property(b, "WinInetConnLimit.AnHttp10ServerGetsItsOwnLimit", "hc_timeline",
                 lambda tl: dict(tl, observed_peak=4, events=[dict(e, open=min(e["open"], 4)) for e in tl["events"]]))
    set_property(b, "UnsafeWinHttp.WebSocketClosedWhileSendingAndReceiving", "hc_unsafe",
                 lambda u: dict(u, outcomes={"hang": 12, "success": 18}))
    set_property(b, "UnsafeWinHttp.TwoOperationsAtOnceOnOneRequest", "hc_unsafe",
                 lambda u: dict(u, outcomes={"success": 41, "premature end of body": 40, "error 12019": 9,
                                             "crash 0xC0000005": 6, "hang": 4}))
    recompute(b)
    return b


def recompute(data):
    tests = {(f"{t['suite']}:{t['name']}" if t["suite"] else t["name"]): t for t in data["tests"]}
    for s in data["statements"]:
        linked = [Test(suite=None, name=ref, result=tests[ref]["result"], properties=tests[ref]["properties"])
                  for ref in s["tests"] if ref in tests]
        rule = Statement(id=s["id"], statement=s["statement"], kind=s["kind"],
                         testable=s["verdict"] != "not_testable")
        s["verdict"], s["reasons"] = statement_verdict(rule, linked)
    data["totals"] = dict({r: sum(1 for t in data["tests"] if t["result"] == r) for r in RESULTS},
                          tests=len(data["tests"]))


def write(name, data):
    (HERE / name).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def main(argv):
    if len(argv) == 2 and argv[0] == "--wine10":
        write("matrix_wine10.json", small(json.loads(pathlib.Path(argv[1]).read_text(encoding="utf-8"))))
        return
    if len(argv) != 1:
        sys.exit(__doc__)
    real = small(json.loads(pathlib.Path(argv[0]).read_text(encoding="utf-8")))
    write("matrix_wine8.json", real)
    write("matrix_synthetic_b.json", synthetic(real))


if __name__ == "__main__":
    main(sys.argv[1:])
