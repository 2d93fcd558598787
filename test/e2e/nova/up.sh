#!/usr/bin/env bash
# Everything in one go: setup.sh (install if needed, fresh databases), start.sh,
# seed.sh. Prints the URLs (stdout). Stop with stop.sh.
#   bash test/e2e/nova/up.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/env.sh"
t0="$(e2e_now)"
bash "$here/setup.sh"
bash "$here/start.sh" >/dev/null
bash "$here/seed.sh"
e2e_log "up in $(e2e_since "$t0") s"
cat "$E2E_RUN_DIR/urls.env"
