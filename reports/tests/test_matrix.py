"""The matrix of several runs (make_report.py --compare RUN RUN [RUN...]): statements against
implementations, the text summary, links into each run's report, and bad arguments."""
import json
import re
import unittest

from helpers import CATALOGUE, DATA, Page, ReportCase

WINE8, SYNTHETIC = DATA / "matrix_wine8.json", DATA / "matrix_synthetic_b.json"
WINE10 = DATA / "matrix_wine10.json"  # a real run under Debian 13's Wine 10.0
WINDOWS_VS_WINE = {  # statement: (Windows fixture, Wine fixture "full")
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


class MatrixCase(ReportCase):
    def report_of(self, fixture):
        out = self.tmp / "reports" / fixture
        rc, _, stderr = self.main("--results", DATA / fixture, "--catalogue", CATALOGUE, "--out", out)
        self.assertEqual(rc, 0, stderr)
        return out

    def compare(self, *runs):
        out = self.tmp / "cmp"
        rc, text, err = self.main("--compare", *runs, "--out", out)
        page = Page((out / "index.html").read_text(encoding="utf-8")) if rc == 0 else None
        return rc, text, err, page

    def rows(self, page):
        """[(id, differs, [verdict per run])] in the page's order."""
        return [(tr.attrs["data-id"], tr.attrs["data-differs"] == "1",
                 [td.attrs["data-verdict"] for td in tr.find_all("td", cls="cell")])
                for tr in page.root.by_id("statement-matrix").find("tbody").find_all("tr")]

    @staticmethod
    def text_table(text):
        """{statement: [verdict per run]} of the summary's differing statements."""
        table = {}
        for line in text.splitlines():
            m = re.match(r"^  ([A-Z][A-Z0-9-]+)((?:\s{2,}\S+(?: \S+)*)+)$", line)
            if m:
                table[m.group(1)] = [v.replace(" ", "_") for v in re.split(r"\s{2,}", m.group(2).strip())]
        return table


class TwoWineReleases(MatrixCase):
    """Two real runs of this machine: Wine 8.0 and Wine 10.0."""

    def test_the_differing_statements_are_the_ones_whose_verdicts_differ(self):
        rc, text, err, page = self.compare(WINE8, WINE10)
        self.assertEqual(rc, 0, err)
        a, b = (json.loads(p.read_text()) for p in (WINE8, WINE10))
        vb = {s["id"]: s["verdict"] for s in b["statements"]}
        diff = {s["id"]: [s["verdict"], vb[s["id"]]] for s in a["statements"] if s["verdict"] != vb[s["id"]]}
        self.assertIn("WH-STATELESS", diff)  # the Wine 10.0 regression of WinHttpCrackUrl under threads
        self.assertEqual({r[0]: r[2] for r in self.rows(page) if r[1]}, diff)
        self.assertEqual(self.text_table(text), diff)
        heads = [th.text() for th in page.root.by_id("statement-matrix").find("thead").find_all("th", cls="run")]
        self.assertTrue(heads[1].startswith("Wine 10.0"), heads)


class RealAndSynthetic(MatrixCase):
    """The fixture pair: a real Wine 8.0 run and its synthetic edited copy."""

    def setUp(self):
        super().setUp()
        self.rc, self.text, self.err, self.page = self.compare(WINE8, SYNTHETIC)
        self.a, self.b = (json.loads(p.read_text()) for p in (WINE8, SYNTHETIC))

    def expected_diff(self):
        vb = {s["id"]: s["verdict"] for s in self.b["statements"]}
        return {s["id"]: [s["verdict"], vb[s["id"]]] for s in self.a["statements"] if s["verdict"] != vb[s["id"]]}

    def test_rows_differing_first_then_catalogue_order(self):
        self.assertEqual(self.rc, 0, self.err)
        rows = self.rows(self.page)
        self.assertEqual(len(rows), len(self.a["statements"]))
        diff = self.expected_diff()
        self.assertTrue(diff)
        self.assertEqual({r[0]: r[2] for r in rows if r[1]}, diff)
        self.assertEqual([r[1] for r in rows], [True] * len(diff) + [False] * (len(rows) - len(diff)))
        catalogue = [s["id"] for s in self.a["statements"]]
        same = [r[0] for r in rows if not r[1]]
        self.assertEqual(same, [i for i in catalogue if i in same])
        self.assertEqual(self.page.root.by_id("ndiff").text(), str(len(diff)))
        self.assertEqual(self.page.errors, [])

    def test_column_heads_name_the_implementations(self):
        heads = [th.text() for th in self.page.root.by_id("statement-matrix").find("thead").find_all("th", cls="run")]
        self.assertEqual(heads[0], self.a["run"]["platform"])  # no implementation: the platform text
        self.assertEqual(heads[1], "Wine 10.0 (synthetic)SYNTHETIC: an edited copy of matrix_wine8.json, not a real run")

    def test_text_summary(self):
        self.assertIn("  A  " + self.a["run"]["platform"], self.text)
        self.assertIn("  B  Wine 10.0 (synthetic) — SYNTHETIC", self.text)
        self.assertEqual(self.text_table(self.text), self.expected_diff())
        counts = {m.group(1): (int(m.group(2)), int(m.group(3)))
                  for m in re.finditer(r"^  (holds|violated|known divergence)\s+(\d+)\s+(\d+)$", self.text, re.M)}
        va = [s["verdict"] for s in self.a["statements"]]
        vb = [s["verdict"] for s in self.b["statements"]]
        self.assertEqual(counts["holds"], (va.count("holds"), vb.count("holds")))
        self.assertEqual(counts["known divergence"], (va.count("known_divergence"), vb.count("known_divergence")))
        self.assertIn(f"{len(self.expected_diff())} of {len(va)} statements differ in verdict", self.text)

    def test_evidence_in_the_cell_failure_text_escaped_and_errors_named(self):
        row = self.page.root.find("tr", data_id="WI-CONN-LIMIT")
        cell = row.find_all("td", cls="cell")[1]
        self.assertEqual(cell.attrs["data-verdict"], "violated")
        self.assertIn("WinInetConnLimit.RequestsBeyondThePerServerLimitWaitAtTheClient", cell.attrs["title"])
        failure = cell.find("pre", cls="fail").text()
        self.assertIn("<script>alert('synthetic')</script>", failure)
        self.assertIn("InternetReadFile: error ERROR_INTERNET_CONNECTION_ABORTED (12030)", failure)
        self.assertEqual(len(self.page.root.find_all("script")), 1)  # the page's own sorting script
        self.assertIsNone(cell.find_all("a") or None, "no report beside a bare results.json: no link")

    def test_unsafe_outcomes_and_limits_side_by_side(self):
        unsafe = self.page.root.find("section", id_="unsafe")
        ws = unsafe.find("tr", data_test="UnsafeWinHttp.WebSocketClosedWhileSendingAndReceiving")
        self.assertIn("differs", ws.classes)
        a, b = ws.find_all("td", cls="outcomes")
        self.assertIn("hang 30", a.text())
        self.assertIn("success 18", b.text())
        self.assertEqual(len(ws.find_all("svg", cls="chart-strip")), 2)
        limits = self.page.root.find("section", id_="limits")
        http10 = limits.find("tr", data_test="WinInetConnLimit.AnHttp10ServerGetsItsOwnLimit")
        self.assertIn("differs", http10.classes)
        self.assertEqual([re.search(r"observed peak (\d+)", td.text()).group(1)
                          for td in http10.find_all("td", cls="figures")], ["62", "4"])
        over = limits.find("tr", data_test="WinInetConnLimit.EachServerHasItsOwnConnectionBudget")
        self.assertEqual([b.text() for b in over.find_all("b", cls="bad")], ["4", "4"])  # peak over the limit


class FixtureRuns(MatrixCase):
    """Runs with their reports beside them."""

    def test_windows_against_wine_with_links_into_each_report(self):
        win, wine = self.report_of("windows"), self.report_of("full")
        rc, text, err, page = self.compare(win, wine / "results.json")
        self.assertEqual(rc, 0, err)
        self.assertEqual({r[0]: tuple(r[2]) for r in self.rows(page) if r[1]}, WINDOWS_VS_WINE)
        self.assertEqual({k: tuple(v) for k, v in self.text_table(text).items()},
                         {k: tuple(x.replace("_", " ").replace(" ", "_") for x in v) for k, v in WINDOWS_VS_WINE.items()})
        self.assertIn("winhttp_fail: WinHttpFail.Fails: pass / fail", text)
        # a catalogue-listed test that did not run in A is matched by name to B's binary
        self.assertIn("winhttp_crashy: Crashy.Boom: not run / fail", text)
        cell = page.root.find("tr", data_id="G-FAIL").find_all("td", cls="cell")[1]
        self.assertEqual(cell.find("a").attrs["href"], "../reports/full/index.html#st-G-FAIL")
        report = Page((wine / "index.html").read_text())
        for a in cell.find_all("a"):
            path, anchor = a.attrs["href"].split("#")
            self.assertEqual((self.tmp / "cmp" / path).resolve(), (wine / "index.html").resolve())
            report.root.by_id(anchor)  # the anchor exists in that report
        self.assertIn("Wine serialises requests on one connection",
                      page.root.find("tr", data_id="G-KD").find_all("td", cls="cell")[1].text())

    def test_three_runs_and_same_labels_told_apart(self):
        rc, text, err, page = self.compare(self.report_of("windows"), self.report_of("full"), self.report_of("divergence"))
        self.assertEqual(rc, 0, err)
        heads = [th.text() for th in page.root.by_id("statement-matrix").find("thead").find_all("th", cls="run")]
        self.assertEqual(len(heads), 3)
        self.assertTrue(heads[1].endswith("(full)") and heads[2].endswith("(divergence)"), heads)
        self.assertEqual(self.rows(page)[0][1], True)
        self.assertIn("verdict", text)
        self.assertRegex(text, r"G-KD\s+holds\s+known divergence\s+known divergence")

    def test_identical_runs_have_no_difference(self):
        a = self.report_of("failed")
        rc, text, _, page = self.compare(a, a / "results.json")
        self.assertEqual(rc, 0)
        self.assertIn("0 of 15 statements differ", text)
        self.assertFalse(any(r[1] for r in self.rows(page)))
        self.assertIn("None: every test has the same result", page.root.find("section", id_="test-diffs").text())

    def test_statements_only_in_one_run_show_as_absent(self):
        a = self.report_of("pass") / "results.json"
        data = json.loads(a.read_text())
        data["statements"] = data["statements"][:-1]
        b = self.tmp / "b.json"
        b.write_text(json.dumps(data))
        rc, text, _, page = self.compare(a, b)
        self.assertEqual(rc, 0)
        self.assertRegex(text, r"G-SKIP\s+not run\s+absent")
        self.assertEqual(self.rows(page)[0], ("G-SKIP", True, ["not_run", "absent"]))

    def test_implementation_from_run_json_names_the_column(self):
        res = self.tmp / "res"
        res.mkdir()
        for f in (DATA / "divergence").iterdir():
            (res / f.name).write_bytes(f.read_bytes())
        run = json.loads((res / "run.json").read_text())
        run["implementation"] = {"name": "Wine", "version": "10.0", "provenance": "Debian 13 <trixie>"}
        (res / "run.json").write_text(json.dumps(run))
        out = self.tmp / "r10"
        self.assertEqual(self.main("--results", res, "--catalogue", CATALOGUE, "--out", out)[0], 0)
        rc, text, _, page = self.compare(self.report_of("divergence"), out)
        head = page.root.by_id("statement-matrix").find("thead").find_all("th", cls="run")[1]
        self.assertEqual(head.find("b").text(), "Wine 10.0")  # label made of name and version
        self.assertEqual(head.find(cls="prov").text(), "Debian 13 <trixie>")
        self.assertIn("B  Wine 10.0 — Debian 13 <trixie>", text)


    def test_fault_injection_scores_side_by_side(self):
        a = self.report_of("pass") / "results.json"
        data = json.loads(a.read_text())
        data["faults"] = {"implementation": "x", "total_seconds": 1, "caught": 3, "survived": 1,
                          "not_observable": 2, "errors": 0, "score": 0.75, "faults": []}
        b = self.tmp / "b.json"
        b.write_text(json.dumps(data))
        rc, _, _, page = self.compare(a, b)
        self.assertEqual(rc, 0)
        cells = [td.text() for td in page.root.by_id("fault-scores").find_all("td", cls="num")]
        self.assertEqual(cells, ["–", "75% (3 / 4)"])


class BadArguments(MatrixCase):
    def test_not_runs_exit_2_with_a_clear_message_and_write_nothing(self):
        good = self.report_of("pass")
        bad = self.tmp / "bad.json"
        bad.write_text('{"tests": []}')
        broken = self.tmp / "broken.json"
        broken.write_text("{")
        for runs, message in (((good,), "needs two or more runs"),
                              ((self.tmp / "missing.json", good), "missing.json: not a run"),
                              ((self.tmp, good), "not a run: expected a report directory holding results.json"),
                              ((bad, good), "not a results.json written by make_report.py"),
                              ((broken, good), "is not valid JSON")):
            with self.subTest(message=message):
                rc, _, err, _ = self.compare(*runs)
                self.assertEqual(rc, 2)
                self.assertIn("usage:", err)
                self.assertIn(message, err)
                self.assertFalse((self.tmp / "cmp").exists())

    def test_command_line(self):
        p = self.run_script("--compare", WINE8, SYNTHETIC, "--out", self.tmp / "cli")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("statements differ in verdict", p.stdout)
        self.assertTrue((self.tmp / "cli" / "index.html").exists())


if __name__ == "__main__":
    unittest.main()
