"""The model and its rules, without files: statement verdicts, joining tests to statements,
error names, lab evidence and the fault-injection score."""
import json
import unittest

import helpers  # noqa: F401  (puts reports/ on sys.path)
from hcreport.build import join, name_apis, unknown_ids
from hcreport.error_codes import error_label, error_name, named, named_parts
from hcreport.evidence import limit_figures, outcome_kind, timeline_evidence, unsafe_evidence
from hcreport.faults import Fault, FaultReport
from hcreport.model import (Statement, Suite, Test, count_verdicts, statement_verdict, transport_verdicts,
                            verdict_label)


def test(name, result="pass", suite="bin", **props):
    catalogue = props.pop("catalogue", [])
    return Test(suite=suite, name=name, result=result, catalogue=catalogue,
                properties={k: v if isinstance(v, str) else json.dumps(v) for k, v in props.items()})


class StatementVerdictTest(unittest.TestCase):
    def v(self, results, kind="guarantee", testable=True):
        s = Statement(id="S", statement="s", kind=kind, testable=testable)
        tests = [test(f"A.T{i}", r, hc_divergence_reason=f"reason {i}") for i, r in enumerate(results)]
        return statement_verdict(s, tests)

    def test_precedence(self):
        self.assertEqual(self.v([])[0], "not_covered")
        self.assertEqual(self.v(["pass"], testable=False)[0], "not_testable")
        self.assertEqual(self.v(["pass", "pass"])[0], "holds")
        self.assertEqual(self.v(["pass"], kind="unsafe")[0], "demonstrated")
        self.assertEqual(self.v(["pass", "fail", "unexpected_pass"])[0], "violated")
        self.assertEqual(self.v(["pass", "unexpected_pass", "known_divergence"])[0], "unexpected_pass")
        self.assertEqual(self.v(["pass", "known_divergence"])[0], "known_divergence")
        self.assertEqual(self.v(["known_divergence", "not_run"])[0], "incomplete")
        self.assertEqual(self.v(["pass", "not_run"])[0], "incomplete")
        self.assertEqual(self.v(["not_run", "not_run"])[0], "not_run")

    def test_reasons_come_from_divergent_tests_only_once_each(self):
        self.assertEqual(self.v(["pass", "known_divergence"])[1], ["reason 1"])
        s = Statement(id="S", statement="s")
        same = [test("A.X", "known_divergence", hc_divergence_reason="r"),
                test("A.Y", "unexpected_pass", hc_divergence_reason="r")]
        self.assertEqual(statement_verdict(s, same), ("unexpected_pass", ["r"]))

    def test_unsafe_wording(self):
        self.assertEqual(verdict_label("holds", "guarantee"), "holds")
        self.assertEqual(verdict_label("violated", "unsafe"), "test failed")
        self.assertEqual(verdict_label("violated", "guarantee"), "violated")

    def test_counts_in_vocabulary_order(self):
        self.assertEqual(list(count_verdicts(["violated", "holds", "holds"]).items()),
                         [("holds", 2), ("violated", 1)])


class TransportTest(unittest.TestCase):
    def test_transport_from_the_property_or_the_name(self):
        self.assertEqual(test("A.T/Tls").transport, "Tls")
        self.assertEqual(test("A.T/Plain").transport, "Plain")
        self.assertEqual(test("A.T").transport, "Plain")
        self.assertEqual(test("A.T", hc_transport="Tls").transport, "Tls")

    def test_verdict_per_transport_only_when_both_ran(self):
        s = Statement(id="S", statement="s")
        self.assertEqual(transport_verdicts(s, [test("A.T/Plain"), test("A.U")]), {})
        both = [test("A.T/Plain"), test("A.T/Tls", "fail"), test("A.U", "known_divergence")]
        self.assertEqual(transport_verdicts(s, both), {"Plain": "known_divergence", "Tls": "violated"})
        self.assertEqual(statement_verdict(s, both)[0], "violated")

    def test_join_gives_statements_their_transport_verdicts(self):
        tests = [test("A.T/Plain", catalogue=["S1"]), test("A.T/Tls", "fail", catalogue=["S1"])]
        statements = [Statement(id="S1", statement="one")]
        join(statements, tests)
        self.assertEqual(statements[0].transport_verdicts, {"Plain": "holds", "Tls": "violated"})


class JoinTest(unittest.TestCase):
    def test_recorded_ids_listed_names_and_placeholders(self):
        a = test("WinHttpA.Passes", catalogue=["S1"])
        b = test("WinHttpB.Other", "fail")
        tests = [a, b]
        statements = [Statement(id="S1", statement="one"),
                      Statement(id="S2", statement="two", catalogue_tests=["Other", "Gone.Missing"]),
                      Statement(id="S3", statement="three", catalogue_tests=["bin:Gone.Missing"]),
                      Statement(id="S4", statement="four")]
        join(statements, tests)
        s1, s2, s3, s4 = statements
        self.assertEqual((s1.tests, s1.verdict), ([a], "holds"))
        self.assertEqual(s2.tests[0], b)  # matched by its short name
        self.assertEqual(s2.verdict, "violated")
        placeholder = s2.tests[1]
        self.assertEqual((placeholder.suite, placeholder.name, placeholder.result), (None, "Gone.Missing", "not_run"))
        self.assertIs(s3.tests[0], placeholder)  # one placeholder shared by both statements
        self.assertEqual(placeholder.catalogue, ["S2", "S3"])
        self.assertEqual(s3.verdict, "not_run")
        self.assertEqual(s4.verdict, "not_covered")
        self.assertEqual(len(tests), 3)

    def test_unknown_ids(self):
        t = test("A.B", catalogue=["NOPE", "S1"])
        self.assertEqual(unknown_ids([Statement(id="S1", statement="s")], [t]), {"NOPE": [t]})

    def test_apis_from_the_binary_label_else_the_statements(self):
        a, b, c = test("A.One", suite="wh"), test("B.Two", suite="lab"), test("C.Three", suite="lab")
        s = [Statement(id="S1", statement="s", api="wininet", tests=[b]),
             Statement(id="S2", statement="s", api="winhttp", tests=[c]),
             Statement(id="S3", statement="s", api="wininet", tests=[c])]
        name_apis(s, [Suite(name="wh", label="winhttp"), Suite(name="lab", label="unsafe")], [a, b, c])
        self.assertEqual((a.api, b.api, c.api), ("winhttp", "wininet", ""))

    def test_references_and_anchors(self):
        self.assertEqual(test("A.B").ref, "bin:A.B")
        self.assertEqual(Test(suite=None, name="A.B", result="not_run").ref, "A.B")
        self.assertEqual(test("A.B/1 <x>").anchor, "t-bin-A.B-1-x")
        self.assertEqual(Statement(id="WH CLOSE", statement="s").anchor, "st-WH-CLOSE")


