#!/usr/bin/env bash
# make test: lint, the smoke regression (coverage, gate, reruns), the smoke suite on a real Slurm (ci/slurm_smoke.sh),
# then pytest; every stage runs, any failing fails.
# Prints each stage's wall time at the end.   ci/test.sh PY [pytest args...]
set -uo pipefail
py=$1; shift
rc=0
times=()
run_stage() {
  local name=$1; shift
  local t0=$SECONDS
  "$@" || { rc=1; name="$name (FAILED)"; }
  times+=("$(printf '%-44s %5d s' "$name" $((SECONDS - t0)))")
}
run_stage "lint" ci/lint.sh "$py"
run_stage "smoke regression (--cov --cov-gate --rerun-failed)" \
  ci/run_regress.sh "$py" smoke build/regress/test-smoke --cov --cov-gate --rerun-failed
# pytest's test_listed skips what that stage ran and passed (the same test, configuration and seed)
[[ $rc -eq 0 ]] && export LE_LISTED_PASSED_IN=build/regress/test-smoke/results.json
# the same suite on a real one-node Slurm; its transaction logs and buckets compared with the local run above
run_stage "smoke on Slurm (--cluster slurm, vs local)" \
  ci/slurm_smoke.sh "$py" build/regress/test-smoke build/regress/test-smoke-slurm
mkdir -p build
run_stage "pytest" bash -c 'set -o pipefail; "$@" 2>&1 | tee build/pytest.log' _ ci/run_pytest.sh "$py" "$@"
echo "make test stage times:"; printf '  %s\n' "${times[@]}"
# pytest's closing line again, last (CI reads the closing line)
grep -E '(passed|failed|no tests ran|error).* in [0-9.]+s' build/pytest.log | tail -n 1
exit $rc
