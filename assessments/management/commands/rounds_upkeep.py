from django.core.management.base import BaseCommand

from assessments import services


class Command(BaseCommand):
    help = (
        "Schedule the periodic upkeep of every open round that has none due (it "
        "asks for full scorings as teams grow and keeps stored readiness current), "
        "and queue a full scoring of every round judged by another version of the "
        "engine. Run it before starting workers, as make run does; running it "
        "again changes nothing."
    )

    def handle(self, *args, **options):
        scheduled, outdated = services.rounds_upkeep()
        self.stdout.write(
            f"Upkeep scheduled for {scheduled} open round(s); {outdated} round(s) "
            "judged by another version of the engine queued to be scored again."
        )
