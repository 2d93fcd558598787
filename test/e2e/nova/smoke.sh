#!/usr/bin/env bash
# Smoke check of the running real Nova + Glance (after start.sh and seed.sh).
# Prints each request and the key parts of each answer; exits non-zero on the
# first mismatch. Leaves the seeded state (runs reset.sh at the end).
#
#   bash test/e2e/nova/smoke.sh
#
# The createImage/createBackup-at-2.39 expectations depend on Glance's
# image_property_quota (E2E_GLANCE_PROPERTY_QUOTA, default 5): Nova's snapshot
# carries 3 properties of its own (instance_uuid, user_id, image_type; a
# backup also backup_type) plus the request's metadata, and Glance refuses an
# image with more than the quota (413), which Nova turns into a 500.
set -euo pipefail
# shellcheck source=env.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/env.sh"

TOKEN="admin:admin"
SID="$E2E_SERVER_ID"
IID="$E2E_IMAGE_ID"
# The quotas the running services were configured with (not the environment).
L="$(sed -n 's/^metadata_items = //p' "$NOVA_DIR/nova.conf")"
Q="$(sed -n 's/^image_property_quota = //p' "$GLANCE_DIR/glance-api.conf")"
echo "Nova [quota] metadata_items = $L; Glance image_property_quota = $Q"
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
pass=0; fail=0

# req NAME METHOD URL [VERSION] [JSON_BODY] -> $TMP/NAME.{raw,hdr,body,status}
req() {
  local name="$1" method="$2" url="$3" ver="${4:-}" body="${5:-}"
  local args=(-sS -i --http1.1 -X "$method" -H "X-Auth-Token: $TOKEN")
  [ -n "$ver" ] && args+=(-H "OpenStack-API-Version: compute $ver")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  curl "${args[@]}" "$url" >"$TMP/$name.raw"
  "$E2E_PY" - "$TMP/$name" <<'PY'
import sys
p = sys.argv[1]
raw = open(p + '.raw', 'rb').read()
head, _, body = raw.partition(b'\r\n\r\n')
lines = head.decode('latin-1').split('\r\n')
open(p + '.status', 'w').write(lines[0].split(' ')[1])
open(p + '.hdr', 'w').write('\n'.join(lines) + '\n')
open(p + '.body', 'wb').write(body)
PY
  printf '\n>>> %s %s%s\n' "$method" "${url#"$NOVA_URL"}" "${ver:+ (compute $ver)}"
  printf '<<< %s\n' "$(head -n1 "$TMP/$name.hdr")"
  grep -i '^location:' "$TMP/$name.hdr" | sed 's/^/<<< /' || true
  [ -s "$TMP/$name.body" ] && printf '<<< %s\n' "$(head -c 400 "$TMP/$name.body")"
  return 0
}
ok()   { pass=$((pass+1)); printf '    ok: %s\n' "$*"; }
bad()  { fail=$((fail+1)); printf '    FAIL: %s\n' "$*"; }
expect_status() { # name code
  local got; got="$(cat "$TMP/$1.status")"
  if [ "$got" = "$2" ]; then ok "status $2"; else bad "status $got, expected $2"; fi
}
expect_body() { # name exact-body
  if [ "$(cat "$TMP/$1.body")" = "$2" ]; then ok "body exact"; else bad "body differs, expected: $2"; fi
}
expect_py() { # name description python-expression over j (parsed body)
  if "$E2E_PY" -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($3) else 1)" "$TMP/$1.body" 2>/dev/null
  then ok "$2"; else bad "$2"; fi
}
location() { grep -i '^location:' "$TMP/$1.hdr" | head -n1 | sed 's/^[^:]*: *//' | tr -d '\r'; }
glance_props_have() { # image_id json-of-expected-subset
  curl -fsS "$GLANCE_URL/v2/images/$1" >"$TMP/glance-img.json"
  "$E2E_PY" -c "import json,sys; i=json.load(open(sys.argv[1])); e=json.loads(sys.argv[2]); sys.exit(0 if all(i.get(k)==v for k,v in e.items()) else 1)" \
    "$TMP/glance-img.json" "$2"
}
meta4='{"a": "1", "b": "2", "c": "3", "d": "4"}'

bash "$E2E_NOVA_SCRIPTS/reset.sh" 2>/dev/null

req root GET "$NOVA_URL/v2.1/"
expect_status root 200
expect_py root 'GET /v2.1/ reports 2.93' 'j["version"]["version"] == "2.93"'

req lim238 GET "$NOVA_URL/v2.1/limits" 2.38
expect_status lim238 200
expect_py lim238 "maxImageMeta == $L at 2.38" "j['limits']['absolute']['maxImageMeta'] == $L"
req lim239 GET "$NOVA_URL/v2.1/limits" 2.39
expect_py lim239 'no maxImageMeta at 2.39' "'maxImageMeta' not in j['limits']['absolute']"

req md238 GET "$NOVA_URL/v2.1/images/$IID/metadata" 2.38
expect_status md238 200
expect_body md238 '{"metadata": {"kernel_id": "nokernel", "ramdisk_id": "nokernel"}}'
req md239 GET "$NOVA_URL/v2.1/images/$IID/metadata" 2.39
expect_status md239 404
expect_body md239 '{"itemNotFound": {"code": 404, "message": "The resource could not be found."}}'
if grep -q '^Content-Type: application/json; charset=UTF-8$' "$TMP/md239.hdr"; then ok "404 is JSON"; else bad "404 Content-Type"; fi

# ---- createImage with L+1 metadata items
req ci238 POST "$NOVA_URL/v2.1/servers/$SID/action" 2.38 "{\"createImage\": {\"name\": \"smoke-238\", \"metadata\": $meta4}}"
expect_status ci238 403
expect_body ci238 '{"forbidden": {"code": 403, "message": "Image metadata limit exceeded"}}'

