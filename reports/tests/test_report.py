"""The report written from the fixture results directories (tests/data/*): verdicts, the page's
sections and rows, JUnit XML, results.json and escaping."""
import json
import unittest

from helpers import CATALOGUE, DATA, PROJECT_CATALOGUE, ReportCase

SECTIONS = ("matrix", "binaries", "tests", "unsafe", "disputes", "wrappers", "connlimit", "cache")
RESULTS = ("pass", "fail", "known_divergence", "unexpected_pass", "not_run")


class Common:
    """Checks every report must pass."""
    fixture = None

    def setUp(self):
        super().setUp()
        self.r = self.generate(self.fixture)

    def test_html_nests_loads_nothing_runs_nothing_and_has_every_section(self):
        self.assertEqual(self.r.page.errors, [])
        external = [e.attrs[k] for e in self.r.doc.elements() for k in ("src", "href")
                    if e.attrs.get(k) and not e.attrs[k].startswith("#")]
        self.assertEqual(external, [], "the report must not load anything")
        self.assertEqual([e.tag for e in self.r.doc.elements() if e.tag in ("script", "link", "iframe")], [])
        self.assertIn(".badge", self.r.doc.find("style").text(), "the stylesheet is inlined")
        for sid in SECTIONS:
            self.r.section(sid)
        self.assertEqual(len({e.attrs["id"] for e in self.r.doc.elements() if "id" in e.attrs}),
                         len([e for e in self.r.doc.elements() if "id" in e.attrs]), "ids are unique")

    def test_every_statement_has_a_row_with_its_verdict(self):
        rows = self.r.section("matrix").find_all("tr", data_verdict=True)
        self.assertEqual({r.attrs["id"][3:]: r.attrs["data-verdict"] for r in rows}, self.r.verdicts())
        self.assertEqual(len(rows), 15)
        for r in rows:
            self.assertIn(f"row-{r.attrs['data-verdict']}", r.classes)

    def test_internal_links_resolve(self):
        ids = {e.attrs["id"] for e in self.r.doc.elements() if "id" in e.attrs}
        for a in self.r.doc.find_all("a", href=True):
            self.assertIn(a.attrs["href"][1:], ids, a.attrs["href"])

    def test_junit_counts_add_up(self):
        j = self.r.junit
        self.assertEqual(j.tag, "testsuites")
        total = 0
        for ts in j.findall("testsuite"):
            cases = ts.findall("testcase")
            self.assertEqual(int(ts.get("tests")), len(cases))
            self.assertEqual(int(ts.get("failures")), sum(1 for c in cases if c.find("failure") is not None))
            self.assertEqual(int(ts.get("errors")), sum(1 for c in cases if c.find("error") is not None))
            self.assertEqual(int(ts.get("skipped")), sum(1 for c in cases if c.find("skipped") is not None))
            total += len(cases)
        self.assertEqual(int(j.get("tests")), total)

    def test_results_json_shape(self):
        res = self.r.results
        self.assertEqual(res["schema"], 1)
        for key in ("started", "wall_s", "commit", "host", "platform", "implementation"):
            self.assertIn(key, res["run"])
        for t in res["tests"]:
            self.assertIn(t["result"], RESULTS)
            self.assertGreaterEqual(set(t), {"suite", "name", "result", "duration_s", "catalogue", "properties"})
        for s in res["statements"]:
            self.assertGreaterEqual(set(s), {"id", "verdict", "tests"})
        self.assertEqual(sum(res["totals"][k] for k in RESULTS), len(res["tests"]))
        self.assertIsNone(res["faults"])

    def test_totals_tiles_match_results_json(self):
        tiles = self.r.doc.by_id("totals").find_all("div", data_result=True)
        self.assertEqual({t.attrs["data-result"]: int(t.find("b").text()) for t in tiles},
                         {r: self.r.results["totals"][r] for r in RESULTS})


