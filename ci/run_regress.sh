#!/usr/bin/env bash
# Run a regression suite and point at its dashboard.
#   ci/run_regress.sh PY SUITE OUT [regress run options...]
# OUT may be empty (regress picks build/regress/<suite>-<time>). Exit code: regress run's (0 = all passed and,
# with --cov-gate, the coverage gate held).
set -uo pipefail
py=$1; suite=$2; out=$3; shift 3
args=(run "$suite" "$@")
[[ -n "$out" ]] && args+=(--out "$out")
"$py" -m regress "${args[@]}"
rc=$?
if [[ -z "$out" ]]; then
  out=$(ls -dt build/regress/"$suite"-* 2>/dev/null | head -n1)
fi
if [[ -n "$out" && -f "$out/dashboard.html" ]]; then
  echo "dashboard: $(cd "$out" && pwd)/dashboard.html"
fi
exit $rc
