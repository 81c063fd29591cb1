"""Enqueue every periodic job's current slot. Safe to run again, on any machine: a slot
runs once (core/schedules.py). Run it after each deploy; ``make run`` does."""

from django.core.management.base import BaseCommand

from connections_admin.core import schedules


class Command(BaseCommand):
    help = "Start the periodic jobs (daily verify of connections, ...) on the task queue."

    def handle(self, *args, **options):
        names = schedules.start()
        self.stdout.write("Scheduled: " + (", ".join(names) or "nothing"))
