#!/usr/bin/env python3
"""Runs the fault set (faults/faults.json): the suites' self-check. A red result must follow a
broken implementation: each fault is a proxy DLL that breaks one catalogue statement; it is loaded
into the suite binaries of its API and must make a test fail that passes without it.

  run_faults.py --build BUILD --source SOURCE [options] [FAULT...]

Per fault: the suite binaries of its API are copied (hard-linked where possible) into a directory
of their own with the fault's DLL as winhttp.dll / wininet.dll, and run from there (under Wine with
WINEDLLOVERRIDES=<api>=n,b). Each process the runner starts must prove the fault loaded: the proxy
writes a marker line with its fault id at DLL_PROCESS_ATTACH (HC_FAULT_MARKER); a binary without
its marker makes the fault "not_loaded", an error. A clean baseline (the same copies, no DLL) runs
once per run; a fault is "caught" by the tests that fail with it and pass without it.

Where the tests run: first the fault's expected tests and the catalogue's tests of the statement
it breaks (gtest filters); if none of them catches it, every other test of its API, so that
"survived" always means that no test of the API caught it (--full: everything in one go). A fault
that survives on an implementation that already behaves that way (faults.json not_observable_if:
the named test is a known divergence in the baseline) is "not_observable". The controls (the kits
with no hook) run every test of their API and must disturb nothing.

Writes BUILD/faults/faults.json and prints a table. Exit 0 when every fault is caught or
not_observable and the controls are clean; 1 otherwise; 2 for bad arguments.
"""
import argparse
import concurrent.futures
import datetime
import json
import os
import pathlib
import platform
import re
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time

IS_WINDOWS = os.name == "nt"
WATCHDOG_EXIT = 86  # hc::kHangExitCode (fixtures/include/hc/wait.h)
EVENT_RE = re.compile(r"^\[ +(RUN|OK|FAILED|SKIPPED) +\] (\S+?\.\S+?)(?: \((\d+) ms\))?\s*$")
MARKER_RE = re.compile(r"^hc-fault fault=(\S+) event=(\S+) pid=(\d+)(.*?) exe=(.*)$")


def fail_usage(parser, message):
    parser.print_usage(sys.stderr)
    print(f"run_faults.py: {message}", file=sys.stderr)
    sys.exit(2)


# ---- manifest ------------------------------------------------------------------------------

def load_manifest(source: pathlib.Path):
    return json.loads((source / "faults" / "faults.json").read_text())


def check_manifest(source: pathlib.Path):
    """Problems of faults.json against the catalogue and the sources; empty when it is in step."""
    manifest = load_manifest(source)
    catalogue = json.loads((source / "suites" / "catalogue.json").read_text())
    statements = {s["id"]: s for s in catalogue["statements"]}
    known_tests = {t for s in catalogue["statements"] for t in s["tests"]}
    problems, seen = [], set()
    for kind in ("controls", "faults"):
        for f in manifest[kind]:
            fid = f.get("id", "?")
            if fid in seen:
                problems.append(f"{fid}: id used twice")
            seen.add(fid)
            if f.get("api") not in ("winhttp", "wininet"):
                problems.append(f"{fid}: api must be winhttp or wininet")
            if not fid.startswith({"winhttp": "wh-", "wininet": "wi-"}.get(f.get("api"), "?")):
                problems.append(f"{fid}: a {f.get('api')} fault id starts with wh- (WinHTTP) or wi- (WinINet)")
            for s in f.get("sources", []):
                if not (source / "faults" / s).is_file():
                    problems.append(f"{fid}: source {s} not found")
            if not f.get("description"):
                problems.append(f"{fid}: no description")
            if kind == "controls":
                continue
            stmt = statements.get(f.get("breaks"))
            if stmt is None:
                problems.append(f"{fid}: breaks {f.get('breaks')!r}, not a catalogue id")
            elif stmt["api"] != f["api"]:
                problems.append(f"{fid}: breaks {stmt['id']}, a statement of {stmt['api']}")
            if not f.get("expected_tests"):
                problems.append(f"{fid}: no expected_tests")
            condition = f.get("not_observable_if", {})
            if set(condition) - {"known_divergence", "recorded"}:
                problems.append(f"{fid}: not_observable_if takes known_divergence or recorded")
            named = [condition["known_divergence"]] if "known_divergence" in condition else []
            if "recorded" in condition:
                rec = condition["recorded"]
                if set(rec) != {"test", "property", "key", "equals"}:
                    problems.append(f"{fid}: recorded takes test, property, key and equals")
                named.append(rec.get("test"))
            for t in f.get("expected_tests", []) + named:
                if t not in known_tests:
                    problems.append(f"{fid}: test {t} is not in the catalogue (no such test, or it covers no id)")
    return problems


