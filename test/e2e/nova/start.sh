#!/usr/bin/env bash
# Start Glance and nova-api on 127.0.0.1, each in its own process group
# (setsid), record their pids in $E2E_STATE_DIR/run, wait until each answers,
# print the URLs (also written to $E2E_STATE_DIR/run/urls.env).
#
#   bash test/e2e/nova/start.sh
#   E2E_NOVA_SERVER=eventlet bash test/e2e/nova/start.sh   # nova-api (eventlet)
#
# Requires setup.sh to have run. If both services already run and answer,
# nothing is restarted.
set -euo pipefail
# shellcheck source=env.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/env.sh"

t0="$(e2e_now)"
[ -f "$NOVA_DIR/nova_api.sqlite" ] && [ -f "$GLANCE_DIR/glance.sqlite" ] \
  || e2e_die "no databases under $E2E_STATE_DIR; run test/e2e/nova/setup.sh first"

alive() { # name -> 0 if the recorded process group leader is alive
  local f="$E2E_RUN_DIR/$1.pid" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f")"
  [ -n "$pid" ] || return 1
  # alive (not a zombie) and still the leader of its own process group
  ps -o pgid=,stat= -p "$pid" 2>/dev/null | awk -v p="$pid" '$1 == p && $2 !~ /^Z/ {f=1} END {exit !f}'
}

# What the running services were started with; a change means a restart.
signature="server=$E2E_NOVA_SERVER nova=$E2E_NOVA_PORT glance=$E2E_GLANCE_PORT metadata_items=$E2E_NOVA_METADATA_ITEMS image_property_quota=$E2E_GLANCE_PROPERTY_QUOTA"
if alive glance && alive nova &&
   [ "$(cat "$E2E_RUN_DIR/signature" 2>/dev/null)" = "$signature" ] &&
   curl -fsS -o /dev/null --max-time 2 "$GLANCE_URL/versions" &&
   curl -fsS -o /dev/null --max-time 2 "$NOVA_URL/"; then
  e2e_log "already running ($signature)"
  cat "$E2E_RUN_DIR/urls.env"
  exit 0
fi
if ls "$E2E_RUN_DIR"/*.pid >/dev/null 2>&1; then
  bash "$E2E_NOVA_SCRIPTS/stop.sh"
fi

for port in "$E2E_GLANCE_PORT" "$E2E_NOVA_PORT"; do
  if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; then
    e2e_die "something already listens on 127.0.0.1:$port (not started by these scripts)"
  fi
done

e2e_write_configs
export PYTHONPATH="$E2E_NOVA_SCRIPTS${PYTHONPATH:+:$PYTHONPATH}"
cd "$E2E_STATE_DIR"

# Glance: eventlet server (glance-api), one worker.
setsid glance-api --config-file "$GLANCE_DIR/glance-api.conf" \
  >"$E2E_LOG_DIR/glance-stdout.log" 2>&1 </dev/null &
echo $! >"$E2E_RUN_DIR/glance.pid"

# Nova: uwsgi keeps Nova's own header spelling (eventlet re-capitalises names
# and adds Date). uwsgi's HTTP router (--http, async, keep-alive) in front of
# the one worker on a unix socket: with --http(11)-socket the single
# synchronous worker would sit on an idle keep-alive connection and stall
# every other connection for uwsgi's 4 s socket timeout. eventlet is the
# fallback (E2E_NOVA_SERVER=eventlet).
case "$E2E_NOVA_SERVER" in
  uwsgi)
    sock="$E2E_RUN_DIR/nova-uwsgi.sock"
    [ "${#sock}" -lt 100 ] || sock="${TMPDIR:-/tmp}/e2e-nova-$E2E_NOVA_PORT.sock"
    rm -f "$sock"
    OS_NOVA_CONFIG_DIR="$NOVA_DIR" OS_NOVA_CONFIG_FILES="api-paste.ini;nova.conf" \
    setsid uwsgi --plugin python3,http \
      --http "127.0.0.1:$E2E_NOVA_PORT" --http-keepalive --socket "$sock" \
      --wsgi-file /usr/bin/nova-api-wsgi --master --processes 1 --threads 1 \
      --lazy-apps --need-app --die-on-term --no-orphans --buffer-size 65535 \
      --listen 100 --procname-prefix e2e- \
      >"$E2E_LOG_DIR/nova-stdout.log" 2>&1 </dev/null &
    ;;
  eventlet)
    setsid nova-api --config-file "$NOVA_DIR/nova.conf" \
      >"$E2E_LOG_DIR/nova-stdout.log" 2>&1 </dev/null &
    ;;
  *) e2e_die "E2E_NOVA_SERVER must be uwsgi or eventlet" ;;
esac
echo $! >"$E2E_RUN_DIR/nova.pid"
echo "$E2E_NOVA_SERVER" >"$E2E_RUN_DIR/nova.server"

wait_for() { # name url logfile
  local name="$1" url="$2" log="$3" deadline
  deadline=$(( $(date +%s) + E2E_START_TIMEOUT ))
  while :; do
    if curl -s -o /dev/null --max-time 2 "$url"; then return 0; fi
    if ! alive "$name"; then
      e2e_log "$name exited during start-up; last lines of $log:"
      tail -n 30 "$log" >&2 || true
      bash "$E2E_NOVA_SCRIPTS/stop.sh" || true
      exit 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      e2e_log "$name did not answer $url within ${E2E_START_TIMEOUT}s; last lines of $log:"
      tail -n 30 "$log" >&2 || true
      bash "$E2E_NOVA_SCRIPTS/stop.sh" || true
      exit 1
    fi
    sleep 0.1
  done
}
wait_for glance "$GLANCE_URL/versions" "$E2E_LOG_DIR/glance-stdout.log"
wait_for nova "$NOVA_URL/" "$E2E_LOG_DIR/nova-stdout.log"

echo "$signature" >"$E2E_RUN_DIR/signature"
cat >"$E2E_RUN_DIR/urls.env" <<URLS
NOVA_URL=$NOVA_URL
NOVA_COMPUTE_URL=$NOVA_URL/v2.1
GLANCE_URL=$GLANCE_URL
URLS
e2e_log "started ($E2E_NOVA_SERVER) in $(e2e_since "$t0") s: glance pid $(cat "$E2E_RUN_DIR/glance.pid"), nova pid $(cat "$E2E_RUN_DIR/nova.pid")"
cat "$E2E_RUN_DIR/urls.env"
