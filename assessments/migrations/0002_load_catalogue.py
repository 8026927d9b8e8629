"""Load the question catalogue from ``assessments.catalogue``.

The loader is idempotent per (key, version): running it again after a wording
change with a new ``CATALOGUE_VERSION`` adds the new version beside the old one,
which rounds that ran with it keep.
"""

from django.db import migrations

from assessments import catalogue


def load_catalogue(apps, schema_editor):
    Step = apps.get_model("assessments", "Step")
    Question = apps.get_model("assessments", "Question")
    version = catalogue.CATALOGUE_VERSION
    steps = {}
    for spec in catalogue.STEPS:
        steps[spec.key], _ = Step.objects.update_or_create(
            key=spec.key,
            version=version,
            defaults={
                "number": spec.number,
                "name": spec.name,
                "moment_of_truth": spec.moment_of_truth,
                "summary": spec.summary,
            },
        )
    for spec in catalogue.QUESTIONS:
        Question.objects.update_or_create(
            step=steps[spec.step],
            key=spec.key,
            defaults={"position": spec.position, "text": spec.text, "hint": spec.hint},
        )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