# ---- build tree ----------------------------------------------------------------------------

def pe_imports(path: pathlib.Path):
    """Lower-case names of the DLLs a PE file imports."""
    data = path.read_bytes()
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    n_sections = struct.unpack_from("<H", data, pe + 6)[0]
    opt_size = struct.unpack_from("<H", data, pe + 20)[0]
    opt = pe + 24
    magic = struct.unpack_from("<H", data, opt)[0]
    dirs = opt + (112 if magic == 0x20B else 96)
    import_rva = struct.unpack_from("<I", data, dirs + 8)[0]
    sections = []
    for i in range(n_sections):
        s = opt + opt_size + 40 * i
        vsize, va, rsize, raw = struct.unpack_from("<IIII", data, s + 8)
        sections.append((va, max(vsize, rsize), raw))

    def offset(rva):
        for va, size, raw in sections:
            if va <= rva < va + size:
                return raw + rva - va
        raise ValueError(f"{path}: RVA {rva:#x} outside every section")

    names = set()
    if import_rva == 0:
        return names
    at = offset(import_rva)
    while True:
        name_rva = struct.unpack_from("<I", data, at + 12)[0]
        if name_rva == 0:
            break
        start = offset(name_rva)
        names.add(data[start:data.index(b"\0", start)].decode("ascii", "replace").lower())
        at += 20
    return names


class Binary:
    """One suite binary and the programs it starts (unsafe_*_trials.exe)."""

    def __init__(self, name, api, path: pathlib.Path):
        self.name, self.api, self.path = name, api, path
        # Programs it starts from its own directory, and the DLLs it loads from there (vcpkg's on
        # Windows), never a winhttp.dll or wininet.dll: that place is the fault's.
        self.companions = sorted(p for p in path.parent.glob(f"{name}_*.exe"))
        self.companions += sorted(p for p in path.parent.glob("*.dll")
                                  if p.name.lower() not in ("winhttp.dll", "wininet.dll"))
        self.imports_api = f"{api}.dll" in pe_imports(path)
        self.tests = []  # filled by listing


def suite_binaries(manifest_path: pathlib.Path):
    binaries = []
    for s in json.loads(manifest_path.read_text()):
        api = s["label"] if s["label"] in ("winhttp", "wininet") else next(
            (a for a in ("winhttp", "wininet") if s["name"].endswith(a)), None)
        if api is not None:
            binaries.append(Binary(s["name"], api, pathlib.Path(s["path"])))
    return binaries


# ---- running -------------------------------------------------------------------------------

class Lane:
    """Where a job's processes run: on Linux one private Wine prefix with its own wineserver."""

    def __init__(self, index, source: pathlib.Path, work: pathlib.Path, main_prefix):
        self.index = index
        self.wine_run = []
        if main_prefix:
            self.prefix = work / f"prefix-{index}"
            main = pathlib.Path(main_prefix)
            stamp = self.prefix / ".hc-copied-from"
            # Copied again when Wine updated the original (not merely when its registry was saved).
            stamp_file = main / ".update-timestamp"
            want = f"{main}:" + (stamp_file.read_text().strip() if stamp_file.exists()
                                 else str((main / "system.reg").stat().st_mtime_ns))
            if not stamp.exists() or stamp.read_text() != want:
                if self.prefix.exists():
                    shutil.rmtree(self.prefix)
                shutil.copytree(main, self.prefix, symlinks=True, ignore=shutil.ignore_patterns("wineserver"))
                stamp.write_text(want)
            self.wine_run = [str(source / "scripts" / "wine-run"), "--prefix", str(self.prefix)]

    def start(self):
        if self.wine_run and subprocess.run(self.wine_run + ["--start"]).returncode != 0:
            sys.exit(f"run_faults.py: could not start the wineserver of {self.prefix}")

    def stop(self):
        if self.wine_run:
            subprocess.run(self.wine_run + ["--stop"])

    def win(self, p: pathlib.Path) -> str:
        return ("Z:" + str(p)) if self.wine_run else str(p)


class Invocation:
    """One run of one binary with a list of tests; per-test outcomes read from its output."""

    def __init__(self):
        self.results = {}  # test -> {"outcome", "end", "message"}
        self.running = None
        self.started = 0.0
        self.rc = None
        self.timed_out = False
        self.lines = []


