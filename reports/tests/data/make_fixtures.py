#!/usr/bin/env python3
"""Regenerates the fixture results directories beside this file (deterministic output).

The fixtures mimic what scripts/run_suites.py leaves in build/results: run.json, and per suite
binary NAME.json (GoogleTest JSON, recorded properties as extra keys) and NAME.log. Run it after
changing the fixtures; the unit tests read the files it writes, not this script.
"""
import json
import pathlib
import random
import shutil

HERE = pathlib.Path(__file__).resolve().parent
WINE_PLATFORM = {"hc_platform": "Wine 8.0 (reports Windows 6.1.7601)", "hc_wine_version": "8.0",
                 "hc_windows_build": "7601"}
WINDOWS_PLATFORM = {"hc_platform": "Windows 10.0.22631", "hc_wine_version": "", "hc_windows_build": "22631"}
PLATFORM = WINE_PLATFORM  # set per directory by main()
TS = "2026-11-22T01:51:31Z"


def test(suite, name, ms=12, failures=(), status="RUN", result="COMPLETED", **props):
    t = {"name": name, "file": f"/src/hinternet-conformance/suites/{suite.lower()}_test.cpp", "line": 25,
         "status": status, "result": result, "timestamp": TS, "time": f"{ms / 1000:g}s",
         "classname": suite}
    t.update({k: v for k, v in props.items()})
    if failures:
        t["failures"] = [{"failure": f, "type": ""} for f in failures]
    return t


def gtest_json(tests):
    suites = {}
    for t in tests:
        suites.setdefault(t["classname"], []).append(t)
    nfail = sum(1 for t in tests if t.get("failures"))
    return dict({"tests": len(tests), "failures": nfail, "disabled": 0, "errors": 0, "timestamp": TS,
                 "time": "1.5s"}, **PLATFORM, name="AllTests", testsuites=[
        {"name": n, "tests": len(ts), "failures": sum(1 for t in ts if t.get("failures")), "disabled": 0,
         "errors": 0, "timestamp": TS, "time": "0.5s", "testsuite": ts} for n, ts in suites.items()])


def log_for(tests, tail=""):
    lines = ["[==========] Running %d tests." % len(tests), "[----------] Global test environment set-up."]
    for t in tests:
        full = f"{t['classname']}.{t['name']}"
        ms = int(float(t["time"][:-1]) * 1000)
        if t["status"] == "NOTRUN":
            continue
        lines.append(f"[ RUN      ] {full}")
        if t.get("hc_verdict") == "known_divergence":
            lines.append(f"[ KNOWN DIVERGENCE ] {t['hc_divergence_reason']}")
        for f in t.get("failures", []):
            lines += f["failure"].split("\n")
        if t["result"] == "SKIPPED":
            lines.append("skip reason: the server does not support this")
            lines.append(f"[  SKIPPED ] {full} ({ms} ms)")
        elif t.get("failures"):
            lines.append(f"[  FAILED  ] {full} ({ms} ms)")
        else:
            lines.append(f"[       OK ] {full} ({ms} ms)")
    lines.append("[==========] done.")
    return "\r\n".join(lines) + "\r\n" + tail


def binary(name, label, tests, exit_code=None, duration=1.5, json_written=True, log=None):
    if exit_code is None:
        exit_code = 1 if any(t.get("failures") for t in tests) else 0
    return {"entry": {"name": name, "label": label, "exit_code": exit_code, "duration_s": duration,
                      "json": f"{name}.json" if json_written else None, "log": f"{name}.log"},
            "json": gtest_json(tests) if json_written else None,
            "log": log if log is not None else log_for(tests)}


def unsafe_prop():
    return json.dumps({"pattern": "WinHttpCloseHandle on a request while WinHttpReadData runs on it",
                       "trials": 400, "seed": 1234567, "trials_per_s": 85.3,
                       "outcomes": {"success": 301, "error 12017": 72, "crash 0xC0000005": 19, "hang": 8},
                       "safe": {"pattern": "close after the read returned", "trials": 400,
                                "outcomes": {"success": 400}}})


