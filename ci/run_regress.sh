#!/usr/bin/env bash
# Run a regression suite (regress run prints the summary and, last, `dashboard: <path>`).
#   ci/run_regress.sh PY SUITE OUT [regress run options...]
# OUT may be empty (regress picks build/regress/<suite>-<time>). Exit code: regress run's (0 = all passed and,
# with --cov-gate, the coverage gate held).
set -uo pipefail
py=$1; suite=$2; out=$3; shift 3
args=(run "$suite" "$@")
[[ -n "$out" ]] && args+=(--out "$out")
exec "$py" -m regress "${args[@]}"