def run_invocation(lane: Lane, exe: pathlib.Path, tests, env, json_out: pathlib.Path, log: pathlib.Path,
                   t0: float, timeout: float) -> Invocation:
    inv = Invocation()
    cmd = lane.wine_run + [str(exe), "--gtest_filter=" + ":".join(tests),
                           "--gtest_output=json:" + lane.win(json_out)]
    kwargs = {"start_new_session": True} if not IS_WINDOWS else {
        "creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=exe.parent,
                            **kwargs)
    current = []  # output lines of the test running now

    def read():
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            inv.lines.append(line)
            m = EVENT_RE.match(line)
            if not m:
                if inv.running:
                    current.append(line)
                continue
            kind, test = m.group(1), m.group(2)
            if kind == "RUN":
                inv.running = test
                inv.started = time.time()
                current.clear()
            elif test == inv.running:
                outcome = {"OK": "passed", "FAILED": "failed", "SKIPPED": "skipped"}[kind]
                inv.results[test] = {"outcome": outcome, "end": time.time() - t0, "span": (inv.started, time.time()),
                                     "message": first_failure(current) if outcome == "failed" else ""}
                inv.running = None

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        inv.rc = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        inv.timed_out = True
        kill_group(proc)
        inv.rc = proc.wait()
    reader.join(10)
    if inv.running:
        watchdog = any("[ WATCHDOG ]" in l for l in current) or inv.rc == WATCHDOG_EXIT
        outcome = "timeout" if inv.timed_out else "watchdog" if watchdog else "crashed"
        detail = (f"the runner's bound of {timeout:.0f} s per binary" if inv.timed_out else
                  "the suite's watchdog ended the process" if watchdog else f"the process ended (exit {inv.rc})")
        inv.results[inv.running] = {"outcome": outcome, "end": time.time() - t0, "span": (inv.started, time.time()),
                                    "message": detail + ": " + first_failure(current, watchdog)}
    log.write_text("\n".join(inv.lines) + "\n")
    return inv


def kill_group(proc):
    try:
        if IS_WINDOWS:
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True)
        else:
            os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def first_failure(lines, watchdog=False):
    """The first assertion message of a test's output (a few lines, shortened)."""
    for i, l in enumerate(lines):
        if (watchdog and "[ WATCHDOG ]" in l) or (not watchdog and "Failure" in l):
            text = " ".join(x.strip() for x in lines[i:i + 4] if x.strip())
            return text[:400]
    return " ".join(x.strip() for x in lines[-3:])[:400]


def read_markers(path: pathlib.Path):
    if not path.exists():
        return []
    out = []
    for line in path.read_text(errors="replace").splitlines():
        m = MARKER_RE.match(line.strip())
        if m:
            out.append({"fault": m.group(1), "event": m.group(2), "pid": m.group(3),
                        "detail": m.group(4).strip(), "exe": m.group(5).strip()})
    return out


def exe_name(windows_path: str) -> str:
    return windows_path.replace("\\", "/").rsplit("/", 1)[-1].lower()


