"""Create the e2e flavor, server and instance mapping with Nova's own objects.

Run with Debian's interpreter and the e2e nova.conf:

    /usr/bin/python3 seed_nova.py --config-file $E2E_STATE_DIR/nova/nova.conf

Idempotent: existing objects are kept (the server's vm_state/task_state are
put back to active/None). Ids come from the environment (see env.sh).

There is no compute service: the server is only a database record in cell1,
enough for the API's createImage/createBackup (they look the instance up,
check its state, create the image in Glance and cast to a compute host over
the in-memory fake transport, which goes nowhere).
"""
import datetime
import os
import sys

from nova import config
from nova import context
from nova import exception
from nova import objects
from nova.compute import power_state
from nova.compute import vm_states
from nova.network import model as network_model

SERVER_ID = os.environ.get('E2E_SERVER_ID', '9168b536-cd40-4630-b43f-b259807c6e87')
IMAGE_ID = os.environ.get('E2E_IMAGE_ID', '70a599e0-31e7-49b7-b260-868f441e862b')
FLAVOR_ID = os.environ.get('E2E_FLAVOR_ID', 'e2e-tiny')
PROJECT_ID = os.environ.get('E2E_PROJECT_ID', 'admin')
USER_ID = os.environ.get('E2E_USER_ID', 'admin')
HOST = 'e2e-host'
FIXED_TIME = datetime.datetime(2026, 1, 1, 0, 0, 0, tzinfo=datetime.timezone.utc)


def main(argv):
    objects.register_all()
    config.parse_args(['seed_nova'] + argv)
    ctx = context.get_admin_context()

    cell = None
    for cm in objects.CellMappingList.get_all(ctx):
        if cm.name == 'cell1':
            cell = cm
    if cell is None:
        sys.exit('no cell named cell1 in the API database; run setup.sh')

    try:
        flavor = objects.Flavor.get_by_flavor_id(ctx, FLAVOR_ID)
        print('flavor %s exists' % FLAVOR_ID)
    except exception.FlavorNotFound:
        flavor = objects.Flavor(ctx, name='e2e.tiny', flavorid=FLAVOR_ID,
                                memory_mb=64, vcpus=1, root_gb=1,
                                ephemeral_gb=0, swap=0, rxtx_factor=1.0,
                                is_public=True, disabled=False,
                                description='e2e seed flavor',
                                extra_specs={})
        flavor.create()
        print('flavor %s created' % FLAVOR_ID)

    with context.target_cell(ctx, cell) as cctx:
        try:
            inst = objects.Instance.get_by_uuid(cctx, SERVER_ID)
            inst.vm_state = vm_states.ACTIVE
            inst.task_state = None
            inst.save()
            print('server %s exists (state reset to active)' % SERVER_ID)
        except exception.InstanceNotFound:
            inst = objects.Instance(
                context=cctx,
                uuid=SERVER_ID,
                project_id=PROJECT_ID,
                user_id=USER_ID,
                display_name='e2e-server',
                display_description='e2e-server',
                hostname='e2e-server',
                host=HOST,
                node='e2e-node',
                launched_on=HOST,
                availability_zone='nova',
                image_ref=IMAGE_ID,
                vm_state=vm_states.ACTIVE,
                power_state=power_state.RUNNING,
                task_state=None,
                flavor=flavor,
                old_flavor=None,
                new_flavor=None,
                instance_type_id=flavor.id,
                memory_mb=flavor.memory_mb,
                vcpus=flavor.vcpus,
                root_gb=flavor.root_gb,
                ephemeral_gb=flavor.ephemeral_gb,
                root_device_name='/dev/vda',
                metadata={},
                system_metadata={},
                info_cache=objects.InstanceInfoCache(
                    network_info=network_model.NetworkInfo([])),
                launched_at=FIXED_TIME,
                created_at=FIXED_TIME,
                locked=False,
                config_drive='',
            )
            inst.create()
            print('server %s created in cell1' % SERVER_ID)

    try:
        objects.InstanceMapping.get_by_instance_uuid(ctx, SERVER_ID)
        print('instance mapping exists')
    except exception.InstanceMappingNotFound:
        objects.InstanceMapping(ctx, instance_uuid=SERVER_ID, cell_mapping=cell,
                                project_id=PROJECT_ID, user_id=USER_ID,
                                queued_for_delete=False).create()
        print('instance mapping created')


if __name__ == '__main__':
    main(sys.argv[1:])
