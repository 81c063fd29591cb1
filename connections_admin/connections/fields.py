"""The ``connection`` foreign key of the things that use a connection (exports, enrichments)."""

from django.db import models
from django.db.models import F
from django.db.models.functions import Lower

from .models import Connection


def connection_field(*, related_name: str, verbose_name) -> models.ForeignKey:
    """Optional (without a connection the thing is inactive but keeps its settings), and a
    connection still in use cannot be deleted.

    No index of its own: the model's index on (connection, lower(name), id) starts with the
    connection and serves every look-up by connection. A second index would only slow down
    the bulk disconnect / deactivate, which rewrites the entries of every index.
    """
    return models.ForeignKey(
        Connection,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=related_name,
        db_index=False,
        verbose_name=verbose_name,
    )


def connection_name_index(name: str) -> models.Index:
    """What uses a connection (the Remove dialog), in name order, page by page."""
    return models.Index(F("connection"), Lower("name"), F("id"), name=name)