class PassingRun(Common, ReportCase):
    fixture = "pass"

    def test_verdicts(self):
        v = self.r.verdicts()
        self.assertEqual(v["G-PASS"], "holds")
        self.assertEqual(v["G-NOTCOVERED"], "not_covered")
        self.assertEqual(v["A-ADVICE"], "not_testable")
        self.assertEqual(v["G-SKIP"], "not_run")
        self.assertEqual(v["G-LISTED"], "not_run")  # listed in the catalogue, never ran
        self.assertEqual(v["G-FAIL"], "not_covered")

    def test_header(self):
        header = self.r.doc.find("header")
        self.assertEqual(header.find(id_="platform").text(), "Wine 8.0 (reports Windows 6.1.7601) · "
                                                             "wine-8.0 (Debian 8.0~repack-4)")
        meta = {dt.text(): dt.parent.children[dt.parent.children.index(dt) + 1].text()
                for dt in header.find_all("dt")}
        self.assertEqual(meta["Commit"], "abc1234")
        self.assertEqual(meta["Started"], "2026-11-22 01:50:02 UTC")
        self.assertEqual(meta["Wall time"], "4.70 s")
        self.assertNotIn("Implementation", meta)  # run.json names none

    def test_not_covered_and_not_testable_rows_are_shown_with_reason(self):
        row = self.r.row("st-A-ADVICE")
        self.assertEqual(row.find(cls="badge").text(), "not testable")
        self.assertIn("no observable behaviour to test", row.find(cls="why").text())
        self.assertEqual(self.r.row("st-G-NOTCOVERED").find(cls="badge").text(), "not covered")

    def test_statement_rows_link_their_tests(self):
        row = self.r.row("st-G-PASS")
        links = [a.attrs["href"] for a in row.find_all("a")]
        self.assertTrue(links)
        for href in links:
            self.assertEqual(self.r.row(href[1:]).ancestor("section").attrs["id"], "tests")

    def test_junit_skipped_and_clean(self):
        j = self.r.junit
        self.assertEqual(j.get("failures"), "0")
        self.assertEqual(j.get("errors"), "0")
        skipped = [c.get("name") for c in j.iter("testcase") if c.find("skipped") is not None]
        self.assertIn("Skipped", skipped)
        self.assertIn("Crashy.NeverReached", [c.get("classname") + "." + c.get("name")
                                              for c in j.iter("testcase") if c.find("skipped") is not None])

    def test_empty_sections_say_so(self):
        self.assertIn("No unsafe-pattern trials", self.r.section("unsafe").text())
        self.assertIn("No connection timelines", self.r.section("connlimit").text())
        self.assertIn("No cache-contention", self.r.section("cache").text())
        self.assertEqual(self.r.doc.find_all("section", id_="faults"), [])


class FailedRun(Common, ReportCase):
    fixture = "failed"

    def test_verdicts_and_counts(self):
        v = self.r.verdicts()
        self.assertEqual(v["G-FAIL"], "violated")
        self.assertEqual(v["G-SECOND"], "holds")  # tests in two binaries, both passed
        self.assertEqual(self.r.results["totals"]["fail"], 1)
        self.assertEqual(self.r.suite("winhttp_fail")["status"], "failed")
        self.assertEqual(self.r.tests()["winhttp_fail:WinHttpFail.DISABLED_Later"]["result"], "not_run")

    def test_failure_message_markup_stays_text(self):
        row = self.r.row("t-winhttp_fail-WinHttpFail.Fails")
        failure = row.find("pre", cls="fail").text()
        self.assertIn("<script>alert('x')</script> & \\\"quoted\\\"", failure)  # as text, entities decoded
        self.assertIn("A&B <ok>", failure)
        self.assertEqual(self.r.doc.find_all("script"), [])
        self.assertEqual([e for e in self.r.doc.find_all("html") if e.parent is not self.r.doc], [])
        self.assertNotIn("<script>", self.r.html)
        stmt = self.r.row("st-G-FAIL").find("td", cls="stmt").text()
        self.assertIn("Bodies arrive intact <even> when \"quoted\" & escaped.", stmt)
        junit = next(c for c in self.r.junit.iter("testcase") if c.get("name") == "Fails").find("failure")
        self.assertIn("<script>alert('x')</script>", junit.text)  # XML-escaped on disk, parsed back
        self.assertEqual(junit.get("message"), "Expected equality of these values:")

    def test_failure_shown_in_the_test_row(self):
        row = self.r.row("t-winhttp_fail-WinHttpFail.Fails")
        self.assertEqual(row.attrs["data-result"], "fail")
        self.assertIn("r-fail", row.find(cls="badge").classes)
        self.assertEqual(row.find("td", cls="num").text(), "230 ms")
        self.assertIn("a_test.cpp:41", row.find("pre", cls="fail").text())


