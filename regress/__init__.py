"""Regression infrastructure: tool discovery (toolchain), cached simulator builds (simbuild), and the `regress`
runner.

    regress list                                   # suites, tests, build configurations (regress/testlist.yaml)
    regress run smoke                              # SmokeTest at 64 + 128 bits, RandTest at 128, one seed each
    regress run nightly -j 2                       # every test, reseeds x the suite's multiplier, fresh seeds
    regress run nightly --test rand --reseed 10    # one test, 10 seeds per configuration
    regress run smoke --seed 1234 --out out/dbg    # one master seed; --waves sets LE_WAVES=1; --cov is recorded
    .venv/bin/python -m regress ...                # the same without the console script

Modules: testlist (the YAML list; a malformed list or an unknown test/suite stops with one line, exit 2),
runner (plan, one build per configuration up front, parallel subprocess runs with timeouts and Ctrl-C),
simrun (the command one run executes), results (per-run results.json, repro.sh, JUnit XML, results JSON,
summary), buckets (failure signatures), cli. Exit status: 0 all passed, 1 a run failed or was interrupted.
"""
