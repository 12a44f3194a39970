"""Renders the pages from the Jinja2 templates in templates/ (autoescape on: every value is text
unless it is markup built by the package, like the SVG charts). The stylesheet and the matrix's
script are inlined, so each page is one self-contained file that opens from disk."""
import json
import pathlib

import jinja2
from markupsafe import Markup

from . import charts
from .error_codes import named_parts
from .evidence import CACHE_BAD, CACHE_ROWS, cache_evidence, timeline_evidence, unsafe_evidence
from .format import fmt_date, fmt_num, fmt_percent, fmt_seconds, now_utc
from .jsonfile import parse_json_property
from .inputs import LOG_TAIL_LINES
from .model import (RESULT_HELP, RESULT_LABEL, RESULTS, TRANSPORT_LABEL, VERDICT_HELP, VERDICT_LABEL, VERDICTS,
                    verdict_label)
from .text import as_number, clean_text, slug
from .wrappers import wrapper_evidence

HERE = pathlib.Path(__file__).resolve().parent
LAB_PROPERTIES = ("hc_unsafe", "hc_timeline", "hc_cache", "hc_wrapper")
TIMELINE_EVENTS_SHOWN = 12


def static(name):
    """A file of static/ to inline into a page."""
    text = (HERE / "static" / name).read_text(encoding="utf-8")
    if "</" in text:
        raise ValueError(f"static/{name} must not contain '</' (it is inlined into <style>/<script>)")
    return Markup(text)


def environment():
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(seconds=lambda v: fmt_seconds(as_number(v)), num=lambda v: fmt_num(as_number(v)),
                       number=as_number, date=fmt_date, percent=fmt_percent, slug=slug,
                       named_parts=named_parts)
    env.globals.update(RESULTS=RESULTS, RESULT_LABEL=RESULT_LABEL, RESULT_HELP=RESULT_HELP, VERDICTS=VERDICTS,
                       VERDICT_LABEL=VERDICT_LABEL, VERDICT_HELP=VERDICT_HELP, TRANSPORT_LABEL=TRANSPORT_LABEL,
                       verdict_label=verdict_label, LOG_TAIL_LINES=LOG_TAIL_LINES, css=static("report.css"), generated=now_utc(),
                       outcome_bars=charts.outcome_bars, outcome_strip=charts.outcome_strip,
                       timeline_chart=charts.timeline)
    return env


def shown_properties(test):
    """(name, text) of a test's recorded properties for its details; lab evidence pretty-printed,
    a long timeline's events counted (the chart shows them)."""
    out = []
    for k, v in sorted(test.properties.items()):
        if k == "catalogue":
            continue
        shown = v
        if k in LAB_PROPERTIES:
            val, err = parse_json_property(v)
            if err is None:
                if k == "hc_timeline" and isinstance(val, dict) and len(val.get("events") or []) > TIMELINE_EVENTS_SHOWN:
                    val = dict(val, events=f"{len(val['events'])} events (charted)")
                shown = json.dumps(val, indent=1)
        out.append((k, clean_text(shown)))
    return out


def test_groups(model):
    """(heading, tests) per binary, then the catalogue's tests absent from the results."""
    groups = [(s.name, s.tests) for s in model.suites]
    if model.orphans:
        groups.append(("listed in the catalogue, absent from the results", model.orphans))
    return groups


def render_report(model):
    return environment().get_template("report.html.j2").render(
        m=model, test_groups=test_groups(model), statement_ids={s.id for s in model.statements}, unsafe=unsafe_evidence(model.tests), timelines=timeline_evidence(model.tests),
        caches=cache_evidence(model.tests), cache_rows=CACHE_ROWS, cache_bad=CACHE_BAD,
        wrappers=wrapper_evidence(model.tests),
        shown_properties=shown_properties)


def render_matrix(matrix):
    return environment().get_template("matrix.html.j2").render(mx=matrix, script=static("matrix.js"))