class CrashedBinary(Common, ReportCase):
    fixture = "crashed"

    def test_crash_is_flagged_with_log_tail_and_other_binary_kept(self):
        s = self.r.suite("winhttp_crashy")
        self.assertEqual(s["status"], "crashed")
        self.assertEqual(s["status_text"], "crashed (exit code 0xC0000005, access violation)")
        self.assertEqual(s["running_test"], "Crashy.Boom")
        row = self.r.row("bin-winhttp_crashy")
        self.assertEqual(row.attrs["data-status"], "crashed")
        self.assertEqual(row.find(cls="badge").text(), "crashed (exit code 0xC0000005, access violation)")
        tail = self.r.section("binaries").find("tr", cls="logtail").find("pre").text()
        self.assertIn("Unhandled page fault on read access", tail)
        self.assertNotIn("\x1b", self.r.html)
        self.assertEqual(self.r.verdicts()["G-PASS"], "holds")  # from the binary that did not crash
        banners = self.r.doc.find("header").find_all("div", cls="banner")
        self.assertIn("winhttp_crashy", banners[0].text())

    def test_tests_recovered_from_the_log(self):
        t = self.r.tests()
        self.assertEqual(t["winhttp_crashy:Crashy.First"]["result"], "pass")
        self.assertEqual(t["winhttp_crashy:Crashy.Boom"]["result"], "fail")
        self.assertIn("crashed", t["winhttp_crashy:Crashy.Boom"]["failures"][0])
        self.assertEqual(self.r.verdicts()["G-CRASHED"], "violated")
        self.assertEqual(self.r.verdicts()["G-LISTED"], "not_run")

    def test_junit_has_an_error_for_the_binary(self):
        ts = next(t for t in self.r.junit.findall("testsuite") if t.get("name") == "winhttp_crashy")
        err = [c.find("error") for c in ts.findall("testcase") if c.find("error") is not None]
        self.assertEqual(len(err), 1)
        self.assertIn("0xC0000005", err[0].get("message"))
        self.assertIn("Unhandled page fault", err[0].text)
        self.assertEqual(ts.get("errors"), "1")


class HungBinaries(Common, ReportCase):
    fixture = "hung"

    def test_both_kinds_of_hang(self):
        h86, timeout = self.r.suite("winhttp_hang"), self.r.suite("wininet_timeout")
        self.assertEqual(h86["status"], "hung")
        self.assertIn("hang detector", h86["status_text"])
        self.assertEqual(timeout["status"], "hung")
        self.assertEqual(timeout["status_text"], "hung (killed after 600 s)")
        self.assertEqual(timeout["running_test"], "Slow.Forever")
        self.assertEqual(self.r.row("bin-wininet_timeout").find(cls="badge").text(), "hung (killed after 600 s)")
        self.assertIn("no progress for 60 s", self.r.section("binaries").text())
        self.assertEqual(self.r.verdicts()["G-HUNG"], "violated")
        self.assertEqual(self.r.junit.get("errors"), "2")


class EmptyRun(Common, ReportCase):
    fixture = "empty"

    def test_empty(self):
        self.assertEqual(self.r.results["suites"], [])
        self.assertIn("No suite binary ran", self.r.doc.find("header").text())
        v = self.r.verdicts()
        self.assertEqual(v["G-PASS"], "not_covered")
        self.assertEqual(v["G-LISTED"], "not_run")
        self.assertEqual(v["A-ADVICE"], "not_testable")
        self.assertEqual(self.r.results["totals"]["pass"], 0)


