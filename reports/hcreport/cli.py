"""The make_report.py command line: one run's report, or the matrix of several runs."""
import argparse
import json
import pathlib
import sys

from .build import build_model
from .jsonfile import ReportError
from .junit import write_junit
from .matrix import build_matrix, load_runs, matrix_text
from .results_json import results_json
from .view import render_matrix, render_report

USAGE = ("%(prog)s --results DIR --catalogue FILE --out DIR\n"
         "       %(prog)s --compare RUN RUN [RUN...] --out DIR")


def parser():
    ap = argparse.ArgumentParser(
        prog="make_report.py", usage=USAGE,
        description="Writes index.html, junit.xml and results.json from a conformance results "
                    "directory, or one matrix page (index.html) comparing two or more runs.")
    ap.add_argument("--results", type=pathlib.Path, metavar="DIR",
                    help="results directory: run.json, NAME.json and NAME.log of each suite binary")
    ap.add_argument("--catalogue", type=pathlib.Path, metavar="FILE", help="suites/catalogue.json")
    ap.add_argument("--compare", nargs="+", metavar="RUN",
                    help="two or more runs: report directories or their results.json")
    ap.add_argument("--out", type=pathlib.Path, metavar="DIR", required=True, help="output directory")
    return ap


def write_text(path, text):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def main(argv=None):
    ap = parser()
    args = ap.parse_args(argv)
    if args.compare:
        if args.results or args.catalogue:
            ap.error("--compare takes no --results or --catalogue")
        if len(args.compare) < 2:
            ap.error("--compare needs two or more runs (report directories or results.json files)")
    else:
        if not args.results or not args.catalogue:
            ap.error("--results and --catalogue are required (or --compare RUN RUN [RUN...])")
        if not args.results.is_dir():
            ap.error(f"--results {args.results}: not a directory")

    if args.compare:
        try:
            runs = load_runs(args.compare, args.out)
        except ReportError as e:
            ap.error(str(e))
        try:
            args.out.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            ap.error(f"--out {args.out}: {e}")
        matrix = build_matrix(runs)
        write_text(args.out / "index.html", render_matrix(matrix))
        print(matrix_text(matrix))
        print(f"wrote {args.out / 'index.html'}")
        return 0

    try:
        model = build_model(args.results, args.catalogue)
    except ReportError as e:
        print(f"make_report.py: error: {e}", file=sys.stderr)
        return 1
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        ap.error(f"--out {args.out}: {e}")
    write_text(args.out / "index.html", render_report(model))
    write_text(args.out / "results.json", json.dumps(results_json(model), indent=1) + "\n")
    write_junit(model, args.out / "junit.xml")
    t = model.totals
    bad = [f"{s.name} {s.status_text}" for s in model.abnormal_suites]
    print(f"report: {t['pass']} passed, {t['fail']} failed, {t['known_divergence']} known divergences, "
          f"{t['unexpected_pass']} unexpected passes, {t['not_run']} not run"
          + (f"; {'; '.join(bad)}" if bad else "") + f" -> {args.out / 'index.html'}")
    return 0
