#!/usr/bin/env bash
# Print, as markdown, the exact raw HTTP responses (status line, headers as
# sent, body) of a set of requests against the running Nova/Glance. Used to
# produce observed.md; request ids, dates and snapshot ids change per run.
#
#   bash test/e2e/nova/capture.sh [full|short] > /tmp/raw.md
# Runs reset.sh before each state-changing request and at the end.
set -euo pipefail
# shellcheck source=env.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/env.sh"
mode="${1:-full}"
SID="$E2E_SERVER_ID"; IID="$E2E_IMAGE_ID"
Q="$(sed -n 's/^image_property_quota = //p' "$GLANCE_DIR/glance-api.conf")"
L="$(sed -n 's/^metadata_items = //p' "$NOVA_DIR/nova.conf")"
server="$(cat "$E2E_RUN_DIR/nova.server" 2>/dev/null || echo '?')"
TMP="$(mktemp)"; trap 'rm -f "$TMP"' EXIT

# show TITLE -- curl args...
show() {
  local title="$1"; shift; [ "$1" = -- ] && shift
  curl -sS -i --http1.1 "$@" >"$TMP"
  printf '\n#### %s\n\n```\n$ curl -i' "$title"
  printf ' %q' "$@"
  printf '\n'
  "$E2E_PY" - "$TMP" <<'PY'
import sys
raw = open(sys.argv[1], 'rb').read()
head, sep, body = raw.partition(b'\r\n\r\n')
print(head.decode('latin-1').replace('\r\n', '\n'))
print()
text = body.decode('utf-8', 'replace')
print(text if text.endswith('\n') or not text else text + '\n(no trailing newline)')
if body and (b'\n' in body.rstrip(b'\n') or not body.lstrip().startswith(b'{')):
    print('body bytes: %r' % body)
PY
  printf '```\n'
}
reset() { bash "$E2E_NOVA_SCRIPTS/reset.sh" 2>/dev/null; }
T=(-H 'X-Auth-Token: admin:admin')
J=(-H 'Content-Type: application/json')
v() { echo "OpenStack-API-Version: compute $1"; }
act="$NOVA_URL/v2.1/servers/$SID/action"
meta4='{"a": "1", "b": "2", "c": "3", "d": "4"}'

printf '### Nova via %s; Nova metadata_items = %s, Glance image_property_quota = %s\n' "$server" "$L" "$Q"
reset
show "GET / (root version document, no token)" -- "$NOVA_URL/"
show "GET /v2.1/ (no version header)" -- "${T[@]}" "$NOVA_URL/v2.1/"
show "GET /v2.1/images/{id}/metadata at 2.39 (gate 404)" -- "${T[@]}" -H "$(v 2.39)" "$NOVA_URL/v2.1/images/$IID/metadata"
show "PATCH /v2.1/images/{id}/metadata at 2.38 (router 404)" -- "${T[@]}" -H "$(v 2.38)" -X PATCH "$NOVA_URL/v2.1/images/$IID/metadata"
reset
show "createImage, no metadata, at 2.38 (202 + Glance Location)" -- "${T[@]}" "${J[@]}" -H "$(v 2.38)" -X POST "$act" -d '{"createImage": {"name": "snap"}}'
[ "$mode" = short ] && { reset; exit 0; }

