"""The report written from the fixture results directories (tests/data/*): verdicts, sections,
JUnit XML, results.json and escaping."""
import html.parser
import json
import re
import unittest

from helpers import DATA, ReportCase


class HtmlChecker(html.parser.HTMLParser):
    """Collects tags and checks that they nest (void elements aside)."""
    VOID = {"meta", "br", "col", "img", "hr", "input", "link", "rect", "line", "circle", "path"}

    def __init__(self):
        super().__init__()
        self.stack, self.tags, self.errors, self.external = [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if k in ("src", "href") and v and not v.startswith("#"):
                self.external.append(v)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()


class Common:
    """Checks every report must pass."""
    fixture = None

    def setUp(self):
        super().setUp()
        self.r = self.generate(self.fixture)

    def test_html_is_well_formed_self_contained_and_has_every_section(self):
        c = HtmlChecker()
        c.feed(self.r.html)
        self.assertEqual(c.errors, [])
        self.assertEqual([t for t in c.stack if t not in ("html", "body")], [])
        self.assertEqual(c.external, [], "the report must not load anything")
        self.assertNotIn("<script", self.r.html)
        self.assertNotIn("<link", self.r.html)
        for sid in ("matrix", "binaries", "tests", "unsafe", "connlimit", "cache"):
            self.assertIn(f'<section id="{sid}">', self.r.html)

    def test_every_statement_has_a_row(self):
        rows = re.findall(r'<tr class="row-[a-z_]+" id="st-([^"]+)" data-verdict="([a-z_]+)"', self.r.html)
        self.assertEqual(dict(rows), self.r.verdicts())
        self.assertEqual(len(rows), 15)

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
        for key in ("started", "wall_s", "commit", "host", "platform"):
            self.assertIn(key, res["run"])
        for t in res["tests"]:
            self.assertIn(t["result"], ("pass", "fail", "known_divergence", "unexpected_pass", "not_run"))
            self.assertEqual(set(t) >= {"suite", "name", "result", "duration_s", "catalogue", "properties"}, True)
        for s in res["statements"]:
            self.assertEqual(set(s) >= {"id", "verdict", "tests"}, True)
        self.assertEqual(sum(res["totals"][k] for k in ("pass", "fail", "known_divergence", "unexpected_pass",
                                                          "not_run")), len(res["tests"]))


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
        self.assertIn("Wine 8.0 (reports Windows 6.1.7601)", self.r.html)
        self.assertIn("wine-8.0 (Debian 8.0~repack-4)", self.r.html)
        self.assertIn("abc1234", self.r.html)
        self.assertIn("2026-11-22 01:50:02 UTC", self.r.html)
        tiles = dict(re.findall(r'data-result="([a-z_]+)"><b>(\d+)</b>', self.r.html))
        self.assertEqual(tiles, {"pass": "2", "fail": "0", "known_divergence": "0", "unexpected_pass": "0",
                                 "not_run": "5"})
        self.assertIn("<dt>Wall time</dt><dd>4.70 s</dd>", self.r.html)

    def test_not_covered_and_not_testable_rows_are_shown_with_reason(self):
        row = re.search(r'<tr[^>]*id="st-A-ADVICE".*?</tr>', self.r.html).group(0)
        self.assertIn("not testable", row)
        self.assertIn("no observable behaviour to test", row)
        row = re.search(r'<tr[^>]*id="st-G-NOTCOVERED".*?</tr>', self.r.html).group(0)
        self.assertIn("not covered", row)

    def test_statement_test_links_resolve(self):
        anchors = set(re.findall(r'id="([^"]+)"', self.r.html))
        for target in re.findall(r'href="#([^"]+)"', self.r.html):
            self.assertIn(target, anchors)

    def test_junit_skipped_and_clean(self):
        j = self.r.junit
        self.assertEqual(j.get("failures"), "0")
        self.assertEqual(j.get("errors"), "0")
        skipped = [c.get("name") for c in j.iter("testcase") if c.find("skipped") is not None]
        self.assertIn("Skipped", skipped)
        self.assertIn("Crashy.NeverReached", [c.get("classname") + "." + c.get("name")
                                              for c in j.iter("testcase") if c.find("skipped") is not None])

    def test_empty_sections_say_so(self):
        self.assertIn("No unsafe-pattern trials", self.r.section("unsafe"))
        self.assertIn("No connection timelines", self.r.section("connlimit"))
        self.assertIn("No cache-contention", self.r.section("cache"))


class FailedRun(Common, ReportCase):
    fixture = "failed"

    def test_verdicts_and_counts(self):
        v = self.r.verdicts()
        self.assertEqual(v["G-FAIL"], "violated")
        self.assertEqual(v["G-SECOND"], "holds")  # tests in two binaries, both passed
        self.assertEqual(self.r.results["totals"]["fail"], 1)
        self.assertEqual(self.r.suite("winhttp_fail")["status"], "failed")
        self.assertEqual(self.r.tests()["winhttp_fail:WinHttpFail.DISABLED_Later"]["result"], "not_run")

    def test_failure_message_is_escaped_everywhere(self):
        h = self.r.html
        self.assertNotIn("<script>", h)
        self.assertNotIn("<html><", h.split("<body>", 1)[1])
        self.assertIn("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; \\&quot;quoted\\&quot;", h)
        self.assertIn("A&amp;B &lt;ok&gt;", h)
        self.assertIn("Bodies arrive intact &lt;even&gt; when &quot;quoted&quot; &amp; escaped.", h)
        failure = next(c for c in self.r.junit.iter("testcase") if c.get("name") == "Fails").find("failure")
        self.assertIn("<script>alert('x')</script>", failure.text)  # XML-escaped on disk, parsed back
        self.assertEqual(failure.get("message"), "Expected equality of these values:")

    def test_failure_shown_in_the_test_row(self):
        row = re.search(r'<tr id="t-winhttp_fail-WinHttpFail.Fails".*?</tr>', self.r.html, re.S).group(0)
        self.assertIn('class="badge r-fail"', row)
        self.assertIn("230 ms", row)
        self.assertIn("a_test.cpp:41", row)


class CrashedBinary(Common, ReportCase):
    fixture = "crashed"

    def test_crash_is_flagged_with_log_tail_and_other_binary_kept(self):
        s = self.r.suite("winhttp_crashy")
        self.assertEqual(s["status"], "crashed")
        self.assertEqual(s["status_text"], "crashed (exit code 0xC0000005, access violation)")
        self.assertEqual(s["running_test"], "Crashy.Boom")
        b = self.r.section("binaries")
        self.assertIn("crashed (exit code 0xC0000005, access violation)", b)
        self.assertIn("Unhandled page fault on read access", b)  # the log tail
        self.assertNotIn("\x1b", self.r.html)
        self.assertEqual(self.r.verdicts()["G-PASS"], "holds")  # from the binary that did not crash

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
        self.assertIn("hung (killed after 600 s)", self.r.html)
        self.assertIn("no progress for 60 s", self.r.section("binaries"))
        self.assertEqual(self.r.verdicts()["G-HUNG"], "violated")
        self.assertEqual(self.r.junit.get("errors"), "2")


class EmptyRun(Common, ReportCase):
    fixture = "empty"

    def test_empty(self):
        self.assertEqual(self.r.results["suites"], [])
        self.assertIn("No suite binary ran", self.r.html)
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
        row = re.search(r'<tr[^>]*id="st-G-KD".*?</tr>', self.r.html).group(0)
        self.assertIn("Wine serialises requests on one connection", row)

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

    def test_unsafe_section(self):
        u = self.r.section("unsafe")
        self.assertEqual(u.count('<svg class="chart chart-bars"'), 2)  # unsafe and safe side by side
        self.assertIn("WinHttpCloseHandle on a request while WinHttpReadData runs on it", u)
        self.assertIn("1234567", u)
        self.assertIn("85.30", u)
        for outcome, count in (("success", "301"), ("error 12017", "72"), ("crash 0xC0000005", "19"),
                               ("hang", "8")):
            self.assertIn(f">{outcome}</text>", u)
            self.assertIn(f">{count} <tspan", u)
        self.assertIn("close after the read returned", u)
        self.assertIn(">400 <tspan", u)
        self.assertEqual(self.r.verdicts()["U-DEMO"], "demonstrated")

    def test_timeline_section(self):
        c = self.r.section("connlimit")
        self.assertEqual(c.count('<svg class="chart chart-timeline"'), 2)
        self.assertEqual(c.count('class="limit"'), 2)
        self.assertIn("documented limit = 2", c)
        self.assertIn("observed peak = 2", c)
        self.assertIn("observed peak = 6", c)
        self.assertIn("peak 6 exceeds the documented limit 4", c)
        self.assertRegex(c, r'<path d="M[0-9.]+,[0-9.]+(H[0-9.]+V[0-9.]+)+')
        self.assertEqual(self.r.verdicts()["L-CONN-OVERRIDE"], "known_divergence")

    def test_cache_section(self):
        c = self.r.section("cache")
        self.assertIn("cache on", c)
        self.assertIn("INTERNET_FLAG_RELOAD | INTERNET_FLAG_NO_CACHE_WRITE", c)
        self.assertEqual(len(re.findall(r'<th class="num mono">', c)), 2)
        for v in ("2,000", "64", "475", "332", "4.21"):
            self.assertIn(f">{v}</td>", c)
        self.assertIn('class="num bad">3<', c)  # errors highlighted

    def test_properties_in_details(self):
        t = self.r.tests()["unsafe_lab:ConnLimit.OverrideIsIgnored"]
        self.assertIn("hc_timeline", t["properties"])
        row = re.search(r'<tr id="t-unsafe_lab-ConnLimit.OverrideIsIgnored".*?</tr>', self.r.html, re.S).group(0)
        self.assertIn("<details>", row)
        self.assertIn("hc_divergence_detail", row)
        self.assertIn("events (charted)", row)

    def test_malformed_lab_properties_do_not_break_the_report(self):
        d = self.tmp / "res"
        d.mkdir()
        data = json.loads((DATA / "lab" / "unsafe_lab.json").read_text())
        tests = data["testsuites"][0]["testsuite"]
        tests[0]["hc_unsafe"] = "{broken"
        for ts in data["testsuites"]:
            for t in ts["testsuite"]:
                if "hc_timeline" in t:
                    t["hc_timeline"] = json.dumps({"documented_limit": 2, "events": "nope"})
                if "hc_cache" in t:
                    t["hc_cache"] = "[1]"
        (d / "unsafe_lab.json").write_text(json.dumps(data))
        (d / "run.json").write_text((DATA / "lab" / "run.json").read_text())
        r = self.generate(d)
        self.assertIn("hc_unsafe is not valid JSON", r.section("unsafe"))
        self.assertIn("no events recorded", r.section("connlimit"))
        self.assertIn("hc_cache is not a JSON object", r.section("cache"))


class WindowsRun(Common, ReportCase):
    fixture = "windows"

    def test_header_names_the_windows_build(self):
        self.assertIn('<div class="muted" id="platform">Windows 10.0.22631</div>', self.r.html)
        self.assertNotIn("Wine", self.r.html.split("</header>")[0].split("<body>")[1])
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
        self.assertEqual(self.r.html.count('class="banner"'), 3)  # crashed + 2 hung

    def test_with_the_project_catalogue(self):
        from helpers import REPORTS
        r = self.generate("full", REPORTS.parent / "suites" / "catalogue.json")
        self.assertTrue(r.results["statements"])
        self.assertIn("not in the catalogue", r.html)  # the fixtures' ids are not the project's


if __name__ == "__main__":
    unittest.main()
