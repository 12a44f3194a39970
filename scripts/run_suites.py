#!/usr/bin/env python3
"""Runs every suite binary once (under Wine on Linux) against one localserver; writes the report.

Binaries run --jobs at a time (default 2), the longest first, one of the unsafe lab at a time.
A binary that mostly waited in the last run (its processor time under a third of its wall time:
parked requests, stalled handshakes, held gates) may run in --wait-slots extra slots (default 1),
so that the CPUs do not idle while it waits; at most --jobs others run beside it.

Used by `scripts/conformance run`. Each binary writes GoogleTest JSON into the results directory;
a binary that crashes or hangs is recorded with its exit code, so the report still says so and
nothing from the other binaries is lost.
"""
import argparse
import datetime
import json
import os
import pathlib
import platform
import re
import subprocess
import sys
import threading
import time

# A backstop only: each binary's watchdog ends it within its budget (HC_BINARY_BUDGET_S, 80 s,
# + 8 s for a running test; fixtures/include/hc/watchdog.h).
SUITE_TIMEOUT_S = 150
DEFAULT_JOBS = 2
# How long a binary the last run did not time is taken to last: (other, unsafe lab).
UNKNOWN_DURATION_S = (5.0, 20.0)
DEFAULT_WAIT_SLOTS = 1
# A binary whose processor time was less than this share of its wall time waited more than it ran.
WAITING_SHARE = 1 / 3


# fixtures/include/hc/exit_codes.h: a crash a marked divergence names ended the process with tests
# left; they run again in a new process, at most MAX_RESUMES times per binary.
KNOWN_CRASH_EXIT_CODE = 87
MAX_RESUMES = 3


def tests_of(run):
    """(suite entry, test entry) of every test in a GoogleTest JSON result."""
    for ts in run.get("testsuites", []):
        for tc in ts.get("testsuite", []):
            yield ts, tc


def not_started(run):
    """The Suite.Test names the process recorded as not started (property hc_not_started)."""
    return [f"{ts['name']}.{tc['name']}" for ts, tc in tests_of(run) if tc.get("hc_not_started") == "yes"]


def crashed_test(run, earlier):
    """Suite.Test of the test whose known crash ended the process (property hc_ended_process), not
    one of `earlier` ("?" if none is marked)."""
    return next((name for ts, tc in tests_of(run)
                 if tc.get("hc_ended_process") == "yes" and (name := f"{ts['name']}.{tc['name']}") not in earlier),
                "?")


def merge_results(run, resumed):
    """run with each test that the resumed run ran replaced by its result there; counts redone."""
    again = {(ts["name"], tc["name"]): tc for ts, tc in tests_of(resumed)}
    failures = 0
    for ts in run.get("testsuites", []):
        ts["testsuite"] = [again.get((ts["name"], tc["name"]), tc) for tc in ts.get("testsuite", [])]
        ts["failures"] = sum(1 for tc in ts["testsuite"] if tc.get("failures"))
        failures += ts["failures"]
    run["failures"] = failures
    return run


def previous_run(run_json):
    """({binary: seconds}, {binary: processor seconds}) of the last run in the results directory
    (empty where it did not record them)."""
    try:
        suites = json.loads(run_json.read_text())["suites"]
        return ({s["name"]: float(s["duration_s"]) for s in suites},
                {s["name"]: float(s["cpu_s"]) for s in suites if s.get("cpu_s") is not None})
    except (OSError, ValueError, KeyError, TypeError):
        return {}, {}


def sh(args, **kw):
    return subprocess.run(args, check=False, **kw)


def run_measured(args, timeout, **kw):
    """(exit code or "timeout", processor seconds of the process and its waited-for descendants, or
    None where the OS does not tell)."""
    if not hasattr(os, "wait4"):
        try:
            return subprocess.run(args, check=False, timeout=timeout, **kw).returncode, None
        except subprocess.TimeoutExpired:
            return "timeout", None
    proc = subprocess.Popen(args, **kw)
    killed = threading.Event()

    def kill():
        killed.set()
        proc.kill()

    timer = threading.Timer(timeout, kill)
    timer.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
    return ("timeout" if killed.is_set() else proc.returncode), round(usage.ru_utime + usage.ru_stime, 3)