class Divergences(Common, ReportCase):
    fixture = "divergence"

    def test_known_divergence_and_unexpected_pass(self):
        v = self.r.verdicts()
        self.assertEqual(v["G-KD"], "known_divergence")
        self.assertEqual(self.r.statement("G-KD")["reasons"], ["Wine serialises requests on one connection"])
        self.assertEqual(v["G-UP"], "unexpected_pass")
        t = self.r.tests()
        self.assertEqual(t["wininet_div:WinInetDiv.Diverges"]["result"], "known_divergence")
        self.assertEqual(t["wininet_div:WinInetDiv.UnexpectedPass"]["result"], "unexpected_pass")
        totals = self.r.results["totals"]
        self.assertEqual((totals["known_divergence"], totals["unexpected_pass"]), (1, 1))
        self.assertEqual([w.text() for w in self.r.row("st-G-KD").find_all(cls="why")],
                         ["Wine serialises requests on one connection"])

    def test_junit(self):
        cases = {c.get("name"): c for c in self.r.junit.iter("testcase")}
        kd = cases["Diverges"]
        self.assertIsNone(kd.find("failure"))
        self.assertIn("KNOWN DIVERGENCE", kd.find("system-out").text)
        self.assertIn("expected 4 connections", kd.find("system-out").text)
        up = cases["UnexpectedPass"].find("failure")
        self.assertEqual(up.get("type"), "unexpected_pass")
        self.assertIn("did not occur", up.get("message"))


class Lab(Common, ReportCase):
    fixture = "lab"

    def bars(self, svg):
        """{outcome label: count} of a bar chart."""
        out = {}
        for g in svg.find_all("g"):
            texts = g.find_all("text")
            out[texts[0].text()] = texts[1].children[0].strip()
        return out

    def test_unsafe_section(self):
        u = self.r.section("unsafe")
        card = u.find(cls="unsafe-card")
        self.assertEqual(card.find("h3").text(), "WinHttpCloseHandle on a request while WinHttpReadData runs on it")
        self.assertIn("1234567", card.find(cls="kv").text())
        self.assertIn("85.30", card.find(cls="kv").text())
        hazard, safe = u.find_all("svg", cls="chart-bars")  # unsafe and safe side by side
        self.assertEqual(self.bars(hazard), {
            "success": "301", "ERROR_WINHTTP_OPERATION_CANCELLED (12017)": "72",
            "crash STATUS_ACCESS_VIOLATION (0xC0000005)": "19", "hang": "8"})
        self.assertEqual([r.classes[1] for r in hazard.find_all("rect", cls="bar")],
                         ["o-success", "o-error", "o-crash", "o-hang"])
        self.assertIn("close after the read returned", card.text())
        self.assertEqual(self.bars(safe), {"success": "400"})
        self.assertEqual(self.r.verdicts()["U-DEMO"], "demonstrated")

    def test_timeline_section(self):
        c = self.r.section("connlimit")
        charts = c.find_all("svg", cls="chart-timeline")
        self.assertEqual(len(charts), 2)
        self.assertEqual([len(s.find_all("line", cls="limit")) for s in charts], [1, 1])
        labels = [t.text() for s in charts for t in s.find_all("text")]
        self.assertIn("documented limit = 2", labels)
        self.assertIn("observed peak = 2", labels)
        self.assertIn("observed peak = 6", labels)
        self.assertIn("peak 6 exceeds the documented limit 4", c.text())
        self.assertRegex(charts[0].find("path", cls="step").attrs["d"], r"^M[0-9.]+,[0-9.]+(H[0-9.]+V[0-9.]+)+")
        self.assertEqual(self.r.verdicts()["L-CONN-OVERRIDE"], "known_divergence")

    def test_cache_section(self):
        table = self.r.section("cache").find("table", cls="cache")
        self.assertEqual([th.text() for th in table.find_all("th")][1:],
                         ["cache on", "INTERNET_FLAG_RELOAD | INTERNET_FLAG_NO_CACHE_WRITE"])
        cells = [td.text() for td in table.find_all("td", cls="num")]
        for v in ("2,000", "64", "475", "332", "4.21"):
            self.assertIn(v, cells)
        self.assertIn("3", [td.text() for td in table.find_all("td", cls="bad")])  # errors highlighted

    def test_properties_in_details(self):
        t = self.r.tests()["unsafe_lab:ConnLimit.OverrideIsIgnored"]
        self.assertIn("hc_timeline", t["properties"])
        details = self.r.row("t-unsafe_lab-ConnLimit.OverrideIsIgnored").find("details")
        names = [dt.text() for dt in details.find_all("dt")]
        self.assertIn("hc_divergence_detail", names)
        self.assertIn("events (charted)", details.text())

    def test_malformed_lab_properties_do_not_break_the_report(self):
        d = self.tmp / "res"
        d.mkdir()
        data = json.loads((DATA / "lab" / "unsafe_lab.json").read_text())
        data["testsuites"][0]["testsuite"][0]["hc_unsafe"] = "{broken"
        for ts in data["testsuites"]:
            for t in ts["testsuite"]:
                if "hc_timeline" in t:
                    t["hc_timeline"] = json.dumps({"documented_limit": 2, "events": "nope"})
                if "hc_cache" in t:
                    t["hc_cache"] = "[1]"
        (d / "unsafe_lab.json").write_text(json.dumps(data))
        (d / "run.json").write_text((DATA / "lab" / "run.json").read_text())
        r = self.generate(d, out=self.tmp / "out2")
        self.assertIn("hc_unsafe is not valid JSON", r.section("unsafe").text())
        self.assertIn("no events recorded", r.section("connlimit").text())
        self.assertIn("hc_cache is not a JSON object", r.section("cache").text())


