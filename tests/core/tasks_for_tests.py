"""A task the worker tests enqueue: it leaves one row each time it runs."""

from django_tasks import task

from tests.dependant_kind.models import Pipeline


@task()
def leave_a_row(n: int) -> None:
    Pipeline.objects.create(name=f"ran {n}")
