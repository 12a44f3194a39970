#!/usr/bin/env python3
"""Writes the hinternet-conformance report from one run's results directory, or the matrix of
several runs.

  make_report.py --results DIR --catalogue suites/catalogue.json --out OUTDIR
      reads DIR/run.json, each suite's GoogleTest JSON and log, faults.json if there is one, and
      the catalogue; writes OUTDIR/index.html (one self-contained file), OUTDIR/junit.xml and
      OUTDIR/results.json.
  make_report.py --compare RUN RUN [RUN...] --out OUTDIR
      each RUN is a report directory or its results.json (e.g. a Windows runner's, Wine 8.0's,
      Wine 10.0's); writes OUTDIR/index.html, statements against implementations, and prints a
      summary of the verdicts that differ.

Exit status: 0 when the page was written (failed tests included), 1 when an input of a report is
unreadable or malformed (the message says which), 2 on bad arguments (a --compare RUN that is
not a run included), 3 when Jinja2 is missing.

Needs Python 3.9+ and Jinja2 (Debian: python3-jinja2; elsewhere: pip install -r
reports/requirements.txt). The code is the package hcreport/ beside this file. When the Python
running this has no Jinja2 but Debian's /usr/bin/python3 exists (e.g. python3 on PATH is a pyenv
build without Debian's dist-packages), the script runs itself again with /usr/bin/python3.
"""
import os
import pathlib
import sys

DEBIAN_PYTHON = "/usr/bin/python3"
REEXEC_MARK = "HC_REPORT_REEXEC"  # set when re-run by Debian's Python, so that it happens once
MISSING_JINJA2 = 3


def require_jinja2():
    try:
        import jinja2  # noqa: F401
        import markupsafe  # noqa: F401
        return
    except ImportError as e:
        missing = e.name or "jinja2"
    if (os.path.exists(DEBIAN_PYTHON) and not os.environ.get(REEXEC_MARK)
            and os.path.realpath(sys.executable) != os.path.realpath(DEBIAN_PYTHON)):
        os.environ[REEXEC_MARK] = "1"
        os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON, os.path.abspath(__file__), *sys.argv[1:]])
    print(f"make_report.py: error: the Python module {missing} is missing ({sys.executable}); the report "
          f"needs Jinja2. Debian: apt-get install python3-jinja2 (and run with {DEBIAN_PYTHON}); "
          f"elsewhere: python -m pip install -r reports/requirements.txt", file=sys.stderr)
    sys.exit(MISSING_JINJA2)


if __name__ == "__main__":
    require_jinja2()
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    from hcreport.cli import main
    sys.exit(main())
