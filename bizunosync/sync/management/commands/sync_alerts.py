"""Send the alert emails that are due (the scheduler runs this every minute by itself)."""

from django.core.management.base import BaseCommand

from bizunosync.sync.alerts import send_alerts


class Command(BaseCommand):
    help = "Send due alert emails: connection down/recovered, and the digest of new failures."

    def handle(self, *args, **options):
        sent = send_alerts()
        self.stdout.write(f"down: {len(sent['down'])}, recovered: {len(sent['recovered'])}, "
                          f"digest: {sent['digest'] or 'none'}")
