#!/usr/bin/env bash
# Stop the services that start.sh recorded in $E2E_STATE_DIR/run: SIGTERM to
# each recorded process group (both at once; each takes ~2 s to exit),
# SIGKILL after a grace period. Touches nothing else. Safe to run when
# nothing runs.
set -uo pipefail
# shellcheck source=env.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/env.sh"

# A group counts as gone when none of its members is alive any more; zombies
# (exited, not yet reaped by their parent) do not count.
group_alive() { ps -eo pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ {f=1} END {exit !f}'; }

groups=()
for name in nova glance; do
  f="$E2E_RUN_DIR/$name.pid"
  [ -f "$f" ] || continue
  pid="$(cat "$f")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
     [ "$(ps -o pgid= -p "$pid" | tr -d ' ')" = "$pid" ]; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    groups+=("$name:$pid")
  fi
  # else: gone, or the pid no longer leads its own group (reused): not ours.
  rm -f "$f"
done

for i in $(seq 1 100); do   # up to 10 s
  left=0
  for g in "${groups[@]}"; do group_alive "${g#*:}" && left=1; done
  [ "$left" = 0 ] && break
  sleep 0.1
done
for g in "${groups[@]}"; do
  if group_alive "${g#*:}"; then
    e2e_log "${g%%:*} (process group ${g#*:}) ignored SIGTERM; SIGKILL"
    kill -KILL -- "-${g#*:}" 2>/dev/null || true
  fi
  e2e_log "stopped ${g%%:*} (process group ${g#*:})"
done
rm -f "$E2E_RUN_DIR/urls.env" "$E2E_RUN_DIR/signature"
exit 0
