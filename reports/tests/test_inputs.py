"""Reading the inputs: GoogleTest results, logs, exit statuses, the catalogue, the command line."""
import json
import unittest

from helpers import CATALOGUE, DATA, ReportCase, make_report


class ClassifyTest(unittest.TestCase):
    def t(self, **kw):
        base = {"name": "T", "status": "RUN", "result": "COMPLETED", "time": "0.1s", "classname": "S"}
        base.update(kw)
        return make_report.classify(base)[0]

    def test_results(self):
        self.assertEqual(self.t(), "pass")
        self.assertEqual(self.t(failures=[{"failure": "x"}]), "fail")
        self.assertEqual(self.t(result="SKIPPED"), "not_run")
        self.assertEqual(self.t(status="NOTRUN", result="SUPPRESSED"), "not_run")
        self.assertEqual(self.t(hc_verdict="known_divergence"), "known_divergence")
        self.assertEqual(self.t(hc_verdict="unexpected_pass", failures=[{"failure": "x"}]), "unexpected_pass")

    def test_a_failure_beside_a_known_divergence_is_a_failure(self):
        self.assertEqual(self.t(hc_verdict="known_divergence", failures=[{"failure": "x"}]), "fail")
        self.assertEqual(self.t(hc_verdict="unexpected_pass",
                                failures=[{"failure": "unexpected pass"}, {"failure": "other"}]), "fail")


class StatementVerdictTest(unittest.TestCase):
    def v(self, results, kind="guarantee", testable=True):
        s = {"kind": kind, "testable": testable}
        tests = [{"result": r, "properties": {"hc_divergence_reason": f"reason {i}"}} for i, r in enumerate(results)]
        return make_report.statement_verdict(s, tests)

    def test_precedence(self):
        self.assertEqual(self.v([])["verdict"], "not_covered")
        self.assertEqual(self.v(["pass"], testable=False)["verdict"], "not_testable")
        self.assertEqual(self.v(["pass", "pass"])["verdict"], "holds")
        self.assertEqual(self.v(["pass"], kind="unsafe")["verdict"], "demonstrated")
        self.assertEqual(self.v(["pass", "fail", "unexpected_pass"])["verdict"], "violated")
        self.assertEqual(self.v(["pass", "unexpected_pass", "known_divergence"])["verdict"], "unexpected_pass")
        self.assertEqual(self.v(["pass", "known_divergence"])["verdict"], "known_divergence")
        self.assertEqual(self.v(["known_divergence", "not_run"])["verdict"], "incomplete")
        self.assertEqual(self.v(["pass", "not_run"])["verdict"], "incomplete")
        self.assertEqual(self.v(["not_run", "not_run"])["verdict"], "not_run")

    def test_reasons_come_from_divergent_tests_only(self):
        self.assertEqual(self.v(["pass", "known_divergence"])["reasons"], ["reason 1"])

    def test_unsafe_wording(self):
        self.assertEqual(make_report.verdict_label("holds", "guarantee"), "holds")
        self.assertEqual(make_report.verdict_label("violated", "unsafe"), "test failed")
        self.assertEqual(make_report.VERDICT_LABEL["demonstrated"], "demonstrated")


class ExitStatusTest(unittest.TestCase):
    def d(self, code, duration=12.0, has_json=False):
        return make_report.describe_exit(code, duration, has_json)

    def test_normal(self):
        self.assertEqual(self.d(0, has_json=True)[0], "ok")
        self.assertEqual(self.d(1, has_json=True), ("failed", "exit code 1 (tests failed)"))

    def test_crashes(self):
        self.assertEqual(self.d(3221225477), ("crashed", "crashed (exit code 0xC0000005, access violation)"))
        self.assertEqual(self.d(-1073741819)[1], "crashed (exit code 0xC0000005, access violation)")
        self.assertEqual(self.d(-11), ("crashed", "crashed (killed by SIGSEGV)"))
        self.assertEqual(self.d(3), ("crashed", "crashed (exit code 3, no results written)"))
        self.assertEqual(self.d(0)[0], "error")

    def test_hangs(self):
        self.assertEqual(self.d("timeout", 600.0), ("hung", "hung (killed after 600 s)"))
        self.assertEqual(self.d(86)[0], "hung")
        self.assertIn("hang detector", self.d(86)[1])
        self.assertEqual(self.d(86, has_json=True)[0], "hung")


class LogTest(unittest.TestCase):
    def test_parses_gtest_output_with_crlf_and_finds_the_running_test(self):
        text = make_report.clean_text(
            "[ RUN      ] A.One\r\n[       OK ] A.One (3 ms)\r\n[ RUN      ] A.Two\r\nboom\r\n"
            "[  FAILED  ] A.Two (7 ms)\r\n[ RUN      ] A.Three\r\n[ KNOWN DIVERGENCE ] r\r\n"
            "[       OK ] A.Three (1 ms)\r\n[ RUN      ] A.Four\r\nwine: Unhandled page fault\r\n"
            "[  FAILED  ] A.Two\r\n")
        tests = make_report.parse_log(text)
        self.assertEqual(tests["A.One"]["outcome"], "OK")
        self.assertEqual(tests["A.One"]["ms"], 3)
        self.assertEqual(tests["A.Two"]["outcome"], "FAILED")
        self.assertEqual(tests["A.Two"]["lines"], ["boom"])
        self.assertTrue(tests["A.Three"]["divergence"])
        self.assertIsNone(tests["A.Four"]["outcome"])

    def test_clean_text_removes_control_characters_and_ansi(self):
        self.assertEqual(make_report.clean_text("a\x1b[1mb\x1b[0m\x00c\r\n"), "ab\ufffdc\n")


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
        cat = make_report.load_catalogue(make_report.pathlib.Path(__file__).resolve().parents[2]
                                         / "suites" / "catalogue.json")
        self.assertGreater(len(cat["statements"]), 0)


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
        self.assertIn("not valid JSON", r.html)

    def test_a_directory_without_run_json_uses_the_gtest_files(self):
        d = self.tmp / "res"
        d.mkdir()
        for f in ("winhttp_a.json", "winhttp_a.log"):
            (d / f).write_bytes((DATA / "pass" / f).read_bytes())
        r = self.generate(d)
        self.assertEqual(r.verdicts()["G-PASS"], "holds")
        self.assertEqual(r.suite("winhttp_a")["status"], "unknown")
        self.assertIn("run.json was not found", r.html)


if __name__ == "__main__":
    unittest.main()