def os_release(root):
    """The os-release fields of the system at root ("/" for the host)."""
    fields = {}
    path = pathlib.Path(root) / "etc" / "os-release"
    if path.exists():
        for line in path.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep:
                fields[key] = value.strip().strip('"')
    return fields


def debian_package_version(package, root="/"):
    admindir = pathlib.Path(root) / "var" / "lib" / "dpkg"
    out = sh(["dpkg-query", f"--admindir={admindir}", "-W", "-f", "${Version}", package],
             capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else ""


def wine_implementation(reported, root, wine):
    """What ran the suites under Wine: version, label and where it came from (run.json)."""
    match = re.match(r"wine-(\S+)", reported)
    version = match.group(1) if match else reported
    impl = {"name": "Wine", "version": version, "label": f"Wine {version}"}
    if wine:
        impl["provenance"] = f"Wine executable {wine} ({reported})"
        impl["wine"] = str(wine)
        return impl
    system_root = root or "/"
    release = os_release(system_root)
    distro = f"{release.get('NAME', 'Linux').split()[0]} {release.get('VERSION_ID', '')}".strip()
    package = debian_package_version("wine", system_root)
    source = f"wine {package}" if package else reported
    if root:
        codename = release.get("VERSION_CODENAME")
        distro += f" ({codename})" if codename else ""
        impl["provenance"] = f"{distro} {source}, mmdebstrap root file system"
        impl["wine"] = str(pathlib.Path(root) / "usr" / "bin" / "wine")
    else:
        impl["provenance"] = f"{distro} {source} (system package)"
        impl["wine"] = "system"
    return impl


def windows_implementation():
    """The Windows release that ran the suites, from the OS itself (run.json)."""
    build = sys.getwindowsversion().build
    release, version, _, _ = platform.win32_ver()
    product, ubr, display = "", None, ""
    try:
        import winreg
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"SOFTWARE\Microsoft\Windows NT\CurrentVersion") as key:
            def value(name):
                try:
                    return winreg.QueryValueEx(key, name)[0]
                except OSError:
                    return None
            product, ubr, display = value("ProductName") or "", value("UBR"), value("DisplayVersion") or ""
    except ImportError:
        pass
    # ProductName names the server release ("Windows Server 2022 Datacenter"); on client releases
    # it can lag behind (Windows 11 reports "Windows 10"), so those are named by release instead.
    server = re.match(r"(Windows Server \d+)", product)
    name = server.group(1) if server else f"Windows {release}".strip()
    full = f"{version}.{ubr}" if ubr is not None else version
    provenance = f"{product or name}{' ' + display if display else ''}, build {full}"
    image = os.environ.get("ImageOS"), os.environ.get("ImageVersion")
    if all(image):
        provenance += f"; GitHub Actions runner image {image[0]} {image[1]}"
    return {"name": "Windows", "version": full, "label": f"{name} (build {build})",
            "provenance": provenance}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--build", required=True, type=pathlib.Path)
    ap.add_argument("--source", required=True, type=pathlib.Path)
    ap.add_argument("--config", default="Release", help="build configuration (default: Release)")
    wine_choice = ap.add_mutually_exclusive_group()
    wine_choice.add_argument("--wine-root", type=pathlib.Path,
                             help="run under the Wine of this root file system (scripts/wine-root; "
                                  "run inside `wine-root exec`, which mounts the build tree into it)")
    wine_choice.add_argument("--wine", type=pathlib.Path,
                             help="run under this Wine executable (e.g. a Wine build tree's ./wine)")
    ap.add_argument("--wine-prefix", type=pathlib.Path,
                    help="Wine prefix (default: the build tree's; another Wine needs its own)")
    ap.add_argument("--run-dir", type=pathlib.Path,
                    help="where the localserver's port file and log go (default: the build tree's)")
    ap.add_argument("--results", type=pathlib.Path, help="results directory (default: BUILD/results)")
    ap.add_argument("--report", type=pathlib.Path, help="report directory (default: BUILD/report)")
    ap.add_argument("--jobs", type=int, default=DEFAULT_JOBS,
                    help=f"suite binaries run at once (default: {DEFAULT_JOBS}, as ctest -j in "
                         "`conformance test`; 1: one after the other)")
    ap.add_argument("--wait-slots", type=int, default=DEFAULT_WAIT_SLOTS,
                    help=f"extra slots for binaries that mostly waited in the last run (default: "
                         f"{DEFAULT_WAIT_SLOTS}; none with --jobs 1)")
    args = ap.parse_args()
    if args.jobs < 1:
        ap.error("--jobs must be 1 or more")
    if args.wait_slots < 0:
        ap.error("--wait-slots must be 0 or more")
    build, source = args.build.resolve(), args.source.resolve()
    paths_file = build / f"hc_paths-{args.config}.json"
    if not paths_file.exists():
        sys.exit(f"conformance: {paths_file} not found: configure and build first")
    paths = json.loads(paths_file.read_text())
    wine_prefix = str(args.wine_prefix.resolve()) if args.wine_prefix else paths["wine_prefix"]
    wine_run = [str(source / "scripts" / "wine-run"), "--prefix", wine_prefix] if wine_prefix else []
    # Absolute but not resolved: a Wine build tree's ./wine is a link, and its server is beside it.
    wine_exe = pathlib.Path(os.path.abspath(args.wine)) if args.wine else None
    if wine_run and args.wine_root:
        wine_run += ["--root", str(args.wine_root.resolve())]
    elif wine_run and wine_exe:
        wine_run += ["--wine", str(wine_exe)]
    run_dir = args.run_dir.resolve() if args.run_dir else pathlib.Path(paths["run_dir"])
    run_dir.mkdir(parents=True, exist_ok=True)
    results = args.results.resolve() if args.results else build / "results"
    report_dir = args.report.resolve() if args.report else build / "report"
    results.mkdir(parents=True, exist_ok=True)
    previous, previous_cpu = previous_run(results / "run.json")
    wait_slots = 0 if args.jobs == 1 else args.wait_slots
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

    def run_suite(suite):
        out_json = results / (suite["name"] + ".json")
        log = results / (suite["name"] + ".log")
        t0 = time.time()
        resumed = []  # the tests whose known crash ended a process of this binary

        cpu = [0.0]  # processor seconds of the binary's processes (None: not measured)

        def run_binary(args, json_path, log_file):
            cmd = wine_run + [suite["path"], "--gtest_output=json:" + win_path(json_path)] + args
            rc, used = run_measured(cmd, SUITE_TIMEOUT_S, stdout=log_file, stderr=subprocess.STDOUT, env=env)
            cpu[0] = None if used is None or cpu[0] is None else cpu[0] + used
            return rc

        with open(log, "wb") as log_file:
            rc = run_binary([], out_json, log_file)
            # A known crash ended the process with tests left (fixtures/include/hc/crash_report.h):
            # the tests it did not start run again in a fresh process, as each would under ctest.
            # A death inside Wine (scripts/wine-run's crash mark) ends the same way, with the results
            # the process wrote ahead.
            while rc == KNOWN_CRASH_EXIT_CODE and out_json.exists() and len(resumed) < MAX_RESUMES:
                data = json.loads(out_json.read_text())
                left = not_started(data)
                if not left:
                    break
                resumed.append(crashed_test(data, resumed))
                part = out_json.with_suffix(f".resumed{len(resumed)}.json")
                log_file.write(f"\n[conformance] {len(left)} tests not started after the known crash of "
                               f"{resumed[-1]}: running them again\n".encode())
                log_file.flush()
                rc = run_binary(["--gtest_filter=" + ":".join(left)], part, log_file)
                if part.exists():
                    out_json.write_text(json.dumps(merge_results(data, json.loads(part.read_text())),
                                                   indent=2) + "\n")
                    part.unlink()
        duration = time.time() - t0
        passed = failed = 0
        if out_json.exists():
            data = json.loads(out_json.read_text())
            failed = data.get("failures", 0)
            passed = data.get("tests", 0) - failed - data.get("disabled", 0)
        with lock:
            done.append(suite["name"])
            after = f", resumed after the known crash of {', '.join(resumed)}" if resumed else ""
            print(f"[{len(done)}/{len(manifest)}] {suite['name']}: {passed} passed, {failed} failed, "
                  f"exit {rc} ({duration:.1f} s{after})", flush=True)
        entry = {"name": suite["name"], "label": suite["label"], "exit_code": rc,
                 "duration_s": round(duration, 3), "cpu_s": cpu[0],
                 "json": out_json.name if out_json.exists() else None, "log": log.name}
        if resumed:
            entry["resumed_after_known_crash"] = resumed
        return entry

    # The longest binaries first (as long as the last run took; the unsafe lab's when unknown), so
    # that the run does not end waiting for one long binary started last; and never two binaries of
    # the unsafe lab at once: they keep the CPUs busy, and each records its trial rates.
    pending = sorted(manifest, key=lambda s: -previous.get(s["name"], UNKNOWN_DURATION_S[s["label"] == "unsafe"]))
    lock, done, ran, errors = threading.Condition(), [], {}, []
    lab_running = [False]
    running = {"computing": 0, "waiting": 0}

    def waits(suite):
        """Did the binary mostly wait in the last run? (Unknown: it is taken to compute.)"""
        name = suite["name"]
        return (suite["label"] != "unsafe" and name in previous_cpu and previous.get(name, 0) > 0
                and previous_cpu[name] < WAITING_SHARE * previous[name])

    def may_start(suite):
        if suite["label"] == "unsafe" and lab_running[0]:
            return False
        if waits(suite):
            return running["waiting"] < wait_slots or sum(running.values()) < args.jobs
        # The computing binaries take --jobs slots at most, waiting ones beside them or not.
        return running["computing"] < args.jobs and sum(running.values()) < args.jobs + wait_slots

    def worker():
        while True:
            with lock:
                while True:
                    if not pending:
                        return
                    suite = next((x for x in pending if may_start(x)), None)
                    if suite:
                        break
                    lock.wait()
                pending.remove(suite)
                heavy = suite["label"] == "unsafe"
                lab_running[0] = lab_running[0] or heavy
                kind = "waiting" if waits(suite) else "computing"
                running[kind] += 1
            try:
                entry = run_suite(suite)
            except BaseException as e:  # re-raised by main once every worker has stopped
                with lock:
                    errors.append(e)
                    pending.clear()
                    lock.notify_all()
                return
            with lock:
                ran[suite["name"]] = entry
                if heavy:
                    lab_running[0] = False
                running[kind] -= 1
                lock.notify_all()

    try:
        workers = [threading.Thread(target=worker) for _ in range(args.jobs + wait_slots)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        if errors:
            raise errors[0]
        suites = [ran[s["name"]] for s in manifest]  # run.json keeps the manifest's order
    finally:
        sh([server, "--stop", "--port-file", str(port_file)])
        if wine_run:
            sh(wine_run + ["--stop"])

    if wine_prefix:
        wine_version = sh(wine_run + ["--version"], capture_output=True, text=True).stdout.strip()
        implementation = wine_implementation(wine_version, args.wine_root and args.wine_root.resolve(),
                                             wine_exe)
    else:
        wine_version, implementation = "", windows_implementation()
    commit = sh(["git", "-C", str(source), "rev-parse", "--short", "HEAD"],
                capture_output=True, text=True).stdout.strip()
    run = {"started": datetime.datetime.fromtimestamp(started, datetime.timezone.utc).isoformat(),
           "wall_s": round(time.time() - started, 3), "wine_version": wine_version,
           "implementation": implementation,
           "commit": commit, "host": "linux+wine" if wine_prefix else "windows", "suites": suites}
    (results / "run.json").write_text(json.dumps(run, indent=2) + "\n")

    report = sh([sys.executable, str(source / "reports" / "make_report.py"), "--results", str(results),
                 "--catalogue", str(source / "suites" / "catalogue.json"), "--out", str(report_dir)])
    if report.returncode != 0:
        sys.exit("conformance: the report could not be written")
    out = report_dir
    print(f"[conformance] report: {out / 'index.html'}\n[conformance] JUnit XML: {out / 'junit.xml'}\n"
          f"[conformance] results: {out / 'results.json'} (raw GoogleTest JSON and logs in {results})")
    ok = all(s["exit_code"] == 0 for s in suites)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
