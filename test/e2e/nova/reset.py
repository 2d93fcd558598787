"""Put the e2e Nova/Glance state back to the seeded state, fast (stdlib only).

 - Glance image E2E_IMAGE_ID exists (re-created with the same id if it was
   deleted, e.g. by DELETE /v2.1/images/{id} at <=2.35), is active, and has
   exactly the properties kernel_id=nokernel, ramdisk_id=nokernel;
 - every other image (snapshots/backups made by createImage/createBackup) is
   deleted, unless E2E_RESET_KEEP_SNAPSHOTS=1;
 - the server's vm_state/task_state go back to active/None through Nova's
   admin action os-resetState (a createImage leaves image_snapshot_pending).

Usage: /usr/bin/python3 reset.py   (env from env.sh: GLANCE_URL, NOVA_URL,
E2E_IMAGE_ID, E2E_SERVER_ID, E2E_STATE_DIR)
"""
import json
import os
import sqlite3
import sys
import time
import urllib.error
import urllib.request

GLANCE = os.environ['GLANCE_URL']
NOVA = os.environ['NOVA_URL']
IMAGE_ID = os.environ['E2E_IMAGE_ID']
SERVER_ID = os.environ['E2E_SERVER_ID']
GLANCE_DB = os.path.join(os.environ['E2E_STATE_DIR'], 'glance', 'glance.sqlite')
SEEDED_PROPS = {'kernel_id': 'nokernel', 'ramdisk_id': 'nokernel'}
IMAGE_DATA = b'e2e-image-data\n\n'
# Attributes of a Glance v2 image that are not (extra) properties.
CORE = {
    'id', 'name', 'status', 'visibility', 'protected', 'checksum', 'owner',
    'size', 'virtual_size', 'min_ram', 'min_disk', 'created_at', 'updated_at',
    'tags', 'disk_format', 'container_format', 'direct_url', 'locations',
    'self', 'file', 'schema', 'os_hidden', 'os_hash_algo', 'os_hash_value',
    'stores',
}


def call(method, url, body=None, ctype='application/json', headers=None,
         ok=(200, 201, 202, 204)):
    data = None
    hdrs = dict(headers or {})
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        hdrs['Content-Type'] = ctype
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    if status not in ok:
        raise SystemExit('%s %s -> %s %s' % (method, url, status, raw[:300]))
    return status, (json.loads(raw) if raw and raw[:1] in b'{[' else None)


def purge_deleted_image_rows():
    # Glance never reuses the id of a deleted image (its row stays with
    # deleted=1); drop those rows so the fixed id can be created again.
    con = sqlite3.connect(GLANCE_DB, timeout=10)
    with con:
        for table in ('image_properties', 'image_tags', 'image_members',
                      'image_locations'):
            con.execute('DELETE FROM %s WHERE image_id = ?' % table, (IMAGE_ID,))
        con.execute('DELETE FROM images WHERE id = ?', (IMAGE_ID,))
    con.close()


def ensure_image():
    status, image = call('GET', '%s/v2/images/%s' % (GLANCE, IMAGE_ID),
                         ok=(200, 404))
    if status == 404:
        purge_deleted_image_rows()
        body = {'id': IMAGE_ID, 'name': 'e2e-image', 'visibility': 'shared',
                'disk_format': 'raw', 'container_format': 'bare'}
        body.update(SEEDED_PROPS)
        call('POST', '%s/v2/images' % GLANCE, body)
        call('PUT', '%s/v2/images/%s/file' % (GLANCE, IMAGE_ID), IMAGE_DATA,
             ctype='application/octet-stream')
        print('image %s created' % IMAGE_ID)
        return
    ops = []
    for key in sorted(image):
        if key not in CORE and key not in SEEDED_PROPS:
            ops.append({'op': 'remove', 'path': '/' + key})
    for key, value in sorted(SEEDED_PROPS.items()):
        if key not in image:
            ops.append({'op': 'add', 'path': '/' + key, 'value': value})
        elif image[key] != value:
            ops.append({'op': 'replace', 'path': '/' + key, 'value': value})
    if ops:
        call('PATCH', '%s/v2/images/%s' % (GLANCE, IMAGE_ID), ops,
             ctype='application/openstack-images-v2.1-json-patch')
        print('image properties restored (%d ops)' % len(ops))
    if image.get('status') == 'queued':
        call('PUT', '%s/v2/images/%s/file' % (GLANCE, IMAGE_ID), IMAGE_DATA,
             ctype='application/octet-stream')


def delete_other_images():
    url = '%s/v2/images?limit=200' % GLANCE
    doomed = []
    while url:
        _, page = call('GET', url)
        doomed += [i['id'] for i in page['images'] if i['id'] != IMAGE_ID]
        url = GLANCE + page['next'] if page.get('next') else None
    for image_id in doomed:
        call('DELETE', '%s/v2/images/%s' % (GLANCE, image_id), ok=(204, 404))
    if doomed:
        print('deleted %d other image(s)' % len(doomed))


def reset_server():
    status, body = call(
        'POST', '%s/v2.1/servers/%s/action' % (NOVA, SERVER_ID),
        {'os-resetState': {'state': 'active'}},
        headers={'X-Auth-Token': 'admin:admin'}, ok=(202, 404))
    if status == 404:
        raise SystemExit('server %s not found; run seed.sh' % SERVER_ID)


def main():
    t0 = time.time()
    ensure_image()
    if os.environ.get('E2E_RESET_KEEP_SNAPSHOTS') != '1':
        delete_other_images()
    reset_server()
    print('reset done in %.2f s' % (time.time() - t0))


if __name__ == '__main__':
    main()
