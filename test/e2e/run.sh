#!/usr/bin/env bash
# npm run test:e2e — a real Nova API + Glance from Debian's packages on loopback (set up
# idempotently by test/e2e/nova/up.sh), the gateway in front of it as a legacy 2.38
# upstream, and the conformance suite comparing both. Stops only what it started.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/../.."
# Glance's property quota must leave room for Nova's own snapshot properties (3 or 4) plus
# quota+1 metadata items, so that 2.39's "no compute quota" shows as a 202.
export E2E_GLANCE_PROPERTY_QUOTA="${E2E_GLANCE_PROPERTY_QUOTA:-8}"
export E2E_NOVA_METADATA_ITEMS="${E2E_NOVA_METADATA_ITEMS:-3}"
t0=$(date +%s)
if ! bash test/e2e/nova/up.sh; then
  echo "[e2e] could not start Nova and Glance" >&2
  bash test/e2e/nova/stop.sh || true
  exit 1
fi
trap 'bash test/e2e/nova/stop.sh >/dev/null 2>&1 || true' EXIT
# shellcheck source=nova/env.sh
. test/e2e/nova/env.sh
export NOVA_URL GLANCE_URL
npx jest -c jest.e2e.config.js
rc=$?
echo "[e2e] whole run $(( $(date +%s) - t0 )) s" >&2
exit $rc
