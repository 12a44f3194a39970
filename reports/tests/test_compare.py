"""Compare mode: the statements whose verdicts differ between two runs' results.json."""
import json
import re
import unittest

from helpers import CATALOGUE, DATA, ReportCase

WINE_VS_WINDOWS = {  # statement: (Windows fixture, Wine fixture "full")
    "G-FAIL": ("holds", "violated"),
    "G-KD": ("holds", "known_divergence"),
    "G-UP": ("holds", "unexpected_pass"),
    "U-DEMO": ("not_covered", "demonstrated"),
    "L-CONN": ("not_covered", "holds"),
    "L-CONN-OVERRIDE": ("not_covered", "known_divergence"),
    "G-CACHE": ("not_covered", "holds"),
    "G-CRASHED": ("not_run", "violated"),
    "G-HUNG": ("not_run", "violated"),
}


class CompareTest(ReportCase):
    def results_of(self, fixture):
        out = self.tmp / fixture
        rc, stdout, stderr = self.main("--results", DATA / fixture, "--catalogue", CATALOGUE, "--out", out)
        self.assertEqual(rc, 0, stderr)
        return out / "results.json"

    def compare(self, a, b):
        out = self.tmp / "cmp"
        rc, stdout, stderr = self.main("--compare", a, b, "--out", out)
        return rc, stdout, stderr, out / "compare.html"

    def test_windows_against_wine(self):
        rc, text, err, page = self.compare(self.results_of("windows"), self.results_of("full"))
        self.assertEqual(rc, 0, err)
        self.assertIn("A: Windows 10.0.22631 @ abc1234", text)
        self.assertIn("B: Wine 8.0 (reports Windows 6.1.7601)", text)
        self.assertIn(f"{len(WINE_VS_WINDOWS)} of 15 statements differ in verdict", text)
        table = {}
        for line in text.splitlines():
            m = re.match(r"^([A-Z][A-Z-]+)\s{2,}(.+?)\s{2,}(.+)$", line)
            if m:
                table[m.group(1)] = (m.group(2).strip().replace(" ", "_"), m.group(3).strip().replace(" ", "_"))
        self.assertEqual(table, WINE_VS_WINDOWS)
        self.assertIn("winhttp_fail: WinHttpFail.Fails: pass -> fail", text)
        # a catalogue-listed test that did not run in A is matched by name to B's binary
        self.assertIn("winhttp_crashy: Crashy.Boom: not run -> fail", text)

        h = page.read_text(encoding="utf-8")
        self.assertEqual(re.search(r'<b id="ndiff">(\d+)</b>', h).group(1), str(len(WINE_VS_WINDOWS)))
        diff = h[h.index('<table class="matrix diff">'):h.index("</table>", h.index('<table class="matrix diff">'))]
        self.assertEqual(set(re.findall(r'<tr data-id="([^"]+)"', diff)), set(WINE_VS_WINDOWS))
        self.assertIn("Wine serialises requests on one connection", diff)  # the divergence reason
        self.assertIn("Bodies arrive intact &lt;even&gt; when &quot;quoted&quot; &amp; escaped.", diff)
        self.assertNotIn("<even>", h)
        self.assertNotIn("<script", h)

    def test_identical_runs_have_no_difference(self):
        a = self.results_of("failed")
        rc, text, _, page = self.compare(a, a)
        self.assertEqual(rc, 0)
        self.assertIn("0 of 15 statements differ", text)
        self.assertIn("None: both runs reach the same verdicts.", page.read_text())

    def test_accepts_report_directories(self):
        a, b = self.results_of("pass"), self.results_of("divergence")
        rc, text, _, _ = self.compare(a.parent, b.parent)
        self.assertEqual(rc, 0)
        self.assertIn("G-KD", text)

    def test_statements_only_in_one_run_show_as_absent(self):
        a = self.results_of("pass")
        data = json.loads(a.read_text())
        data["statements"] = data["statements"][:-1]
        b = self.tmp / "b.json"
        b.write_text(json.dumps(data))
        rc, text, _, _ = self.compare(a, b)
        self.assertEqual(rc, 0)
        self.assertRegex(text, r"G-SKIP\s+not run\s+absent")

    def test_bad_inputs(self):
        bad = self.tmp / "bad.json"
        bad.write_text('{"tests": []}')
        good = self.results_of("pass")
        for a, b, message in ((self.tmp / "missing.json", good, "results.json not found"),
                              (bad, good, "not a results.json written by make_report.py")):
            with self.subTest(message=message):
                rc, _, err, page = self.compare(a, b)
                self.assertEqual(rc, 1)
                self.assertIn(message, err)
                self.assertFalse(page.exists())

    def test_command_line(self):
        a, b = self.results_of("windows"), self.results_of("full")
        p = self.run_script("--compare", a, b, "--out", self.tmp / "cli")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("statements differ in verdict", p.stdout)
        self.assertTrue((self.tmp / "cli" / "compare.html").exists())


if __name__ == "__main__":
    unittest.main()
