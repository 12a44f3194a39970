"""junit.xml: one <testsuite> per suite binary (plus one for catalogue tests that did not run);
an abnormal exit of a binary is an <error> test case of its own."""
import xml.etree.ElementTree as ET

from .text import clean_text as x, failure_summary

ORPHANS_SUITE = "catalogue (tests that did not run)"


def write_junit(model, path):
    root = ET.Element("testsuites", name="hinternet-conformance")
    total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    groups = [(s.name, s, s.tests) for s in model.suites]
    if model.orphans:
        groups.append((ORPHANS_SUITE, None, model.orphans))
    for name, suite, tests in groups:
        ts = ET.SubElement(root, "testsuite", name=x(name))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        if suite:
            props = ET.SubElement(ts, "properties")
            for k, v in (("label", suite.label), ("platform", suite.platform), ("exit_status", suite.status_text)):
                ET.SubElement(props, "property", name=k, value=x(v))
        for t in tests:
            add_testcase(ts, name, suite is not None, t, counts)
        if suite and suite.abnormal:
            tc = ET.SubElement(ts, "testcase", name="binary exit status", classname=x(name),
                               time=f"{suite.duration_s or 0:.3f}")
            counts["tests"] += 1
            counts["errors"] += 1
            ET.SubElement(tc, "error", message=x(f"{name}: {suite.status_text}"), type=suite.status).text = x(
                f"{suite.status_text}\n--- last lines of {suite.log or 'the log'} ---\n{suite.log_tail}")
        for k, v in counts.items():
            ts.set(k, str(v))
            total[k] += v
        ts.set("time", f"{(suite.duration_s if suite else 0) or 0:.3f}")
    for k, v in total.items():
        root.set(k, str(v))
    root.set("time", f"{model.run.wall_s or 0:.3f}")
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)


def add_testcase(ts, suite_name, in_binary, t, counts):
    cls, _, short = t.name.rpartition(".")
    tc = ET.SubElement(ts, "testcase", name=x(short or t.name),
                       classname=x(f"{suite_name}.{cls}" if in_binary and cls else (cls or suite_name)),
                       time=f"{t.duration_s or 0:.3f}")
    counts["tests"] += 1
    text = "\n\n".join(t.failures) or t.note or ""
    if t.result == "fail":
        counts["failures"] += 1
        first = failure_summary(t.failures[0]) if t.failures else (t.note or "failed")
        ET.SubElement(tc, "failure", message=x(first[:300]), type="failure").text = x(text)
    elif t.result == "unexpected_pass":
        counts["failures"] += 1
        ET.SubElement(tc, "failure", message=x(f"unexpected pass: the known divergence "
                                               f"\"{t.divergence_reason}\" did not occur"),
                      type="unexpected_pass").text = x(text)
    elif t.result == "not_run":
        counts["skipped"] += 1
        ET.SubElement(tc, "skipped", message=x(t.note or "not run"))
    elif t.result == "known_divergence":
        detail = t.properties.get("hc_divergence_detail", "")
        ET.SubElement(tc, "system-out").text = x(
            f"KNOWN DIVERGENCE (passes): {t.divergence_reason}\n{detail}".rstrip())