class Runner:
    def __init__(self, args):
        self.args = args
        self.source = args.source.resolve()
        self.build = args.build.resolve()
        paths_file = self.build / f"hc_paths-{args.config}.json"
        if not paths_file.exists():
            sys.exit(f"run_faults.py: {paths_file} not found: configure and build first (scripts/conformance faults)")
        self.paths = json.loads(paths_file.read_text())
        self.work = self.build / "faults"
        self.work.mkdir(parents=True, exist_ok=True)
        suites_manifest = pathlib.Path(self.paths["suites_manifest"])
        self.binaries = suite_binaries(suites_manifest)
        dlls_file = suites_manifest.parent / f"faults-{args.config}.json"
        if not dlls_file.exists():
            sys.exit(f"run_faults.py: {dlls_file} not found: build the faults (the Windows half builds them)")
        self.dlls = {d["id"]: pathlib.Path(d["dll"]) for d in json.loads(dlls_file.read_text())}
        self.port_file = self.work / "run" / "localserver.json"
        self.lock = threading.Lock()
        self.baseline = {}  # test -> result
        self.baseline_props = {}
        self.invocation_count = {}  # job -> invocations so far (their files' names)

    # -- environment
    def env(self, lane: Lane, api, marker: pathlib.Path):
        env = dict(os.environ)
        env["HC_LOCALSERVER_FILE"] = lane.win(self.port_file)
        env["HC_FAULT_MARKER"] = lane.win(marker)
        if lane.wine_run:
            env["WINEDLLOVERRIDES"] = f"mscoree,mshtml=;{api}=n,b"
            env.setdefault("WINEDEBUG", "-all")
        return env

    # -- per-directory copies
    def stage(self, name, binaries, dll):
        d = self.work / "bin" / name
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
        for b in binaries:
            for p in [b.path] + b.companions:
                if (d / p.name).exists():
                    continue  # a DLL two binaries share
                try:
                    os.link(p, d / p.name)
                except OSError:
                    shutil.copy2(p, d / p.name)
        if dll is not None:
            shutil.copy2(dll, d / dll.name)
        return d

    def list_tests(self, lane: Lane):
        for b in self.binaries:
            out = subprocess.run(lane.wine_run + [str(b.path), "--gtest_list_tests"], capture_output=True,
                                 text=True, errors="replace", env=self.env(lane, b.api, self.work / "list.marker"),
                                 timeout=120).stdout
            suite = None
            for line in out.splitlines():
                if not line.strip() or line.startswith("["):
                    continue
                if not line.startswith(" "):
                    suite = line.split("#")[0].strip()
                elif suite:
                    b.tests.append(suite + line.split("#")[0].strip())

    # -- one binary, rerun past a test that ends the process
    def run_binary(self, lane, job, b: Binary, tests, directory, t0, deadline):
        results, invocations = {}, []
        remaining = list(tests)
        while remaining:
            if time.time() > deadline:
                for t in remaining:
                    results[t] = {"outcome": "not_run", "end": time.time() - t0,
                                  "message": "the fault's time budget was spent"}
                break
            with self.lock:
                self.invocation_count[job] = self.invocation_count.get(job, 0) + 1
                stem = f"{b.name}-{self.invocation_count[job]}"
            out = self.work / "out" / job
            out.mkdir(parents=True, exist_ok=True)
            marker = out / f"{stem}.marker"
            marker.unlink(missing_ok=True)
            json_out = out / f"{stem}.json"
            json_out.unlink(missing_ok=True)
            inv = run_invocation(lane, directory / b.path.name, remaining, self.env(lane, b.api, marker), json_out,
                                 out / f"{stem}.log", t0, min(self.args.binary_timeout, max(5, deadline - time.time())))
            inv.marker = marker
            inv.json = json_out
            inv.binary = b
            invocations.append(inv)
            fires = [int(m) / 1000 for m in re.findall(r"event=fired pid=\d+ t=(\d+)",
                                                        marker.read_text(errors="replace"))] if marker.exists() else []
            for r in inv.results.values():
                if "span" in r:  # the fault acted while the test ran (a little slack for the clocks)
                    r["fired"] = any(r["span"][0] - 0.5 <= t <= r["span"][1] + 0.5 for t in fires)
            results.update(inv.results)
            left = [t for t in remaining if t not in inv.results]
            if left and inv.rc in (0, 1) and not inv.timed_out and not inv.running:
                for t in left:  # the binary ended normally without running them
                    results[t] = {"outcome": "not_run", "end": time.time() - t0,
                                  "message": f"not run by the binary (exit {inv.rc})"}
                left = []
            if len(left) == len(remaining):  # nothing progressed: do not loop
                for t in left:
                    results[t] = {"outcome": "crashed", "end": time.time() - t0,
                                  "message": f"the binary ended before running it (exit {inv.rc})"}
                left = []
            remaining = left
        return results, invocations

    def properties(self, invocations):
        """test -> {property: value} from the GoogleTest JSON files that were written."""
        props = {}
        standard = {"name", "file", "line", "status", "result", "timestamp", "time", "classname", "failures"}
        for inv in invocations:
            if not inv.json.exists():
                continue
            try:
                data = json.loads(inv.json.read_text())
            except json.JSONDecodeError:
                continue
            for s in data.get("testsuites", []):
                for t in s.get("testsuite", []):
                    props[f"{s['name']}.{t['name']}"] = {k: v for k, v in t.items() if k not in standard}
        return props

    # -- marker check
    def load_problems(self, fid, invocations):
        problems, fired, processes = [], 0, set()
        for inv in invocations:
            marks = read_markers(inv.marker)
            if fid is None:  # baseline: nothing may have loaded
                if marks:
                    problems.append(f"{inv.binary.name}: a fault proxy loaded into the baseline ({marks[0]['fault']})")
                continue
            others = {m["fault"] for m in marks if m["fault"] != fid}
            if others:
                problems.append(f"{inv.binary.name}: markers of another fault ({', '.join(sorted(others))})")
            attach = [m for m in marks if m["fault"] == fid and m["event"] == "attach"]
            bad = [m for m in attach if m["detail"].startswith("real=error")]
            if bad:
                problems.append(f"{inv.binary.name}: the proxy could not load the real DLL ({bad[0]['detail']})")
            own = [m for m in attach if exe_name(m["exe"]) == inv.binary.path.name.lower()]
            if inv.binary.imports_api and not own:
                problems.append(f"{inv.binary.name}: no load marker of {fid} from {inv.binary.path.name} "
                                f"({len(marks)} marker lines in {inv.marker})")
            if not inv.binary.imports_api and inv.results and not attach:
                problems.append(f"{inv.binary.name}: none of the programs it started loaded {fid}")
            if any(m["event"] == "died" for m in marks if m["fault"] == fid):
                problems.append(f"{inv.binary.name}: an export the real DLL lacks was called")
            processes |= {m["pid"] + m["exe"] for m in attach}
            at_exit, so_far = {}, {}  # process -> times fired: its total at exit, or the last count seen
            for m in marks:
                key = m["pid"] + m["exe"]
                if m["fault"] == fid and m["event"] == "detach":
                    at_exit[key] = int(re.search(r"fired=(\d+)", m["detail"]).group(1))
                elif m["fault"] == fid and m["event"] == "fired":
                    count = re.search(r"count=(\d+)", m["detail"])
                    so_far[key] = max(so_far.get(key, 0), int(count.group(1)) if count else 1)
            fired += sum(at_exit.values()) + sum(n for k, n in so_far.items() if k not in at_exit)
        return problems, fired, len(processes)

    # -- jobs
    def baseline_job(self, lane, b: Binary):
        d = self.work / "bin" / "_baseline"
        t0 = time.time()
        results, invocations = self.run_binary(lane, "_baseline", b, b.tests, d, t0, t0 + 3600)
        problems, _, _ = self.load_problems(None, invocations)
        with self.lock:
            self.baseline.update(results)
            self.baseline_props.update(self.properties(invocations))
        return problems, time.time() - t0

    def fault_job(self, lane, f, control=False):
        fid, api = f["id"], f["api"]
        t0 = time.time()
        for old in (fid, fid + "-confirm", fid + "-again"):
            shutil.rmtree(self.work / "out" / old, ignore_errors=True)
        api_binaries = [b for b in self.binaries if b.api == api]
        directory = self.stage(fid, api_binaries, self.dlls[fid])
        deadline = t0 + self.args.budget
        everything = [(b, t) for b in api_binaries for t in b.tests]
        if control or self.args.full:
            phases = [everything]
        else:
            # The expected tests, then the statement's other tests, then the rest of the API.
            expected = set(f["expected_tests"])
            statement = set(self.catalogue_tests.get(f["breaks"], [])) - expected
            phases = [[(b, t) for b, t in everything if t in expected],
                      [(b, t) for b, t in everything if t in statement],
                      [(b, t) for b, t in everything if t not in expected | statement]]
        results, invocations, flaky = {}, [], {}
        for phase in phases:
            for b in api_binaries:
                tests = [t for bb, t in phase if bb is b]
                if tests:
                    r, inv = self.run_binary(lane, fid, b, tests, directory, t0, deadline)
                    results.update(r)
                    invocations += inv
            if self.load_problems(fid, invocations)[0]:
                break  # not loaded: nothing more to learn
            flaky.update(self.confirm(lane, fid, results, flaky, control))
            if not control and not self.args.full and self.caught(results, flaky):
                break
        seconds = time.time() - t0
        problems, fired, processes = self.load_problems(fid, invocations)
        return {"results": results, "props": self.properties(invocations), "problems": problems, "fired": fired,
                "processes": processes, "seconds": seconds, "tests_run": len(results), "flaky": flaky}

    def confirm(self, lane, job, results, known, control):
        """Suspects that are not the kit's doing (test -> outcome): a catching test that fails once more
        without the fault; for a control, also a failing test that passes when run once more with the
        control loaded (an intermittent failure the forwarding kit did not cause)."""
        suspects = self.failing(results, known) if control else self.caught(results, known)
        flaky = {}
        for b in self.binaries:
            tests = [t for t in suspects if t in b.tests]
            if not tests:
                continue
            r, _ = self.run_binary(lane, job + "-confirm", b, tests, self.work / "bin" / "_baseline", time.time(),
                                   time.time() + self.args.budget)
            flaky.update({t: r[t]["outcome"] for t in tests if r.get(t, {}).get("outcome") != "passed"})
            if control:
                again = [t for t in tests if t not in flaky]
                if again:
                    r, _ = self.run_binary(lane, job + "-again", b, again, self.work / "bin" / job, time.time(),
                                           time.time() + self.args.budget)
                    flaky.update({t: f"{results[t]['outcome']} once, passed when repeated with the kit"
                                  for t in again if r.get(t, {}).get("outcome") == "passed"})
        return flaky

    def failing(self, results, flaky=None):
        """Tests that failed here and pass without a fault (baseline, and once more if asked)."""
        return sorted(t for t, r in results.items()
                      if r["outcome"] not in ("passed", "skipped", "not_run") and t not in (flaky or {})
                      and self.baseline.get(t, {}).get("outcome") == "passed")

    def caught(self, results, flaky=None):
        """Of those, the ones during which the fault acted: a test the fault never touched is no catch."""
        return [t for t in self.failing(results, flaky) if results[t].get("fired", False)]

    # -- verdicts
    def verdict(self, f, run):
        expected = f["expected_tests"]
        caught = self.caught(run["results"], run["flaky"])
        flaky = (f"; failing without the fault too when repeated (not counted): "
                 f"{', '.join(f'{t} {o}' for t, o in sorted(run['flaky'].items()))}" if run["flaky"] else "")
        untouched = [t for t in self.failing(run["results"], run["flaky"]) if t not in caught]
        if untouched:
            flaky += f"; failed while the fault did not act during them (not counted): {', '.join(untouched)}"
        firing = (f"the fault fired {run['fired']} times in {run['processes']} processes"
                  if run["fired"] else "the fault never fired: no test reached the behaviour it breaks")
        entry = {"id": f["id"], "api": f["api"], "breaks": f["breaks"], "description": f["description"],
                 "expected_tests": expected, "caught_by": caught, "seconds": round(run["seconds"], 1)}
        if run["problems"]:
            entry.update(verdict="not_loaded", caught_by=[], evidence="; ".join(dict.fromkeys(run["problems"])))
            return entry
        if caught:
            first = min(run["results"][t]["end"] for t in caught)
            how = "; ".join(f"{t}: {run['results'][t]['outcome']}: {run['results'][t]['message']}"[:300]
                            for t in caught[:3])
            missed = [t for t in expected if t not in caught]
            entry.update(verdict="caught", detection_seconds=round(first, 1),
                         evidence=f"{firing}; {how}" + (f"; expected but not failing: {', '.join(missed)}" if missed else "")
                         + flaky)
            return entry
        unexpected_baseline = [t for t in expected if self.baseline.get(t, {}).get("outcome") != "passed"]
        changed = self.property_changes(expected, run["props"])
        already = self.already_so(f.get("not_observable_if", {}))
        if already:
            entry.update(verdict="not_observable",
                         evidence=f"{firing}; without the fault {already}"
                                  + (f"; recorded figures changed: {changed}" if changed else "") + flaky)
            return entry
        statuses = ", ".join(f"{t} {run['results'].get(t, {}).get('outcome', 'not run')}" for t in expected)
        text = f"{firing}; {run['tests_run']} tests run, none failed that passes without the fault; {statuses}"
        if unexpected_baseline:
            text += f"; failing without the fault too (cannot catch): {', '.join(unexpected_baseline)}"
        if changed:
            text += f"; recorded figures changed without a failure: {changed}"
        entry.update(verdict="survived", evidence=text + flaky)
        return entry

    def already_so(self, condition):
        """Why the implementation already behaves as the fault would make it (from the baseline), or ""."""
        test = condition.get("known_divergence")
        if test and self.baseline_props.get(test, {}).get("hc_verdict") == "known_divergence":
            return (f"{test} is already a known divergence here: "
                    f"{self.baseline_props[test].get('hc_divergence_reason', '')}")
        rec = condition.get("recorded")
        if rec:
            raw = self.baseline_props.get(rec["test"], {}).get(rec["property"])
            try:
                value = json.loads(raw).get(rec["key"]) if isinstance(raw, str) else None
            except (json.JSONDecodeError, AttributeError):
                value = None
            if value is not None and value == rec["equals"]:
                return f"{rec['test']} records {rec['property']}.{rec['key']} = {value}: {raw}"
        return ""

    def property_changes(self, tests, props):
        out = []
        for t in tests:
            before, after = self.baseline_props.get(t, {}), props.get(t, {})
            for k in sorted(set(before) | set(after)):
                if k.startswith("hc_") and before.get(k) != after.get(k) and k not in ("hc_ids",):
                    out.append(f"{t} {k}: {shorten(before.get(k))} -> {shorten(after.get(k))}")
        return "; ".join(out)[:1500]

    def run(self, selected):
        manifest = load_manifest(self.source)
        catalogue = json.loads((self.source / "suites" / "catalogue.json").read_text())
        self.catalogue_tests = {s["id"]: s["tests"] for s in catalogue["statements"]}
        faults = [f for f in manifest["faults"] if not selected or f["id"] in selected]
        apis = {f["api"] for f in faults}
        controls = [c for c in manifest["controls"] if c["api"] in apis and not self.args.no_controls]
        missing = [f["id"] for f in faults + controls if f["id"] not in self.dlls]
        if missing:
            sys.exit(f"run_faults.py: no DLL built for {', '.join(missing)}: rebuild (scripts/conformance faults)")
        self.binaries = [b for b in self.binaries if b.api in apis]
        started = time.time()
        lanes = [Lane(i + 1, self.source, self.work, self.paths["wine_prefix"]) for i in range(self.args.lanes)]
        server = self.paths["localserver"]
        self.port_file.parent.mkdir(parents=True, exist_ok=True)
        for lane in lanes:
            lane.start()
        if subprocess.run([server, "--detach", "--port-file", str(self.port_file), "--log-file",
                           str(self.port_file.parent / "localserver.log"), "--max-lifetime-s", "3600"]).returncode:
            sys.exit("run_faults.py: could not start localserver")
        try:
            return self.run_all(lanes, faults, controls, started)
        finally:
            subprocess.run([server, "--stop", "--port-file", str(self.port_file)], capture_output=True)
            for lane in lanes:
                lane.stop()

    def previous_seconds(self):
        try:
            previous = json.loads((self.work / "faults.json").read_text())
        except (OSError, json.JSONDecodeError):
            return {}
        return {e["id"]: float(e.get("seconds", 30)) for e in previous.get("faults", []) + previous.get("controls", [])}

    def run_all(self, lanes, faults, controls, started):
        say(f"{len(faults)} faults, {len(controls)} controls, {len(lanes)} lanes; listing the tests")
        self.list_tests(lanes[0])
        self.stage("_baseline", self.binaries, None)
        shutil.rmtree(self.work / "out" / "_baseline", ignore_errors=True)
        idle = list(lanes)
        idle_lock = threading.Lock()

        def on_lane(fn, *a):
            with idle_lock:
                lane = idle.pop()
            try:
                return fn(lane, *a)
            finally:
                with idle_lock:
                    idle.append(lane)

        errors = []
        with concurrent.futures.ThreadPoolExecutor(len(lanes)) as pool:
            t0 = time.time()
            for problems, _ in pool.map(lambda b: on_lane(self.baseline_job, b), self.binaries):
                errors += problems
            failing = sorted(t for t, r in self.baseline.items() if r["outcome"] not in ("passed", "skipped"))
            say(f"baseline: {len(self.baseline)} tests in {time.time() - t0:.0f} s, "
                f"{len(failing)} failing without any fault" + (f" ({', '.join(failing)})" if failing else ""))
            for t in failing:
                say(f"  {t}: {self.baseline[t]['outcome']}: {shorten(self.baseline[t].get('message'), 400)}")
            # Longest first (by the previous run's times), so that no long fault starts last.
            estimate = self.previous_seconds()
            jobs = [("control", c) for c in controls] + [("fault", f) for f in faults]
            jobs.sort(key=lambda j: -estimate.get(j[1]["id"], 30.0))
            futures = {}
            for kind, f in jobs:
                futures[pool.submit(on_lane, self.fault_job, f, kind == "control")] = (kind, f)
            entries, control_entries = {}, {}
            for fut in concurrent.futures.as_completed(futures):
                kind, f = futures[fut]
                run = fut.result()
                if kind == "control":
                    disturbed = self.failing(run["results"], run["flaky"])
                    control_entries[f["id"]] = {
                        "id": f["id"], "api": f["api"], "description": f["description"],
                        "verdict": "not_loaded" if run["problems"] else "disturbed" if disturbed else "clean",
                        "failed": disturbed, "seconds": round(run["seconds"], 1),
                        "evidence": "; ".join(run["problems"]) or (
                            f"{run['tests_run']} tests run, " + (f"{len(disturbed)} fail only with the kit loaded"
                                                                  if disturbed else "all as without it")
                            + (f"; not the kit's doing when repeated: "
                               f"{', '.join(f'{t} ({o})' for t, o in sorted(run['flaky'].items()))}"
                               if run["flaky"] else ""))}
                    say(f"control {f['id']}: {control_entries[f['id']]['verdict']} ({run['seconds']:.0f} s)")
                    for t in disturbed + sorted(run["flaky"]):
                        r = run["results"][t]
                        say(f"  {t}: {r['outcome']}: {shorten(r.get('message'), 400)}"
                            + (f" ({run['flaky'][t]}: not counted)" if t in run["flaky"] else ""))
                else:
                    entries[f["id"]] = self.verdict(f, run)
                    e = entries[f["id"]]
                    say(f"{e['id']}: {e['verdict']} in {e['seconds']:.0f} s"
                        + (f" by {', '.join(e['caught_by'][:2])}" if e["caught_by"] else ""))
        ordered = [entries[f["id"]] for f in faults]
        detected = [e for e in ordered if e["verdict"] == "caught"]
        slowest = max(detected, key=lambda e: e["detection_seconds"], default=None)
        result = {
            "implementation": implementation(),
            "started": datetime.datetime.fromtimestamp(started, datetime.timezone.utc).isoformat(),
            "total_seconds": round(time.time() - started, 1),
            "lanes": len(lanes),
            "mode": "full" if self.args.full else "targeted",
            "baseline_failing": sorted(t for t, r in self.baseline.items() if r["outcome"] != "passed"),
            "slowest_detection": {"id": slowest["id"], "seconds": slowest["detection_seconds"]} if slowest else None,
            "errors": errors,
            "controls": [control_entries[c["id"]] for c in controls],
            "faults": ordered,
        }
        out = self.args.out or self.work / "faults.json"
        out.write_text(json.dumps(result, indent=2) + "\n")
        print_table(result)
        print(f"[faults] written to {out}")
        bad = [e for e in ordered if e["verdict"] in ("survived", "not_loaded")]
        bad += [c for c in result["controls"] if c["verdict"] != "clean"]
        return 1 if bad or errors else 0


