from django.db import models

from connections_admin.connections.models import Connection


class Pipeline(models.Model):
    name = models.CharField(max_length=100)
    connection = models.ForeignKey(
        Connection, null=True, on_delete=models.PROTECT, related_name="pipelines"
    )

    def __str__(self) -> str:
        return self.name