class DisputesAndWrappers(ReportCase):
    """suites/disputes.json's groups beside the catalogue, and hc_wrapper evidence (a table of cases
    and the outcome counts of trials)."""

    def setUp(self):
        super().setUp()
        cat_dir = self.tmp / "cat"
        cat_dir.mkdir()
        self.catalogue = cat_dir / "catalogue.json"
        self.catalogue.write_text(CATALOGUE.read_text())
        (cat_dir / "disputes.json").write_text(json.dumps({"version": 1, "disputes": [
            {"id": "close-vs-limit", "title": "Closing against connection limits",
             "question": "Which one holds?",
             "statements": [{"id": "U-DEMO", "words": "unsafe"}, {"id": "L-CONN-OVERRIDE", "words": "sets the limit"}],
             "evidence": ["hc_unsafe", "hc_timeline"]}]}))
        d = self.tmp / "res"
        d.mkdir()
        data = json.loads((DATA / "lab" / "unsafe_lab.json").read_text())
        t = data["testsuites"][0]["testsuite"][0]
        t["hc_wrapper"] = json.dumps({
            "library": "libA", "assumption": "HANDLE_CLOSING always comes",
            "table": {"columns": ["case", "error", "closings"], "rows": [["sync failure", "error 87", 64]]},
            "answer": {"trials": 10, "outcomes": {"success": 7, "error 6": 3}, "trials_per_s": 55.5}})
        unsafe = json.loads(t["hc_unsafe"])
        unsafe.update(documented_outcome="error 12017", documented_by="Some page")
        t["hc_unsafe"] = json.dumps(unsafe)
        (d / "unsafe_lab.json").write_text(json.dumps(data))
        (d / "run.json").write_text((DATA / "lab" / "run.json").read_text())
        self.r = self.generate(d, catalogue=self.catalogue)

    def test_disputes_section_lists_the_statements_words_verdicts_and_evidence(self):
        s = self.r.section("disputes")
        rows = s.find_all("tr", data_statement=True)
        self.assertEqual([r.attrs["data-statement"] for r in rows], ["U-DEMO", "L-CONN-OVERRIDE"])
        self.assertIn("sets the limit", rows[1].text())
        self.assertIn("known divergence", rows[1].text())
        self.assertIn("demonstrated", rows[0].text())
        self.assertIn("hc_timeline", s.text())
        self.assertIn("ERROR_WINHTTP_OPERATION_CANCELLED (12017)", s.text())  # evidence with errors named

    def test_wrappers_section_shows_the_table_and_the_outcomes_with_errors_named(self):
        w = self.r.section("wrappers")
        self.assertIn("HANDLE_CLOSING always comes", w.find("h3").text())
        cells = [td.text() for td in w.find("table", cls="wrapper-table").find_all("td")]
        self.assertEqual(cells, ["sync failure", "error ERROR_INVALID_PARAMETER (87)", "64"])
        self.assertIn("55.50", w.find(cls="kv").text())
        self.assertIn("ERROR_INVALID_HANDLE (6)", w.text())

    def test_an_unsafe_card_shows_the_documented_outcome_and_its_count(self):
        text = self.r.section("unsafe").find(cls="documented").text()
        self.assertIn("ERROR_WINHTTP_OPERATION_CANCELLED (12017)", text)
        self.assertIn("Some page", text)
        self.assertRegex(text, r"in 72 of 400 trials")

    def test_recorded_properties_name_their_error_numbers(self):
        details = self.r.row("t-unsafe_lab-UnsafeClose.CloseDuringRead").find("details")
        self.assertIn("error ERROR_INVALID_PARAMETER (87)", details.text())

    def test_no_disputes_file_no_groups_and_a_bad_one_is_an_error(self):
        plain = self.generate("lab", out=self.tmp / "plain")
        self.assertIn("No dispute groups", plain.section("disputes").text())
        (self.catalogue.with_name("disputes.json")).write_text(json.dumps({"disputes": [{"id": "x"}]}))
        rc, out, err = self.main("--results", DATA / "lab", "--catalogue", self.catalogue, "--out", self.tmp / "bad")
        self.assertEqual(rc, 1)
        self.assertIn("disputes is malformed", err)


