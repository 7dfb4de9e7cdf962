from django.core.management.base import BaseCommand

from bizunosync.sync.jobs import run_due_jobs


class Command(BaseCommand):
    help = "Run sync jobs whose automatic retry is due (for task backends that cannot defer, or cron)."

    def handle(self, *args, **options):
        ran = run_due_jobs()
        self.stdout.write(f"Ran {len(ran)} due job(s){': ' + ', '.join(map(str, ran)) if ran else ''}.")
