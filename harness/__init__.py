"""mdsim benchmark harness: suites -> runs of `mdsim run` -> sqlite store -> tables, plots, reports.

Modules, each single-purpose:
  errors     InputError (bad suite / bad CLI input; exit status 2)
  jsonpath   parsing and evaluating the paths suites use into configs and results
  suite      loading, validating and expanding suite files
  build      bootstrap + cmake build of mdsim, `mdsim --version` parsing
  store      the sqlite results store (resume, failure records)
  executor   running `mdsim run` for many configs in parallel (local threads or dask)
  aggregate  per-point statistics across seeds
  plots      matplotlib PNGs
  report     report.txt / report.md / report.html
  cli        argument parsing and the overall flow (run_bench.py calls cli.main)
"""
