#!/usr/bin/env python3
"""Runs ctest N times in a row and lists, per test, its passes and failures.

A test that both passed and failed is flaky: it is listed with its failure output. Used by
`scripts/conformance repeat [--load K] N [CTEST_ARGS...]`. With --load K, K spinning processes
compete with the runs for the CPUs the whole time (a reproducible stand-in for a busy CI runner).
Exit 0 when no test is flaky or failed every time.
"""
import argparse
import collections
import contextlib
import multiprocessing
import os
import pathlib
import subprocess
import sys
import time
import xml.etree.ElementTree as ET


def run_once(build: pathlib.Path, i: int, ctest_args):
    junit = build / "repeat" / f"run-{i:03d}.xml"
    junit.parent.mkdir(exist_ok=True)
    t0 = time.time()
    rc = subprocess.run(["ctest", "--timeout", "300", "-j", "2", "--output-junit", str(junit), *ctest_args],
                        cwd=build, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False).returncode
    return junit, rc, time.time() - t0


def spin():
    """Keeps one CPU busy until terminated."""
    x = 0
    while True:
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF


@contextlib.contextmanager
def cpu_load(processes: int):
    spinners = [multiprocessing.Process(target=spin, daemon=True) for _ in range(processes)]
    for p in spinners:
        p.start()
    try:
        yield
    finally:
        for p in spinners:
            p.terminate()
        for p in spinners:
            p.join(10)


def read_junit(path: pathlib.Path):
    """{test name: (passed, failure text)} from ctest's JUnit file."""
    out = {}
    if not path.exists():
        return out
    for case in ET.parse(path).getroot().iter("testcase"):
        name = case.get("name")
        status = case.get("status", "run")
        failure = case.find("failure")
        if status in ("disabled", "notrun") and failure is None:
            continue
        passed = failure is None and status != "fail"
        text = ""
        if not passed:
            sysout = case.find("system-out")
            text = (failure.get("message", "") if failure is not None else status) + "\n" + (
                sysout.text or "" if sysout is not None else "")
        out[name] = (passed, text)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", required=True, type=pathlib.Path)
    ap.add_argument("--load", type=int, default=0, metavar="K",
                    help="keep K spinning processes running during the runs (default 0: no added load)")
    ap.add_argument("runs", type=int)
    ap.add_argument("ctest_args", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("N must be at least 1")
    if args.load < 0:
        ap.error("--load K must be 0 or more")
    with cpu_load(args.load):
        return repeat(args)


def repeat(args):
    if args.load:
        print(f"[repeat] load: {args.load} spinning processes on {os.cpu_count()} CPUs for the whole run",
              flush=True)

    passes = collections.Counter()
    fails = collections.Counter()
    messages = collections.defaultdict(list)
    durations = []
    for i in range(1, args.runs + 1):
        junit, rc, seconds = run_once(args.build, i, args.ctest_args)
        results = read_junit(junit)
        durations.append(seconds)
        failed_now = [n for n, (ok, _) in results.items() if not ok]
        for name, (ok, text) in results.items():
            (passes if ok else fails)[name] += 1
            if not ok:
                messages[name].append(f"run {i}: " + text.strip()[-1500:])
        print(f"[repeat] run {i}/{args.runs}: {len(results)} tests, {len(failed_now)} failed, "
              f"{seconds:.1f} s, ctest exit {rc}", flush=True)

    names = sorted(set(passes) | set(fails))
    flaky = [n for n in names if passes[n] and fails[n]]
    always = [n for n in names if fails[n] and not passes[n]]
    print(f"\n{'test':<100} {'pass':>5} {'fail':>5}")
    for n in names:
        mark = "  FLAKY" if n in flaky else ("  FAILS" if n in always else "")
        print(f"{n:<100} {passes[n]:>5} {fails[n]:>5}{mark}")
    for n in flaky:
        print(f"\n--- flaky: {n} ---")
        for m in messages[n][:3]:
            print(m)
    print(f"\n[repeat] {args.runs} runs, {len(names)} tests, {len(flaky)} flaky, {len(always)} failing every run; "
          f"mean run {sum(durations) / len(durations):.1f} s, longest {max(durations):.1f} s"
          + (f"; under a load of {args.load} spinning processes" if args.load else ""))
    return 1 if flaky or always else 0


if __name__ == "__main__":
    sys.exit(main())