show "GET /v2.1/images/{id}/metadata at 2.38" -- "${T[@]}" -H "$(v 2.38)" "$NOVA_URL/v2.1/images/$IID/metadata"
show "GET /v2.1/images/{id}/metadata/kernel_id at 2.38" -- "${T[@]}" -H "$(v 2.38)" "$NOVA_URL/v2.1/images/$IID/metadata/kernel_id"
show "GET /v2.1/images/{missing}/metadata at 2.38" -- "${T[@]}" -H "$(v 2.38)" "$NOVA_URL/v2.1/images/00000000-0000-0000-0000-000000000000/metadata"
show "POST /v2.1/images/{id}/metadata over Nova's quota at 2.38" -- "${T[@]}" "${J[@]}" -H "$(v 2.38)" -X POST "$NOVA_URL/v2.1/images/$IID/metadata" -d '{"metadata": {"x": "1", "y": "2"}}'
show "DELETE /v2.1/images/{id}/metadata/nope at 2.38" -- "${T[@]}" -H "$(v 2.38)" -X DELETE "$NOVA_URL/v2.1/images/$IID/metadata/nope"
show "GET /v2.1/this-does-not-exist (router 404)" -- "${T[@]}" "$NOVA_URL/v2.1/this-does-not-exist"
show "GET /servers (unversioned path at the root: 300 choices)" -- "${T[@]}" "$NOVA_URL/servers"
show "GET /v2.1/servers without X-Auth-Token (noauth2's 204)" -- "$NOVA_URL/v2.1/servers"
show "GET /v2.1/limits at 2.38" -- "${T[@]}" -H "$(v 2.38)" "$NOVA_URL/v2.1/limits"
show "GET /v2.1/ at compute latest" -- "${T[@]}" -H "$(v latest)" "$NOVA_URL/v2.1/"
show "GET /v2.1/limits with compute 2.1.3 (malformed: 400, no version headers)" -- "${T[@]}" -H "$(v 2.1.3)" "$NOVA_URL/v2.1/limits"
show "GET /v2.1/limits with compute 2.94 (out of range: 406)" -- "${T[@]}" -H "$(v 2.94)" "$NOVA_URL/v2.1/limits"
show "GET /v2/images/{id}/metadata (legacy /v2, header 2.39 ignored)" -- "${T[@]}" -H "$(v 2.39)" "$NOVA_URL/v2/images/$IID/metadata"
show "createImage with $((L+1)) metadata items at 2.38" -- "${T[@]}" "${J[@]}" -H "$(v 2.38)" -X POST "$act" -d "{\"createImage\": {\"name\": \"snap\", \"metadata\": $meta4}}"
reset
show "createImage with $((L+1)) metadata items at 2.39 (Glance quota $Q)" -- "${T[@]}" "${J[@]}" -H "$(v 2.39)" -X POST "$act" -d "{\"createImage\": {\"name\": \"snap\", \"metadata\": $meta4}}"
reset
curl -sS -o /dev/null "${T[@]}" "${J[@]}" -H "$(v 2.39)" -X POST "$act" -d '{"createImage": {"name": "snap1"}}'
show "a second createImage right after a 202 one (task_state image_snapshot_pending)" -- "${T[@]}" "${J[@]}" -H "$(v 2.39)" -X POST "$act" -d '{"createImage": {"name": "snap2"}}'
reset
show "createImage at 2.45 (JSON body, no Location)" -- "${T[@]}" "${J[@]}" -H "$(v 2.45)" -X POST "$act" -d '{"createImage": {"name": "snap"}}'
reset
show "createBackup, rotation 1, at 2.38 (Location = Nova's /v2.1/images/<id>)" -- "${T[@]}" "${J[@]}" -H "$(v 2.38)" -X POST "$act" -d '{"createBackup": {"name": "Backup 1", "backup_type": "daily", "rotation": 1}}'
reset
show "createBackup with $((L+1)) metadata items at 2.39 (Glance quota $Q)" -- "${T[@]}" "${J[@]}" -H "$(v 2.39)" -X POST "$act" -d "{\"createBackup\": {\"name\": \"Backup 1\", \"backup_type\": \"daily\", \"rotation\": 1, \"metadata\": $meta4}}"
reset
show "createBackup, rotation 0, at 2.38 (no Location)" -- "${T[@]}" "${J[@]}" -H "$(v 2.38)" -X POST "$act" -d '{"createBackup": {"name": "Backup 0", "backup_type": "daily", "rotation": 0}}'
reset
show "os-resetState (what reset.sh does)" -- "${T[@]}" "${J[@]}" -X POST "$act" -d '{"os-resetState": {"state": "active"}}'

printf '\n### Glance (eventlet glance-api), image_property_quota = %s\n' "$Q"
ops="$("$E2E_PY" -c "import json; print(json.dumps([{'op': 'add', 'path': '/q%d' % i, 'value': 'v'} for i in range(max($Q - 1, 1))]))")"
show "PATCH image over Glance's property quota (2 seeded + $(( Q > 1 ? Q - 1 : 1 )))" -- -X PATCH -H 'Content-Type: application/openstack-images-v2.1-json-patch' "$GLANCE_URL/v2/images/$IID" -d "$ops"
show "GET /v2/images/{id}" -- "$GLANCE_URL/v2/images/$IID"
reset
