"""A successful sign-in clears only the failures of that username from that address.

django-axes' own AXES_RESET_ON_SUCCESS deletes every attempt that matches any lockout
parameter: with "username" and "ip_address" counted separately, a sign-in from an
address wiped every failure recorded from it, so someone with an account of their own
could sign in between guesses at another account's password and never lock it. It is
off (settings); this receiver resets what is the signed-in user's own doing instead.
"""

from axes.conf import settings as axes_settings
from axes.helpers import get_client_ip_address
from axes.utils import reset


def reset_own_failures(sender, request, user, **kwargs) -> None:
    if request is None or not axes_settings.AXES_ENABLED:
        return
    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    if address:
        reset(ip=address, username=user.get_username())
