#!/usr/bin/env bash
# Seed the running services, reproducibly and idempotently:
#  - (normally done by setup.sh already, and then only checked) with Nova's own objects (seed_nova.py, nova.conf loaded): flavor
#    $E2E_FLAVOR_ID, server $E2E_SERVER_ID in cell1 (active, host e2e-host,
#    image_ref = $E2E_IMAGE_ID, project/user admin) and its InstanceMapping;
#  - then reset.sh, which creates the Glance image $E2E_IMAGE_ID (shared,
#    raw/bare, 16 bytes of data so it is active) with exactly the properties
#    kernel_id=nokernel, ramdisk_id=nokernel, and resets the server's state.
# A second run changes nothing but restores the seeded state.
set -euo pipefail
# shellcheck source=env.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/env.sh"
t0="$(e2e_now)"

curl -fsS -o /dev/null --max-time 5 "$GLANCE_URL/versions" \
  || e2e_die "Glance does not answer at $GLANCE_URL; run start.sh"
curl -sS -o /dev/null --max-time 5 "$NOVA_URL/" \
  || e2e_die "Nova does not answer at $NOVA_URL; run start.sh"

# setup.sh normally seeded the Nova objects already (they are part of its
# database template); a cheap sqlite look-up decides whether Nova's objects
# need to be loaded (~2 s) to create them.
if "$E2E_PY" - <<'PY'
import os, sqlite3, sys
d = os.path.join(os.environ['E2E_STATE_DIR'], 'nova')
api = sqlite3.connect(os.path.join(d, 'nova_api.sqlite'))
cell = sqlite3.connect(os.path.join(d, 'nova.sqlite'))
ok = (api.execute('SELECT 1 FROM flavors WHERE flavorid = ?', (os.environ['E2E_FLAVOR_ID'],)).fetchone()
      and api.execute('SELECT 1 FROM instance_mappings WHERE instance_uuid = ?', (os.environ['E2E_SERVER_ID'],)).fetchone()
      and cell.execute('SELECT 1 FROM instances WHERE uuid = ? AND deleted = 0', (os.environ['E2E_SERVER_ID'],)).fetchone())
sys.exit(0 if ok else 1)
PY
then
  e2e_log "nova objects present (flavor $E2E_FLAVOR_ID, server $E2E_SERVER_ID, mapping)"
else
  (cd "$E2E_NOVA_SCRIPTS" && "$E2E_PY" seed_nova.py --config-file "$NOVA_DIR/nova.conf") \
    >"$E2E_LOG_DIR/seed-nova.log" 2>&1 \
    || { tail -n 30 "$E2E_LOG_DIR/seed-nova.log" >&2; e2e_die "seed_nova.py failed"; }
  grep -v -i 'monkey patching' "$E2E_LOG_DIR/seed-nova.log" | sed 's/^/[e2e-nova]   /' >&2 || true
fi

bash "$E2E_NOVA_SCRIPTS/reset.sh"
e2e_log "seeded in $(e2e_since "$t0") s"
