# Quick Refresh's listed changes move out of SyncJob.result into their own field (see SyncJob.changes).

from django.db import migrations, models


def move_out(apps, schema_editor):
    SyncJob = apps.get_model("sync", "SyncJob")
    for job in SyncJob.objects.filter(kind="quick_refresh").iterator(chunk_size=500):
        result = job.result if isinstance(job.result, dict) else {}
        if "changes" in result:
            job.changes = result.pop("changes") or []
            job.result = result
            job.save(update_fields=["changes", "result"])


def move_back(apps, schema_editor):
    SyncJob = apps.get_model("sync", "SyncJob")
    for job in SyncJob.objects.filter(kind="quick_refresh").exclude(changes=[]).iterator(chunk_size=500):
        job.result = {**(job.result if isinstance(job.result, dict) else {}), "changes": job.changes}
        job.save(update_fields=["result"])


class Migration(migrations.Migration):

    dependencies = [
        ("sync", "0010_touched_links_written_cheaply"),
    ]

    operations = [
        migrations.AddField(
            model_name="syncjob",
            name="changes",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(move_out, move_back),
    ]