class ErrorCodeTest(unittest.TestCase):
    def test_names(self):
        self.assertEqual(error_label(6), "ERROR_INVALID_HANDLE (6)")
        self.assertEqual(error_label(12017, "winhttp"), "ERROR_WINHTTP_OPERATION_CANCELLED (12017)")
        self.assertEqual(error_label(12017, "wininet"), "ERROR_INTERNET_OPERATION_CANCELLED (12017)")
        self.assertEqual(error_name(12017), "ERROR_WINHTTP_OPERATION_CANCELLED / ERROR_INTERNET_OPERATION_CANCELLED")
        self.assertEqual(error_name(12150, "wininet"), "ERROR_HTTP_HEADER_NOT_FOUND")
        self.assertEqual(error_label(4242), "4242")

    def test_text_with_error_numbers(self):
        self.assertEqual(named("InternetReadFile: error 12030, then error 99999", "wininet"),
                         "InternetReadFile: error ERROR_INTERNET_CONNECTION_ABORTED (12030), then error 99999")
        self.assertEqual(named("crash 0xC0000005"), "crash STATUS_ACCESS_VIOLATION (0xC0000005)")
        self.assertEqual(named_parts("no numbers"), [("no numbers", None)])
        self.assertEqual(named_parts("error 6"), [("error ", "ERROR_INVALID_HANDLE (6)")])
        self.assertEqual(named("terror 6 and error 6x"), "terror 6 and error 6x")


class EvidenceTest(unittest.TestCase):
    def test_unsafe_outcomes_ordered_named_and_counted(self):
        t = test("U.Close", hc_unsafe={"pattern": "p", "trials": 10, "seed": 7,
                                       "outcomes": {"hang": 1, "error 6": 2, "success": 5, "crash 0xC0000005": 2},
                                       "safe": {"pattern": "q", "trials": 10, "outcomes": {"success": 10}}})
        t.api = "winhttp"
        u, = unsafe_evidence([t])
        self.assertEqual([(o.label, o.count, o.kind) for o in u.hazard.items],
                         [("success", 5, "success"), ("ERROR_INVALID_HANDLE (6)", 2, "error"),
                          ("crash STATUS_ACCESS_VIOLATION (0xC0000005)", 2, "crash"), ("hang", 1, "hang")])
        self.assertEqual(u.hazard.fraction(u.hazard.items[0]), 0.5)
        self.assertEqual(u.safe.pattern, "q")
        self.assertEqual(unsafe_evidence([test("U.Bad", hc_unsafe="[1]")])[0].error, "not a JSON object")

    def test_outcome_kinds(self):
        self.assertEqual([outcome_kind(n) for n in ("success", "error 6", "crash x", "hang", "deadlock", "stale")],
                         ["success", "error", "crash", "hang", "hang", "other"])

    def test_timeline_and_limit_figures(self):
        t = test("L.Limit", hc_timeline={"title": "four", "documented_limit": 4, "observed_peak": 6,
                                         "events": [{"t_ms": 5, "open": 1}, {"t_ms": 1, "open": 2}, "junk"]},
                 second_server_peak="3", observed_peak=6)
        tl, = timeline_evidence([t])
        self.assertEqual(tl.events, [(1.0, 2), (5.0, 1)])
        self.assertTrue(tl.exceeds)
        lf = limit_figures([t, test("W.Query", hc_max_conns_per_server="query failed: 87")])
        self.assertEqual((lf["L.Limit"].title, lf["L.Limit"].figures),
                         ("four", [("documented limit", 4), ("observed peak", 6), ("second server peak", 3)]))
        self.assertTrue(lf["L.Limit"].exceeds)
        self.assertEqual(lf["W.Query"].figures, [("max conns per server", "query failed: 87")])


class FaultScoreTest(unittest.TestCase):
    def report(self, *verdicts):
        return FaultReport("x", 1.0, [Fault(id=f"f{i}", verdict=v) for i, v in enumerate(verdicts)])

    def test_score_is_caught_over_caught_and_survived(self):
        r = self.report("caught", "caught", "caught", "survived", "not_observable", "not_loaded")
        self.assertEqual(r.score, 0.75)
        self.assertEqual([f.id for f in r.not_observable], ["f4"])
        self.assertEqual([f.is_error for f in r.faults], [False] * 5 + [True])
        self.assertEqual(r.as_json()["errors"], 1)

    def test_nothing_scored(self):
        self.assertIsNone(self.report("not_observable", "not_loaded").score)
        self.assertTrue(Fault(id="f", verdict="bogus").is_error)


if __name__ == "__main__":
    unittest.main()
