from .roles import Role, role_of


def role(request):
    """The signed-in user's role, for the header and navigation (one query, cached on the user).

    A request refused before AuthenticationMiddleware ran (a Host not in ALLOWED_HOSTS)
    has no user: its 400 page is rendered with no role.
    """
    user = getattr(request, "user", None)
    user_role = role_of(user) if user is not None else Role.NONE
    return {
        "console_role": user_role,
        "console_may": {
            "view": user_role >= Role.VIEWER,
            "contribute": user_role >= Role.CONTRIBUTOR,
            "administer": user_role >= Role.ADMIN,
        },
    }
