"""The regression tool `regress` (docs/regress.md); tool discovery and cached builds are in `eda`.

    regress list                                   # suites, tests, build configurations (regress/testlist.yaml)
    regress run smoke                              # SmokeTest at 64 + 128 bits, RandTest at 128, one seed each
    regress run nightly -j 2 --cov --rerun-failed  # every test, fresh seeds, coverage, failures rerun with waves
    regress run nightly --test rand --reseed 10    # one test, 10 seeds per configuration
    regress run smoke --seed 1234 --out out/dbg    # one master seed; --waves sets LE_WAVES=1
    regress run smoke --cov --cov-gate             # fail when coverage is below testlist.yaml coverage.gate
    regress report [OUT]                           # (re)write OUT/dashboard.html (default: the newest OUT)
    regress testplan [OUT]                         # validate verif/testplan.yaml; with OUT, each testpoint's status
    regress debug OUT/runs/<run_id> [--waves]      # rerun with operator probes: the first divergence from golden
    .venv/bin/python -m regress ...                # the same without the console script

Modules: testlist (the YAML list; a malformed list or an unknown test/suite stops with one line, exit 2),
runner (plan, one build per configuration up front, parallel subprocess runs with timeouts and Ctrl-C),
simrun (the command one run executes), results (per-run results.json, repro.sh, JUnit XML, results JSON,
summary), buckets (failure signatures), codecov / funccov / covgate (coverage merge, reports, gate), rerun
(--rerun-failed), debug + debug_probe (regress debug), report + report_* + history (the dashboard and its
trend database), testplan (verif/testplan.yaml: validation and per-testpoint status), launch (one listed
test outside a regression: pytest, benchmarks), cli. Exit status: 0 all passed, 1 a run failed, was interrupted or
missed the coverage gate.
"""