req ci239 POST "$NOVA_URL/v2.1/servers/$SID/action" 2.39 "{\"createImage\": {\"name\": \"smoke-239\", \"metadata\": $meta4}}"
if [ "$Q" -lt 0 ] || [ "$Q" -ge 7 ]; then
  expect_status ci239 202
  loc="$(location ci239)"
  case "$loc" in "$GLANCE_URL/images/"*) ok "Location $loc";; *) bad "Location '$loc'";; esac
  if glance_props_have "${loc##*/}" "{\"a\": \"1\", \"b\": \"2\", \"c\": \"3\", \"d\": \"4\", \"image_type\": \"snapshot\", \"instance_uuid\": \"$SID\"}"
  then ok "snapshot ${loc##*/} in Glance carries the 4 items"; else bad "snapshot properties"; fi
else
  # 3 + 4 = 7 properties > quota: Glance 413 -> Nova 500 computeFault.
  expect_status ci239 500
  expect_py ci239 'computeFault naming glanceclient HTTPOverLimit (Glance quota)' \
    "j['computeFault']['code'] == 500 and 'HTTPOverLimit' in j['computeFault']['message']"
  bash "$E2E_NOVA_SCRIPTS/reset.sh" 2>/dev/null
  # what fits Glance's quota still goes through at 2.39 without Nova's check:
  n=$((Q - 3)); meta="$("$E2E_PY" -c "import json; print(json.dumps({'k%d' % i: str(i) for i in range($n)}))")"
  req ci239b POST "$NOVA_URL/v2.1/servers/$SID/action" 2.39 "{\"createImage\": {\"name\": \"smoke-239b\", \"metadata\": $meta}}"
  expect_status ci239b 202
  loc="$(location ci239b)"
  case "$loc" in "$GLANCE_URL/images/"*) ok "Location $loc";; *) bad "Location '$loc'";; esac
  if glance_props_have "${loc##*/}" "$meta"; then ok "snapshot carries its $n items"; else bad "snapshot properties"; fi
fi
bash "$E2E_NOVA_SCRIPTS/reset.sh" 2>/dev/null

# ---- createBackup with L+1 metadata items
bk() { echo "{\"createBackup\": {\"name\": \"$1\", \"backup_type\": \"daily\", \"rotation\": 1, \"metadata\": $2}}"; }
req cb238 POST "$NOVA_URL/v2.1/servers/$SID/action" 2.38 "$(bk smoke-b238 "$meta4")"
expect_status cb238 403
expect_body cb238 '{"forbidden": {"code": 403, "message": "Image metadata limit exceeded"}}'
req cb239 POST "$NOVA_URL/v2.1/servers/$SID/action" 2.39 "$(bk smoke-b239 "$meta4")"
if [ "$Q" -lt 0 ] || [ "$Q" -ge 8 ]; then
  expect_status cb239 202
  loc="$(location cb239)"
  case "$loc" in "$NOVA_URL/v2.1/images/"*) ok "Location $loc";; *) bad "Location '$loc'";; esac
  if glance_props_have "${loc##*/}" "{\"a\": \"1\", \"b\": \"2\", \"c\": \"3\", \"d\": \"4\", \"image_type\": \"backup\", \"backup_type\": \"daily\"}"
  then ok "backup ${loc##*/} in Glance carries the 4 items"; else bad "backup properties"; fi
else
  expect_status cb239 500
  expect_py cb239 'computeFault naming glanceclient HTTPOverLimit (Glance quota)' \
    "'HTTPOverLimit' in j['computeFault']['message']"
  bash "$E2E_NOVA_SCRIPTS/reset.sh" 2>/dev/null
  n=$((Q - 4)); meta="$("$E2E_PY" -c "import json; print(json.dumps({'k%d' % i: str(i) for i in range($n)}))")"
  req cb239b POST "$NOVA_URL/v2.1/servers/$SID/action" 2.39 "$(bk smoke-b239b "$meta")"
  expect_status cb239b 202
  loc="$(location cb239b)"
  case "$loc" in "$NOVA_URL/v2.1/images/"*) ok "Location $loc";; *) bad "Location '$loc'";; esac
  if glance_props_have "${loc##*/}" "$meta"; then ok "backup carries its $n item(s)"; else bad "backup properties"; fi
fi

# ---- Glance's own property quota on PATCH (seeded image has 2 properties)
n=$((Q - 1)); [ "$Q" -lt 0 ] && n=0
if [ "$n" -gt 0 ]; then
  ops="$("$E2E_PY" -c "import json; print(json.dumps([{'op': 'add', 'path': '/q%d' % i, 'value': 'v'} for i in range($n)]))")"
  printf '\n>>> PATCH %s/v2/images/%s (+%d properties, quota %s)\n' "$GLANCE_URL" "$IID" "$n" "$Q"
  code="$(curl -sS -o "$TMP/gpatch.body" -w '%{http_code}' -X PATCH "$GLANCE_URL/v2/images/$IID" \
    -H 'Content-Type: application/openstack-images-v2.1-json-patch' --data-binary "$ops")"
  printf '<<< %s %s\n' "$code" "$(head -c 300 "$TMP/gpatch.body" | tr '\n' ' ')"
  if [ "$code" = 413 ]; then ok "Glance refuses (413) over its property quota"; else bad "Glance PATCH answered $code"; fi
fi

bash "$E2E_NOVA_SCRIPTS/reset.sh" 2>/dev/null
req mdend GET "$NOVA_URL/v2.1/images/$IID/metadata" 2.38
expect_body mdend '{"metadata": {"kernel_id": "nokernel", "ramdisk_id": "nokernel"}}'

echo
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
