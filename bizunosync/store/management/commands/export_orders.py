"""`manage.py export_orders [--list] [--all-unexported] [--force] [--mark-existing-exported] [NUMBER …]`.

Exports in the foreground, one line per order: number, result, and the
Bizuno ID or the failure class, then the plain-language summary.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from bizunosync.store.export.changes import CLOSED
from bizunosync.store.export.service import Outcome, export_order
from bizunosync.store.models import Order
from bizunosync.sync.models import SyncJob
from bizunosync.wire.messages import plural


class Command(BaseCommand):
    help = "Send orders to Bizuno (orderAdd) now, list the unexported ones, or flag existing orders as exported."

    def add_arguments(self, parser):
        parser.add_argument("numbers", nargs="*", metavar="NUMBER", help="Order numbers to export, e.g. 1001 1002.")
        parser.add_argument("--list", action="store_true", help="Print the orders not yet in Bizuno, oldest first.")
        parser.add_argument("--all-unexported", action="store_true", help="Export every order not yet in Bizuno.")
        parser.add_argument(
            "--force", action="store_true",
            help="Send the given orders even if already exported. Bizuno books them AGAIN (it has no duplicate check).",
        )
        parser.add_argument(
            "--mark-existing-exported", action="store_true",
            help="Flag every existing order as exported without sending anything (what the plugin does on "
            "activation, so a shop with years of history does not flood Bizuno).",
        )

    def handle(self, *args, numbers, list, all_unexported, force, mark_existing_exported, **options):
        if not (numbers or list or all_unexported or mark_existing_exported):
            raise CommandError("Give order numbers, or --list, --all-unexported or --mark-existing-exported.")
        if mark_existing_exported and (numbers or all_unexported or force):
            raise CommandError("--mark-existing-exported sends nothing; do not combine it with exports.")
        if force and all_unexported:
            raise CommandError("--force applies to order numbers you name, not to --all-unexported.")
        if list:
            return self.list_unexported()
        if mark_existing_exported:
            return self.mark_existing()
        orders = self.select(numbers, all_unexported)
        failures = 0
        for order in orders:
            result = export_order(order, force=force, trigger=SyncJob.Trigger.COMMAND)
            detail = f"Bizuno ID {result.bizuno_id}" if result.bizuno_id else (result.failure_class or "-")
            line = f"{result.number}\t{result.outcome}\t{detail}\t{result.summary}"
            if result.ok:
                self.stdout.write(line)
            else:
                failures += 1
                self.stdout.write(self.style.ERROR(line))
            for level, text in result.messages:
                self.stdout.write(f"\t  Bizuno {level}: {text}")
        if not orders:
            self.stdout.write("Nothing to export.")
        if failures:
            raise CommandError(f"{failures} of {plural(len(orders), 'order')} not exported.", returncode=1)

    def select(self, numbers, all_unexported):
        if all_unexported:
            # A cancelled order Bizuno does not have is never exported.
            return list(Order.objects.filter(exported=False).exclude(status__in=CLOSED).order_by("created", "pk"))
        found = {o.number: o for o in Order.objects.filter(number__in=numbers)}
        missing = [n for n in numbers if n not in found]
        if missing:
            raise CommandError(f"No such order: {', '.join(missing)}. Nothing was sent.")
        return [found[n] for n in dict.fromkeys(numbers)]

    def list_unexported(self):
        orders = Order.objects.filter(exported=False).exclude(status__in=CLOSED).order_by("created", "pk")
        count = 0
        for order in orders.iterator():
            count += 1
            name = order.billing_company or order.billing_name or order.billing_email
            self.stdout.write(f"{order.number}\t{timezone.localtime(order.created):%Y-%m-%d}\t{order.status}\t"
                              f"{order.total}\t{name}")
        self.stdout.write(f"{plural(count, 'order')} not yet in Bizuno.")

    def mark_existing(self):
        with transaction.atomic():
            count = Order.objects.filter(exported=False).update(exported=True, exported_at=timezone.now())
        self.stdout.write(f"Flagged {plural(count, 'existing order')} as exported; nothing was sent to Bizuno.")
