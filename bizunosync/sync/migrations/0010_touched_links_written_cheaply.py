# Links are written a thousand at a time: per-owner partial unique indexes, no per-row owner check (see TouchedRecord).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sync', '0009_touched_records'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='touchedrecord',
            name='touched_once_per_job',
        ),
        migrations.RemoveConstraint(
            model_name='touchedrecord',
            name='touched_once_per_call',
        ),
        migrations.AlterField(
            model_name='touchedrecord',
            name='call',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='touched_records', to='sync.inboundcall'),
        ),
        migrations.AlterField(
            model_name='touchedrecord',
            name='job',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='touched_records', to='sync.syncjob'),
        ),
        migrations.AddConstraint(
            model_name='touchedrecord',
            constraint=models.UniqueConstraint(condition=models.Q(('job__isnull', False)), fields=('job', 'ref'), name='touched_once_per_job'),
        ),
        migrations.AddConstraint(
            model_name='touchedrecord',
            constraint=models.UniqueConstraint(condition=models.Q(('call__isnull', False)), fields=('call', 'ref'), name='touched_once_per_call'),
        ),
    ]
