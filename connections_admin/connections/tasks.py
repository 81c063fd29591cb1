"""Background tasks of connections: thin calls into services that take ids."""

from django_tasks import task

from . import verify


@task()
def verify_connection(check_id: int) -> None:
    verify.check_run(check_id=check_id)
