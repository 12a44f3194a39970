#!/usr/bin/env python3
"""Runs every suite binary once (under Wine on Linux) against one localserver; writes the report.

Used by `scripts/conformance run`. Each binary writes GoogleTest JSON into the results directory;
a binary that crashes or hangs is recorded with its exit code, so the report still says so and
nothing from the other binaries is lost.
"""
import argparse
import datetime
import json
import os
import pathlib
import subprocess
import sys
import time

SUITE_TIMEOUT_S = 600


def sh(args, **kw):
    return subprocess.run(args, check=False, **kw)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", required=True, type=pathlib.Path)
    ap.add_argument("--source", required=True, type=pathlib.Path)
    ap.add_argument("--config", default="Release", help="build configuration (default: Release)")
    args = ap.parse_args()
    build, source = args.build.resolve(), args.source.resolve()
    paths_file = build / f"hc_paths-{args.config}.json"
    if not paths_file.exists():
        sys.exit(f"conformance: {paths_file} not found: configure and build first")
    paths = json.loads(paths_file.read_text())
    wine_prefix = paths["wine_prefix"]
    wine_run = [str(source / "scripts" / "wine-run"), "--prefix", wine_prefix] if wine_prefix else []
    run_dir = pathlib.Path(paths["run_dir"])
    results = build / "results"
    results.mkdir(parents=True, exist_ok=True)
    for old in results.glob("*"):
        old.unlink()
    port_file = run_dir / "localserver.json"
    server = paths["localserver"]
    manifest = json.loads(pathlib.Path(paths["suites_manifest"]).read_text())
    # Under Wine a host path is reached through drive Z:.
    win_path = (lambda p: "Z:" + str(p)) if wine_prefix else str

    started = time.time()
    if wine_run and sh(wine_run + ["--start"]).returncode != 0:
        sys.exit("conformance: could not start the wineserver")
    if sh([server, "--detach", "--port-file", str(port_file), "--log-file",
           str(run_dir / "localserver.log"), "--max-lifetime-s", "3600"]).returncode != 0:
        sys.exit("conformance: could not start localserver")

    env = dict(os.environ, HC_LOCALSERVER_FILE=win_path(port_file))
    suites = []
    try:
        for n, suite in enumerate(manifest, 1):
            out_json = results / (suite["name"] + ".json")
            log = results / (suite["name"] + ".log")
            t0 = time.time()
            cmd = wine_run + [suite["path"], "--gtest_output=json:" + win_path(out_json)]
            with open(log, "wb") as log_file:
                try:
                    rc = sh(cmd, stdout=log_file, stderr=subprocess.STDOUT, env=env,
                            timeout=SUITE_TIMEOUT_S).returncode
                except subprocess.TimeoutExpired:
                    rc = "timeout"
            duration = time.time() - t0
            passed = failed = 0
            if out_json.exists():
                data = json.loads(out_json.read_text())
                failed = data.get("failures", 0)
                passed = data.get("tests", 0) - failed - data.get("disabled", 0)
            print(f"[{n}/{len(manifest)}] {suite['name']}: {passed} passed, {failed} failed, "
                  f"exit {rc} ({duration:.1f} s)", flush=True)
            suites.append({"name": suite["name"], "label": suite["label"], "exit_code": rc,
                           "duration_s": round(duration, 3),
                           "json": out_json.name if out_json.exists() else None, "log": log.name})
    finally:
        sh([server, "--stop", "--port-file", str(port_file)])
        if wine_run:
            sh(wine_run + ["--stop"])

    wine_version = (sh(["wine", "--version"], capture_output=True, text=True).stdout.strip()
                    if wine_prefix else "")
    commit = sh(["git", "-C", str(source), "rev-parse", "--short", "HEAD"],
                capture_output=True, text=True).stdout.strip()
    run = {"started": datetime.datetime.fromtimestamp(started, datetime.timezone.utc).isoformat(),
           "wall_s": round(time.time() - started, 3), "wine_version": wine_version,
           "commit": commit, "host": "linux+wine" if wine_prefix else "windows", "suites": suites}
    (results / "run.json").write_text(json.dumps(run, indent=2) + "\n")

    report = sh([sys.executable, str(source / "reports" / "make_report.py"), "--results", str(results),
                 "--catalogue", str(source / "suites" / "catalogue.json"), "--out", str(build / "report")])
    if report.returncode != 0:
        sys.exit("conformance: the report could not be written")
    out = build / "report"
    print(f"[conformance] report: {out / 'index.html'}\n[conformance] JUnit XML: {out / 'junit.xml'}\n"
          f"[conformance] results: {out / 'results.json'} (raw GoogleTest JSON and logs in {results})")
    ok = all(s["exit_code"] == 0 for s in suites)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
