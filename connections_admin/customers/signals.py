"""Signals of the customer data.

``system_refreshed``: sent by ``services.system_refresh()`` once new customer data is in
(after ``import_customers`` commits, or ``manage.py system_refresh``). ``sender`` is the
``Customer`` model; receivers take ``**kwargs`` (``source``: what asked for the refresh,
such as ``"import_customers"``). The exports app runs its "With every system refresh"
exports from it.
"""

from django.dispatch import Signal

system_refreshed = Signal()