def shorten(v, n=160):
    s = "none" if v is None else str(v)
    return s if len(s) <= n else s[:n] + "..."


def implementation():
    if IS_WINDOWS:
        return f"Windows {platform.version()} (winhttp.dll, wininet.dll of the system)"
    try:
        return subprocess.run(["wine", "--version"], capture_output=True, text=True).stdout.strip() or "wine"
    except OSError:
        return "wine"


def say(text):
    print(f"[faults] {text}", flush=True)


def print_table(result):
    rows = [("fault", "breaks", "verdict", "seconds", "caught by")]
    for e in result["faults"]:
        by = e["caught_by"][0] + (f" (+{len(e['caught_by']) - 1})" if len(e["caught_by"]) > 1 else "") \
            if e["caught_by"] else "-"
        secs = f"{e.get('detection_seconds', e['seconds']):.1f}" if e["verdict"] == "caught" else f"{e['seconds']:.1f}"
        rows.append((e["id"], e["breaks"], e["verdict"], secs, by))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4])
    counts = {}
    for e in result["faults"]:
        counts[e["verdict"]] = counts.get(e["verdict"], 0) + 1
    print(", ".join(f"{n} {v}" for v, n in sorted(counts.items())) +
          f"; controls: {', '.join(c['id'] + ' ' + c['verdict'] for c in result['controls']) or 'none'}"
          f"; total {result['total_seconds']:.0f} s"
          + (f"; slowest detection {result['slowest_detection']['id']} "
             f"{result['slowest_detection']['seconds']:.1f} s" if result["slowest_detection"] else ""))
    print("(seconds: detection time for a caught fault, the fault's whole run otherwise)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="FAULT: a fault id of faults/faults.json (default: all). "
                                        "--list prints them.")
    ap.add_argument("--build", type=pathlib.Path, help="build tree (build/wine, build/windows)")
    ap.add_argument("--source", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parent.parent)
    ap.add_argument("--config", default="Release")
    # One lane per core: with more, Wine 8.0's TLS clients under 64 threads stall past the server's
    # limits (handshakes given up, SEC_E_INTERNAL_ERROR) and the baseline itself fails. At most 4:
    # each lane copies the Wine prefix (about 700 MB).
    ap.add_argument("--lanes", type=int, default=min(4, max(2, os.cpu_count() or 2)),
                    help="faults run at once, each lane with its own Wine prefix (default: one per core, 2 to 4)")
    ap.add_argument("--full", action="store_true", help="run every test of the API for every fault")
    ap.add_argument("--budget", type=float, default=300, help="seconds one fault may take (default 300)")
    ap.add_argument("--binary-timeout", type=float, default=240,
                    help="seconds one binary may run before it is killed (default 240)")
    ap.add_argument("--no-controls", action="store_true", help="skip the control proxies")
    ap.add_argument("--out", type=pathlib.Path, help="result file (default BUILD/faults/faults.json)")
    ap.add_argument("--list", action="store_true", help="list the faults and exit")
    ap.add_argument("--check-manifest", action="store_true",
                    help="check faults.json against the catalogue and the sources, and exit")
    ap.add_argument("--check-names", action="store_true", help="only check the FAULT names, and exit")
    ap.add_argument("faults", nargs="*", metavar="FAULT")
    args = ap.parse_args()
    source = args.source.resolve()
    manifest = load_manifest(source)
    known = [f["id"] for f in manifest["faults"]]
    unknown = [f for f in args.faults if f not in known]
    if unknown:
        fail_usage(ap, f"unknown fault {', '.join(unknown)}; known: {', '.join(known)}")
    if args.lanes < 1:
        fail_usage(ap, "--lanes must be at least 1")
    if args.list:
        for f in manifest["faults"]:
            print(f"{f['id']:42} {f['api']:8} {f['breaks']:28} {f['description']}")
        return 0
    if args.check_manifest:
        problems = check_manifest(source)
        for p in problems:
            print(f"faults.json: {p}", file=sys.stderr)
        if not problems:
            print(f"faults.json: {len(manifest['faults'])} faults and {len(manifest['controls'])} controls in step")
        return 1 if problems else 0
    if args.check_names:
        return 0
    if args.build is None:
        fail_usage(ap, "--build is required")
    return Runner(args).run(set(args.faults))


if __name__ == "__main__":
    sys.exit(main())
