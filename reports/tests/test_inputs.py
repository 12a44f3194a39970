"""Reading the inputs: GoogleTest results, logs, exit statuses, the catalogue, the command line
and the Jinja2 dependency."""
import json
import os
import unittest

from helpers import CATALOGUE, DATA, PROJECT_CATALOGUE, ReportCase
from hcreport.catalogue import load_catalogue
from hcreport.exit_status import describe_exit
from hcreport.gtest_log import parse_log
from hcreport.model import classify
from hcreport.text import clean_text, failure_summary, parse_seconds


class ClassifyTest(unittest.TestCase):
    def t(self, **kw):
        base = {"name": "T", "status": "RUN", "result": "COMPLETED", "time": "0.1s", "classname": "S"}
        base.update(kw)
        return classify(base)[0]

    def test_results(self):
        self.assertEqual(self.t(), "pass")
        self.assertEqual(self.t(failures=[{"failure": "x"}]), "fail")
        self.assertEqual(self.t(result="SKIPPED"), "not_run")
        self.assertEqual(self.t(status="NOTRUN", result="SUPPRESSED"), "not_run")
        self.assertEqual(self.t(hc_verdict="known_divergence"), "known_divergence")
        self.assertEqual(self.t(hc_verdict="unexpected_pass", failures=[{"failure": "x"}]), "unexpected_pass")
        self.assertEqual(classify({"status": "NOTRUN"}), ("not_run", "disabled"))
        self.assertEqual(classify({"result": "SKIPPED"}), ("not_run", "skipped"))
        self.assertEqual(classify({"result": "SKIPPED", "hc_not_run_reason": "not elevated: run as administrator"}),
                         ("not_run", "skipped: not elevated: run as administrator"))

    def test_a_failure_beside_a_known_divergence_is_a_failure(self):
        self.assertEqual(self.t(hc_verdict="known_divergence", failures=[{"failure": "x"}]), "fail")
        self.assertEqual(self.t(hc_verdict="unexpected_pass",
                                failures=[{"failure": "unexpected pass"}, {"failure": "other"}]), "fail")


class ExitStatusTest(unittest.TestCase):
    def d(self, code, duration=12.0, has_json=False):
        return describe_exit(code, duration, has_json)

    def test_normal(self):
        self.assertEqual(self.d(0, has_json=True)[0], "ok")
        self.assertEqual(self.d(1, has_json=True), ("failed", "exit code 1 (tests failed)"))
        self.assertEqual(self.d(None, has_json=True), ("unknown", "exit status not recorded"))

    def test_crashes(self):
        self.assertEqual(self.d(3221225477), ("crashed", "crashed (exit code 0xC0000005, access violation)"))
        self.assertEqual(self.d(-1073741819)[1], "crashed (exit code 0xC0000005, access violation)")
        self.assertEqual(self.d(-11), ("crashed", "crashed (killed by SIGSEGV)"))
        self.assertEqual(self.d(3), ("crashed", "crashed (exit code 3, no results written)"))
        self.assertEqual(self.d(0xC0001234), ("crashed", "crashed (exit code 0xC0001234)"))
        self.assertEqual(self.d(0)[0], "error")
        self.assertEqual(self.d("boom"), ("error", "exit status 'boom'"))

    def test_hangs(self):
        self.assertEqual(self.d("timeout", 600.0), ("hung", "hung (killed after 600 s)"))
        self.assertEqual(self.d("timeout", None), ("hung", "hung (killed by the runner)"))
        self.assertEqual(self.d(86)[0], "hung")
        self.assertIn("hang detector", self.d(86)[1])
        self.assertEqual(self.d(86, has_json=True)[0], "hung")

    def test_a_known_crash_with_tests_left(self):
        status, text = self.d(87, has_json=True)
        self.assertEqual(status, "crashed")
        self.assertIn("a marked divergence names, with tests left", text)


class LogTest(unittest.TestCase):
    def test_parses_gtest_output_with_crlf_and_finds_the_running_test(self):
        text = clean_text(
            "[ RUN      ] A.One\r\n[       OK ] A.One (3 ms)\r\n[ RUN      ] A.Two\r\nboom\r\n"
            "[  FAILED  ] A.Two (7 ms)\r\n[ RUN      ] A.Three\r\n[ KNOWN DIVERGENCE ] r\r\n"
            "[       OK ] A.Three (1 ms)\r\n[ RUN      ] A.Four\r\nwine: Unhandled page fault\r\n"
            "[  FAILED  ] A.Two\r\n")
        tests = parse_log(text)
        self.assertEqual(tests["A.One"].outcome, "OK")
        self.assertEqual(tests["A.One"].ms, 3)
        self.assertFalse(tests["A.One"].divergence)
        self.assertEqual(tests["A.Two"].outcome, "FAILED")
        self.assertEqual(tests["A.Two"].lines, ["boom"])
        self.assertTrue(tests["A.Three"].divergence)
        self.assertIsNone(tests["A.Four"].outcome)

    def test_a_run_without_its_end_keeps_the_next(self):
        tests = parse_log("[ RUN      ] A.One\nx\n[ RUN      ] A.Two\n[       OK ] A.Two (2 ms)\n")
        self.assertIsNone(tests["A.One"].outcome)
        self.assertEqual(tests["A.Two"].outcome, "OK")

    def test_clean_text_removes_control_characters_and_ansi_and_bounds_length(self):
        self.assertEqual(clean_text("a\x1b[1mb\x1b[0m\x00c\r\n"), "ab\ufffdc\n")
        self.assertEqual(clean_text("x" * 30, limit=10), "x" * 10 + "\n… (20 more characters)")

    def test_small_conversions(self):
        self.assertEqual(parse_seconds("0.25s"), 0.25)
        self.assertIsNone(parse_seconds("soon"))
        self.assertEqual(failure_summary("a.cpp:41: Failure\nExpected equality\nmore"), "Expected equality")
        self.assertEqual(failure_summary("just one line"), "just one line")