def timeline_prop(title, limit, option, peak, requests, seed):
    rnd = random.Random(seed)
    events, t, open_ = [], 0.0, 0
    for _ in range(requests * 2):
        t += rnd.uniform(2, 14)
        if open_ < peak and (open_ == 0 or rnd.random() < 0.6):
            open_ += 1
        elif open_ > 0:
            open_ -= 1
        events.append({"t_ms": round(t, 1), "open": open_})
    events.append({"t_ms": round(t + 5, 1), "open": 0})
    return json.dumps({"title": title, "documented_limit": limit, "limit_option": option,
                       "observed_peak": max(e["open"] for e in events), "requests": requests,
                       "events": events})


def cache_prop():
    return json.dumps({"modes": [
        {"mode": "cache on", "requests": 2000, "reached_server": 64, "errors": 3, "bad_bodies": 0,
         "seconds": 4.21, "req_per_s": 475.1},
        {"mode": "INTERNET_FLAG_RELOAD | INTERNET_FLAG_NO_CACHE_WRITE", "requests": 2000,
         "reached_server": 2000, "errors": 0, "bad_bodies": 0, "seconds": 6.02, "req_per_s": 332.2}]})


NASTY = ('/src/hinternet-conformance/suites/winhttp/a_test.cpp:41\nExpected equality of these values:\n'
         '  body\n    Which is: "<html><script>alert(\'x\')</script> & \\"quoted\\"</html>"\n'
         '  expected\n    Which is: "A&B <ok>"')

BIN_A = lambda: binary("winhttp_a", "winhttp", [
    test("WinHttpA", "Passes", 40, catalogue="G-PASS"),
    test("WinHttpA", "AlsoPasses", 1250, catalogue="G-PASS,G-SECOND", hc_threads="32"),
    test("WinHttpA", "Skipped", 0, result="SKIPPED", catalogue="G-SKIP"),
])
BIN_FAIL = lambda: binary("winhttp_fail", "winhttp", [
    test("WinHttpFail", "Passes", 15, catalogue="G-SECOND"),
    test("WinHttpFail", "Fails", 230, failures=[NASTY], catalogue="G-FAIL"),
    test("WinHttpFail", "DISABLED_Later", 0, status="NOTRUN", result="SUPPRESSED"),
])
BIN_DIV = lambda: binary("wininet_div", "wininet", [
    test("WinInetDiv", "Diverges", 80, catalogue="G-KD", hc_verdict="known_divergence",
         hc_divergence_reason="Wine serialises requests on one connection",
         hc_divergence_detail="a_test.cpp:10: expected 4 connections, saw 1\n"),
    test("WinInetDiv", "UnexpectedPass", 70, catalogue="G-UP", hc_verdict="unexpected_pass",
         hc_divergence_reason="Wine ignores INTERNET_OPTION_MAX_CONNS_PER_SERVER",
         failures=["/src/hinternet-conformance/fixtures/src/expectation.cpp:42\nFailed\nunexpected pass: the known "
                   "divergence \"Wine ignores INTERNET_OPTION_MAX_CONNS_PER_SERVER\" did not occur; "
                   "the implementation now follows the documentation, remove the mark"]),
])
# The same binaries as a Windows runner would report them: no divergence applies there.
BIN_FAIL_WIN = lambda: binary("winhttp_fail", "winhttp", [
    test("WinHttpFail", "Passes", 15, catalogue="G-SECOND"),
    test("WinHttpFail", "Fails", 190, catalogue="G-FAIL"),
    test("WinHttpFail", "DISABLED_Later", 0, status="NOTRUN", result="SUPPRESSED"),
])
BIN_DIV_WIN = lambda: binary("wininet_div", "wininet", [
    test("WinInetDiv", "Diverges", 60, catalogue="G-KD"),
    test("WinInetDiv", "UnexpectedPass", 50, catalogue="G-UP"),
])
BIN_LAB = lambda: binary("unsafe_lab", "unsafe", [
    test("UnsafeClose", "CloseDuringRead", 4700, catalogue="U-DEMO", hc_unsafe=unsafe_prop()),
    test("ConnLimit", "DefaultLimitIsTwo", 900, catalogue="L-CONN",
         hc_timeline=timeline_prop("Default per-server limit, 12 concurrent requests", 2, 2, 2, 12, 7)),
    test("ConnLimit", "OverrideIsIgnored", 700, catalogue="L-CONN-OVERRIDE", hc_verdict="known_divergence",
         hc_divergence_reason="Wine does not enforce INTERNET_OPTION_MAX_CONNS_PER_SERVER",
         hc_divergence_detail="conn_limit_test.cpp:88: peak 6 > 4\n",
         hc_timeline=timeline_prop("INTERNET_OPTION_MAX_CONNS_PER_SERVER = 4", 4, 4, 6, 16, 9)),
    test("CacheContention", "SharedUrlFromManyThreads", 10300, catalogue="G-CACHE", hc_cache=cache_prop()),
])
CRASH_LOG = ("[==========] Running 3 tests.\r\n[ RUN      ] Crashy.First\r\n[       OK ] Crashy.First (3 ms)\r\n"
             "[ RUN      ] Crashy.Boom\r\nwine: Unhandled page fault on read access to 0000000000000000 at "
             "address 000000014000ABCD (thread 0124), starting debugger...\r\n\x1b[1mUnhandled exception: page "
             "fault\x1b[0m\r\nBacktrace:\r\n=>0 0x000000014000abcd in crashy (+0xabcd)\r\n")
