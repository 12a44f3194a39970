"""hinternet-conformance's report generator: one run's report (index.html, junit.xml,
results.json) and the matrix comparing several runs. Entry point: reports/make_report.py.

  inputs, catalogue, gtest_log, exit_status, faults   read a results directory
  model, build                                        the typed model and its verdict rules
  evidence                                            lab evidence read from test properties
  junit, results_json                                 the machine-readable outputs
  matrix                                              several runs side by side
  view, charts, format, templates/, static/           the HTML pages
"""