class CatalogueTest(ReportCase):
    def write(self, data):
        path = self.tmp / "catalogue.json"
        path.write_text(data if isinstance(data, str) else json.dumps(data))
        return path

    def test_missing_catalogue_is_a_clear_error(self):
        rc, _, err = self.main("--results", DATA / "pass", "--catalogue", self.tmp / "nope.json",
                               "--out", self.tmp / "out")
        self.assertEqual(rc, 1)
        self.assertIn("catalogue not found", err)
        self.assertFalse((self.tmp / "out").exists(), "nothing half-made")

    def test_malformed_catalogues(self):
        cases = {
            "{not json": "not valid JSON",
            json.dumps([1, 2]): "\"statements\" list",
            json.dumps({"statements": [{"id": "X"}]}): "statements[0] has no \"statement\"",
            json.dumps({"statements": [{"id": "X", "statement": "s"}, {"id": "X", "statement": "t"}]}):
                "duplicate id X",
            json.dumps({"statements": [{"id": "X", "statement": "s", "tests": "A.B"}]}): "\"tests\" must be",
        }
        for text, message in cases.items():
            with self.subTest(message=message):
                rc, _, err = self.main("--results", DATA / "pass", "--catalogue", self.write(text),
                                       "--out", self.tmp / "out")
                self.assertEqual(rc, 1)
                self.assertIn("catalogue", err)
                self.assertIn(message, err)
                self.assertFalse((self.tmp / "out" / "index.html").exists())

    def test_the_project_catalogue_loads(self):
        version, statements = load_catalogue(PROJECT_CATALOGUE)
        self.assertGreater(len(statements), 0)
        self.assertTrue(all(s.id and s.statement for s in statements))


class CommandLineTest(ReportCase):
    def test_bad_arguments_exit_2_with_usage(self):
        for argv in ([], ["--results", DATA / "pass"], ["--results", DATA / "pass", "--catalogue", CATALOGUE],
                     ["--results", self.tmp / "missing", "--catalogue", CATALOGUE, "--out", self.tmp / "o"],
                     ["--compare", "a.json", "--out", self.tmp / "o"],
                     ["--compare", "a", "b", "--results", DATA / "pass", "--out", self.tmp / "o"],
                     ["--bogus"]):
            with self.subTest(argv=argv):
                p = self.run_script(*argv)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn("usage:", p.stderr)

    def test_writes_the_three_files_and_exits_0_even_when_tests_failed(self):
        out = self.tmp / "out"
        p = self.run_script("--results", DATA / "failed", "--catalogue", CATALOGUE, "--out", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("1 failed", p.stdout)
        for name in ("index.html", "junit.xml", "results.json"):
            self.assertTrue((out / name).stat().st_size > 0, name)

    def test_missing_jinja2_names_the_install_command(self):
        # -S -E: no site/dist-packages and no PYTHONPATH, so no Jinja2; the mark stops the retry with
        # Debian's Python.
        env = dict(os.environ, HC_REPORT_REEXEC="1")
        p = self.run_script("--results", DATA / "pass", "--catalogue", CATALOGUE, "--out", self.tmp / "o",
                            flags=["-S", "-E"], env=env)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("apt-get install python3-jinja2", p.stderr)
        self.assertIn("pip install -r reports/requirements.txt", p.stderr)
        self.assertFalse((self.tmp / "o").exists())

    def test_unreadable_suite_json_is_reported_not_fatal(self):
        d = self.tmp / "res"
        d.mkdir()
        (d / "bad.json").write_text('{"tests": 3, "testsuites": [')
        (d / "bad.log").write_text("[ RUN      ] A.B\r\n[       OK ] A.B (1 ms)\r\n")
        (d / "run.json").write_text(json.dumps({"suites": [
            {"name": "bad", "label": "winhttp", "exit_code": 0, "duration_s": 1, "json": "bad.json",
             "log": "bad.log"}]}))
        r = self.generate(d)
        s = r.suite("bad")
        self.assertIn("not valid JSON", s["json_error"])
        self.assertEqual(r.tests()["bad:A.B"]["result"], "pass")  # recovered from the log
        self.assertIn("not valid JSON", r.row("bin-bad").text())

    def test_a_directory_without_run_json_uses_the_gtest_files(self):
        d = self.tmp / "res"
        d.mkdir()
        for f in ("winhttp_a.json", "winhttp_a.log"):
            (d / f).write_bytes((DATA / "pass" / f).read_bytes())
        r = self.generate(d)
        self.assertEqual(r.verdicts()["G-PASS"], "holds")
        self.assertEqual(r.suite("winhttp_a")["status"], "unknown")
        self.assertIn("run.json was not found", r.doc.find("header").text())

    def test_a_malformed_implementation_is_a_note(self):
        d = self.tmp / "res"
        d.mkdir()
        run = json.loads((DATA / "pass" / "run.json").read_text())
        run["implementation"] = {"name": 10}
        (d / "run.json").write_text(json.dumps(run))
        for f in (DATA / "pass").glob("*.*"):
            if f.name != "run.json":
                (d / f.name).write_bytes(f.read_bytes())
        r = self.generate(d)
        self.assertIsNone(r.results["run"]["implementation"])
        self.assertIn("\"implementation\" is not an object of strings", r.doc.find("header").text())


if __name__ == "__main__":
    unittest.main()
