"""One door to the network: every outbound call of the product goes through here.

- ``policy``: which addresses may be reached, and the save-time check of IP literals;
- ``net``: ``Deadline``, ``resolve()`` and ``connect()`` (resolve once, check, connect
  to the checked address);
- ``http``: ``request()`` over HTTPS through ``net``, and ``requests_session()`` for
  libraries built on ``requests``;
- ``failures``: ``Failure`` categories and ``CheckFailed``, never raw exception text.

Imports only the standard library, Django and third-party libraries: no app of the
project (``connection_types`` imports it).
"""

from .failures import CheckFailed, Failure

__all__ = ["CheckFailed", "Failure"]
