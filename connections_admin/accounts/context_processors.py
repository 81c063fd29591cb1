from .roles import Role, role_of


def role(request):
    """The signed-in user's role, for the header and navigation (one query, cached on the user)."""
    user_role = role_of(request.user)
    return {
        "console_role": user_role,
        "console_may": {
            "view": user_role >= Role.VIEWER,
            "contribute": user_role >= Role.CONTRIBUTOR,
            "administer": user_role >= Role.ADMIN,
        },
    }