BIN_CRASH = lambda: binary("winhttp_crashy", "winhttp", [], exit_code=3221225477, duration=2.25,
                           json_written=False, log=CRASH_LOG)
HANG_LOG = ("[==========] Running 2 tests.\r\n[ RUN      ] Hangs.Waits\r\n"
            "hc: hang detector: no progress for 60 s in Hangs.Waits; thread stacks follow\r\n"
            "  thread 3: WinHttpCloseHandle\r\n")
BIN_HANG86 = lambda: binary("winhttp_hang", "winhttp", [], exit_code=86, duration=61.0,
                            json_written=False, log=HANG_LOG)
BIN_TIMEOUT = lambda: binary("wininet_timeout", "wininet", [], exit_code="timeout", duration=600.0,
                             json_written=False,
                             log="[==========] Running 1 test.\r\n[ RUN      ] Slow.Forever\r\n")

DIRS = {
    "pass": [BIN_A],
    "failed": [BIN_A, BIN_FAIL],
    "crashed": [BIN_A, BIN_CRASH],
    "hung": [BIN_A, BIN_HANG86, BIN_TIMEOUT],
    "empty": [],
    "divergence": [BIN_DIV],
    "lab": [BIN_LAB],
    "full": [BIN_A, BIN_FAIL, BIN_DIV, BIN_LAB, BIN_CRASH, BIN_HANG86, BIN_TIMEOUT],
    "windows": [BIN_A, BIN_FAIL_WIN, BIN_DIV_WIN],
}


def main():
    global PLATFORM
    for name, bins in DIRS.items():
        windows = name == "windows"
        PLATFORM = WINDOWS_PLATFORM if windows else WINE_PLATFORM
        d = HERE / name
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir()
        entries = []
        for make in bins:
            b = make()
            entries.append(b["entry"])
            if b["json"] is not None:
                (d / b["entry"]["json"]).write_text(json.dumps(b["json"], indent=2) + "\n")
            (d / b["entry"]["log"]).write_bytes(b["log"].encode())
        run = {"started": "2026-11-22T01:50:02.123456+00:00",
               "wall_s": round(sum(e["duration_s"] for e in entries) + 3.2, 3),
               "wine_version": "" if windows else "wine-8.0 (Debian 8.0~repack-4)", "commit": "abc1234",
               "host": "windows" if windows else "linux+wine", "suites": entries}
        (d / "run.json").write_text(json.dumps(run, indent=2) + "\n")
    print("fixtures written under", HERE)


if __name__ == "__main__":
    main()
