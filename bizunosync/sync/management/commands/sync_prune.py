from django.core.management.base import BaseCommand, CommandError

from bizunosync.sync.prune import prune_sync_log, retention_days


class Command(BaseCommand):
    help = ("Delete sync-log entries past retention: succeeded and cancelled jobs (with their attempts) and "
            "inbound calls older than --days (default SYNC_LOG_RETENTION_DAYS, 90). Failed and needs-review "
            "jobs stay until resolved by a later success. The scheduler runs this daily.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help=f"Keep this many days (default {retention_days()}).")
        parser.add_argument("--dry-run", action="store_true", help="Count what would go; delete nothing.")

    def handle(self, *args, days=None, dry_run=False, **options):
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        result = prune_sync_log(days, dry_run=dry_run)
        text = str(result)
        self.stdout.write(text.replace("Pruned", "Dry run: would prune", 1).replace("; kept", "; would keep") if dry_run else text)
