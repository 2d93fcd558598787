#!/usr/bin/env bash
# Put Glance/Nova back to the seeded state (see reset.py). Target < 3 s.
#   bash test/e2e/nova/reset.sh
#   E2E_RESET_KEEP_SNAPSHOTS=1 bash test/e2e/nova/reset.sh   # keep snapshot images
set -euo pipefail
# shellcheck source=env.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/env.sh"
"$E2E_PY" "$E2E_NOVA_SCRIPTS/reset.py" 2>&1 | sed 's/^/[e2e-nova] /' >&2
exit "${PIPESTATUS[0]}"