class WindowsRun(Common, ReportCase):
    fixture = "windows"

    def test_header_names_the_windows_build(self):
        header = self.r.doc.find("header")
        self.assertEqual(header.find(id_="platform").text(), "Windows 10.0.22631")
        self.assertNotIn("Wine", header.text())
        self.assertEqual(self.r.results["run"]["platform"], "Windows 10.0.22631")
        self.assertEqual(self.r.results["run"]["windows_builds"], ["22631"])
        self.assertEqual(self.r.verdicts()["G-KD"], "holds")


class FullRun(Common, ReportCase):
    fixture = "full"

    def test_everything_together(self):
        v = self.r.verdicts()
        self.assertEqual(v, {"G-PASS": "holds", "G-SECOND": "holds", "G-FAIL": "violated",
                             "G-KD": "known_divergence", "G-UP": "unexpected_pass", "U-DEMO": "demonstrated",
                             "L-CONN": "holds", "L-CONN-OVERRIDE": "known_divergence", "G-CACHE": "holds",
                             "G-NOTCOVERED": "not_covered", "A-ADVICE": "not_testable", "G-LISTED": "not_run",
                             "G-CRASHED": "violated", "G-HUNG": "violated", "G-SKIP": "not_run"})
        banners = [b for b in self.r.doc.find("header").find_all("div", cls="banner") if "info" not in b.classes]
        self.assertEqual(len(banners), 3)  # crashed + 2 hung

    def test_with_the_project_catalogue(self):
        r = self.generate("full", PROJECT_CATALOGUE, out=self.tmp / "out2")
        self.assertTrue(r.results["statements"])
        unknown = r.section("matrix").find_all("tr", cls="row-unknown")
        self.assertTrue(unknown)  # the fixtures' ids are not the project's
        self.assertIn("not in the catalogue", unknown[0].text())


