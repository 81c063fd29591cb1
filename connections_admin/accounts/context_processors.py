from django.utils.functional import SimpleLazyObject

from .roles import Role, role_of


def role(request):
    """The signed-in user's role, for the header and navigation (evaluated only if used)."""
    user_role = SimpleLazyObject(lambda: role_of(request.user))
    return {"console_role": user_role, "Role": Role}
