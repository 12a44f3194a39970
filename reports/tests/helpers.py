"""Shared by the report's unit tests: where the fixtures are, running the generator, and the
generated files parsed."""
import contextlib
import io
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

TESTS = pathlib.Path(__file__).resolve().parent
REPORTS = TESTS.parent
DATA = TESTS / "data"
CATALOGUE = DATA / "catalogue.json"
PROJECT_CATALOGUE = REPORTS.parent / "suites" / "catalogue.json"
SCRIPT = REPORTS / "make_report.py"

sys.path.insert(0, str(REPORTS))
from hcreport import cli  # noqa: E402
from dom import Page  # noqa: E402


class ReportCase(unittest.TestCase):
    """Creates a scratch directory per test; generate() runs the generator in-process."""

    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="hc-report-test-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def main(self, *argv):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                rc = cli.main([str(a) for a in argv])
            except SystemExit as e:  # argparse
                rc = e.code
        return rc, out.getvalue(), err.getvalue()

    def generate(self, fixture, catalogue=CATALOGUE, out=None):
        out = out or self.tmp / "out"
        results = fixture if isinstance(fixture, pathlib.Path) else DATA / fixture
        rc, stdout, stderr = self.main("--results", results, "--catalogue", catalogue, "--out", out)
        self.assertEqual(rc, 0, stdout + stderr)
        return Report(out)

    def run_script(self, *argv, flags=(), env=None):
        """make_report.py run by this Python (with interpreter flags)."""
        return subprocess.run([sys.executable, *flags, str(SCRIPT), *map(str, argv)], capture_output=True,
                              text=True, timeout=60, env=env)


class Report:
    """One generated report: its three files, parsed."""

    def __init__(self, out):
        self.out = out
        self.html = (out / "index.html").read_text(encoding="utf-8")
        self.page = Page(self.html)
        self.doc = self.page.root
        self.results = json.loads((out / "results.json").read_text(encoding="utf-8"))
        self.junit = ET.parse(out / "junit.xml").getroot()

    def verdicts(self):
        return {s["id"]: s["verdict"] for s in self.results["statements"]}

    def statement(self, sid):
        return next(s for s in self.results["statements"] if s["id"] == sid)

    def tests(self):
        return {f"{t['suite']}:{t['name']}" if t["suite"] else t["name"]: t for t in self.results["tests"]}

    def suite(self, name):
        return next(s for s in self.results["suites"] if s["name"] == name)

    def section(self, sid):
        return self.doc.find("section", id_=sid)

    def row(self, id_):
        return self.doc.find("tr", id_=id_)
