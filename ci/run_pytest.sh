#!/usr/bin/env bash
# Run pytest; a run that collected no tests (exit 5) is not a failure of the build.
set -uo pipefail
py=$1; shift
"$py" -m pytest "$@"
rc=$?
if [[ $rc -eq 5 ]]; then
  echo "pytest collected no tests (exit 5): treated as success"
  exit 0
fi
exit $rc
