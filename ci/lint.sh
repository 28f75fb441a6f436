#!/usr/bin/env bash
# make lint: every linter of the project, each stage timed; a stage's output is shown only when it finds something.
# Exit 1 if any stage fails (all stages run).   ci/lint.sh PY
set -uo pipefail
py=$1
bin=$(dirname "$py")
rc=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
stage() {
  local name=$1; shift
  local t0=$SECONDS
  if "$@" >"$out" 2>&1; then
    echo "lint: $name: clean ($((SECONDS - t0)) s)"
  else
    cat "$out"
    echo "lint: $name: FAILED ($((SECONDS - t0)) s)"
    rc=1
  fi
}
stage "ruff" "$bin/ruff" check .
stage "mypy (strict on models/ and regress/)" "$bin/mypy" models regress eda
stage "import layers (lint-imports, pyproject [tool.importlinter])" "$bin/lint-imports" --no-cache
stage "HDL (verible + verilator -Wall on rtl/, verif/hdl/, tests/hdl/)" "$py" -m eda.hdl_lint
exit $rc
