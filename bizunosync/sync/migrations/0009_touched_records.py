"""Touched records move from a JSON list on each job and call to a table, one row per (job or call, ref).

The lists are copied into rows (strings only, lower-case, each once per job or call),
then the ``touched`` fields go. Backwards, the rows are copied back into the lists.
"""

import django.db.models.deletion
from django.db import migrations, models

OWNERS = 100  # jobs or calls read at a time: one list may hold 50,000 refs
ROWS = 500  # rows written at a time
MAX_REF = 120


def _owners(model, alias):
    """Every row of ``model`` as (pk, touched), read OWNERS at a time in pk order."""
    last = 0
    while chunk := list(model.objects.using(alias).filter(pk__gt=last).order_by("pk")
                        .values_list("pk", "touched")[:OWNERS]):
        yield from chunk
        last = chunk[-1][0]


def lists_to_rows(apps, schema_editor):
    alias = schema_editor.connection.alias
    TouchedRecord = apps.get_model("sync", "TouchedRecord")
    for model_name, owner in (("SyncJob", "job_id"), ("InboundCall", "call_id")):
        pending = []
        for pk, refs in _owners(apps.get_model("sync", model_name), alias):
            if not isinstance(refs, list):
                continue
            fresh = dict.fromkeys(ref.lower() for ref in refs if isinstance(ref, str) and 0 < len(ref) <= MAX_REF)
            for ref in fresh:
                pending.append(TouchedRecord(**{owner: pk}, ref=ref))
                if len(pending) >= ROWS:
                    TouchedRecord.objects.using(alias).bulk_create(pending, ignore_conflicts=True)
                    pending = []
        TouchedRecord.objects.using(alias).bulk_create(pending, ignore_conflicts=True)


def rows_to_lists(apps, schema_editor):
    alias = schema_editor.connection.alias
    TouchedRecord = apps.get_model("sync", "TouchedRecord")
    for model_name, owner in (("SyncJob", "job_id"), ("InboundCall", "call_id")):
        model = apps.get_model("sync", model_name)
        rows = TouchedRecord.objects.using(alias).filter(**{f"{owner}__isnull": False})
        last = 0
        while pks := list(rows.filter(**{f"{owner}__gt": last}).order_by(owner).values_list(owner, flat=True)
                          .distinct()[:OWNERS]):
            lists = {pk: [] for pk in pks}
            for pk, ref in rows.filter(**{f"{owner}__in": pks}).order_by("pk").values_list(owner, "ref").iterator():
                lists[pk].append(ref)
            owners = [model(pk=pk, touched=refs) for pk, refs in lists.items()]
            model.objects.using(alias).bulk_update(owners, ["touched"], batch_size=OWNERS)
            last = pks[-1]


class Migration(migrations.Migration):

    dependencies = [
        ('sync', '0008_alert_emails'),
    ]

    operations = [
        migrations.CreateModel(
            name='TouchedRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('ref', models.CharField(max_length=120)),
                ('call', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='touched_records', to='sync.inboundcall')),
                ('job', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='touched_records', to='sync.syncjob')),
            ],
            options={
                'verbose_name': 'touched record',
                'indexes': [models.Index(fields=['ref'], name='touchedrecord_ref')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('call__isnull', True), ('job__isnull', False)), models.Q(('call__isnull', False), ('job__isnull', True)), _connector='OR'), name='touched_by_a_job_or_a_call'), models.UniqueConstraint(fields=('job', 'ref'), name='touched_once_per_job'), models.UniqueConstraint(fields=('call', 'ref'), name='touched_once_per_call')],
            },
        ),
        migrations.RunPython(lists_to_rows, rows_to_lists),
        migrations.RemoveField(
            model_name='inboundcall',
            name='touched',
        ),
        migrations.RemoveField(
            model_name='syncjob',
            name='touched',
        ),
    ]