class ImplementationAndFaults(ReportCase):
    """run.json's implementation and a faults.json beside the results."""

    def setUp(self):
        super().setUp()
        self.res = self.tmp / "run" / "results"
        self.res.mkdir(parents=True)
        for f in (DATA / "divergence").iterdir():
            (self.res / f.name).write_bytes(f.read_bytes())
        run = json.loads((self.res / "run.json").read_text())
        run["implementation"] = {"name": "Wine", "version": "10.0", "label": "Wine 10.0",
                                 "provenance": "Debian 13 wine 10.0~repack-6 in a <chroot>"}
        (self.res / "run.json").write_text(json.dumps(run))

    def test_implementation_in_header_title_and_results_json(self):
        r = self.generate(self.res)
        self.assertEqual(r.results["run"]["implementation"]["label"], "Wine 10.0")
        self.assertEqual(r.doc.find("title").text(), "HINTERNET conformance — Wine 10.0")
        self.assertEqual(r.doc.by_id("implementation").text(),
                         "Wine 10.0 · Debian 13 wine 10.0~repack-6 in a <chroot>")

    def test_fault_injection_section_and_score(self):
        (self.tmp / "run" / "faults.json").write_bytes((DATA / "faults_run" / "faults.json").read_bytes())
        r = self.generate(self.res)
        s = r.section("faults")
        self.assertEqual(s.by_id("fault-score").text(), "67%")  # 2 caught, 1 survived
        rows = {tr.attrs["id"]: tr for tr in s.find("table", cls="faults").find_all("tr", id_=True)}
        self.assertEqual(set(rows), {"fault-winhttp-close-no-handle-closing", "fault-winhttp-callback-twice",
                                     "fault-wininet-limit-ignored", "fault-wininet-broken-build"})
        self.assertEqual(rows["fault-wininet-broken-build"].attrs["data-verdict"], "not_loaded")
        self.assertIn("fault-error", rows["fault-wininet-broken-build"].classes)
        self.assertIn("error: not loaded", rows["fault-wininet-broken-build"].text())
        self.assertIn("<b>not bold</b>", rows["fault-winhttp-callback-twice"].text())
        unobservable = s.find("table", cls="faults-unobservable").find_all("tr", id_=True)
        self.assertEqual([tr.attrs["id"] for tr in unobservable], ["fault-winhttp-slot-reuse-delay"])
        f = r.results["faults"]
        self.assertEqual((f["caught"], f["survived"], f["not_observable"], f["errors"]), (2, 1, 1, 1))
        self.assertAlmostEqual(f["score"], 2 / 3)
        self.assertIn("#faults", [a.attrs["href"] for a in r.doc.find("nav").find_all("a")])
        # error numbers in the evidence are named
        self.assertIn("ERROR_WINHTTP_INCORRECT_HANDLE_STATE (12019)", rows["fault-winhttp-callback-twice"].text())
        ids = {e.attrs["id"] for e in r.doc.elements() if "id" in e.attrs}
        self.assertEqual([a.attrs["href"] for a in s.find_all("a") if a.attrs["href"][1:] not in ids], [])

    def test_a_binary_resumed_after_a_known_crash_says_so(self):
        run = json.loads((self.res / "run.json").read_text())
        run["suites"][0]["resumed_after_known_crash"] = ["WinInetDiv.Crashed/Tls"]
        (self.res / "run.json").write_text(json.dumps(run))
        r = self.generate(self.res)
        text = r.results["suites"][0]["status_text"]
        self.assertIn("the tests left after the known crash of WinInetDiv.Crashed/Tls ran again in a new process",
                      text)
        self.assertIn("ran again in a new process", r.doc.text())

    def test_malformed_faults_json_is_a_note(self):
        (self.res / "faults.json").write_text('{"faults": 3}')
        r = self.generate(self.res)
        self.assertEqual(r.doc.find_all("section", id_="faults"), [])
        self.assertIn("faults.json is malformed", r.doc.find("header").text())


if __name__ == "__main__":
    unittest.main()
