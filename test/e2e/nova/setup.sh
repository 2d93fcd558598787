#!/usr/bin/env bash
# Prepare a real Nova API (noauth2) + Glance from Debian's packages for the
# e2e suite: install the packages if missing, write configs under the state
# dir, and create fresh sqlite databases. Idempotent; safe to run twice.
#
#   bash test/e2e/nova/setup.sh            # install if needed + fresh DBs
#   E2E_FORCE_SYNC=1 bash .../setup.sh     # re-run the schema syncs instead
#                                          # of copying the cached template
# Services recorded as running in the state dir are stopped first (their DBs
# are replaced). Then: start.sh, seed.sh.
set -euo pipefail
# shellcheck source=env.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/env.sh"

t0="$(e2e_now)"

# ---------------------------------------------------------------- packages
install_packages() {
  [ "$(id -u)" = 0 ] || e2e_die "package install needs root"
  local created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    # Keep the packages' init scripts from starting Debian's own services.
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  local rc=0
  {
    e2e_log "apt-get update"
    apt-get update -q >"$E2E_LOG_DIR/apt-update.log" 2>&1 &&
    e2e_log "apt-get install $E2E_PACKAGES" &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
      $E2E_PACKAGES >"$E2E_LOG_DIR/apt-install.log" 2>&1
  } || rc=$?
  if [ "$created_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
  [ "$rc" = 0 ] || e2e_die "package install failed (rc=$rc), see $E2E_LOG_DIR/apt-install.log"
}

mkdir -p "$E2E_LOG_DIR" "$E2E_RUN_DIR"
if e2e_packages_present; then
  e2e_log "packages present: $E2E_PACKAGES"
else
  ti="$(e2e_now)"
  install_packages
  e2e_log "packages installed in $(e2e_since "$ti") s"
fi

# --------------------------------------------------- stop what would break
if ls "$E2E_RUN_DIR"/*.pid >/dev/null 2>&1; then
  e2e_log "stopping services recorded in $E2E_RUN_DIR before replacing their databases"
  bash "$E2E_NOVA_SCRIPTS/stop.sh"
fi

# ------------------------------------------------------------------ config
e2e_write_configs

# --------------------------------------------------------------- databases
# A schema sync costs ~15 s; its result depends only on the package versions
# the state dir and the seed, so it is kept as a template and copied on
# later runs.
TEMPLATE_DIR="$E2E_STATE_DIR/db-template"
stamp="$(dpkg-query -W -f='${Package}=${Version}\n' nova-api glance-api | tr '\n' ' ')state=$E2E_STATE_DIR ids=$E2E_SERVER_ID,$E2E_IMAGE_ID,$E2E_FLAVOR_ID seed=$(cksum <"$E2E_NOVA_SCRIPTS/seed_nova.py")"
DBS="nova/nova_api.sqlite nova/nova.sqlite nova/nova_cell0.sqlite glance/glance.sqlite"

rm -f "$NOVA_DIR"/*.sqlite "$GLANCE_DIR"/*.sqlite
rm -rf "$GLANCE_DIR/images" "$GLANCE_DIR/staging"
mkdir -p "$GLANCE_DIR/images" "$GLANCE_DIR/staging"

if [ "${E2E_FORCE_SYNC:-0}" != 1 ] && [ -f "$TEMPLATE_DIR/stamp" ] &&
   [ "$(cat "$TEMPLATE_DIR/stamp")" = "$stamp" ]; then
  for db in $DBS; do cp "$TEMPLATE_DIR/$(basename "$db")" "$E2E_STATE_DIR/$db"; done
  e2e_log "fresh databases (synced, nova objects seeded) copied from the template"
else
  ts="$(e2e_now)"
  NC=(nova-manage --config-file "$NOVA_DIR/nova.conf")
  (
    glance-manage --config-file "$GLANCE_DIR/glance-api.conf" db_sync \
      >"$E2E_LOG_DIR/glance-db-sync.log" 2>&1
  ) &
  gpid=$!
  {
    "${NC[@]}" api_db sync &&
    "${NC[@]}" cell_v2 map_cell0 --database_connection "sqlite:///$NOVA_DIR/nova_cell0.sqlite" &&
    "${NC[@]}" cell_v2 create_cell --name cell1 &&
    "${NC[@]}" db sync
  } >"$E2E_LOG_DIR/nova-db-sync.log" 2>&1 || {
    wait "$gpid" || true
    e2e_die "nova database sync failed, see $E2E_LOG_DIR/nova-db-sync.log"
  }
  wait "$gpid" || e2e_die "glance db_sync failed, see $E2E_LOG_DIR/glance-db-sync.log"
  e2e_log "databases synced in $(e2e_since "$ts") s"
  # The Nova side of the seed (flavor, server, instance mapping) needs no
  # running service, so it goes into the template too; seed.sh adds the
  # Glance image once Glance runs.
  ts="$(e2e_now)"
  (cd "$E2E_NOVA_SCRIPTS" && "$E2E_PY" seed_nova.py --config-file "$NOVA_DIR/nova.conf") \
    >"$E2E_LOG_DIR/seed-nova.log" 2>&1 \
    || { tail -n 30 "$E2E_LOG_DIR/seed-nova.log" >&2; e2e_die "seed_nova.py failed"; }
  e2e_log "nova objects seeded in $(e2e_since "$ts") s"
  rm -rf "$TEMPLATE_DIR"; mkdir -p "$TEMPLATE_DIR"
  for db in $DBS; do cp "$E2E_STATE_DIR/$db" "$TEMPLATE_DIR/"; done
  printf '%s' "$stamp" >"$TEMPLATE_DIR/stamp"
fi

e2e_log "setup done in $(e2e_since "$t0") s (state: $E2E_STATE_DIR)"
