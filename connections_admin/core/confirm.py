"""The page that asks before an action on one row: "Remove “Weekly churn”? …"."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_confirm(
    request: HttpRequest,
    *,
    title: str,
    question: str,
    confirm: str,
    cancel_url: str,
    danger: bool = False,
) -> HttpResponse:
    """The confirm page: ``question`` and a form that posts back to this URL.

    ``question`` is one whole translated sentence with its values filled in: its msgid
    is the one ``{% blocktranslate %}`` made of it (``%(name)s`` for ``{{ name }}``), so the
    translations keep matching. The template escapes it.

    ``confirm`` labels the submit button, red when ``danger``; Cancel goes to ``cancel_url``.
    """
    context = {
        "title": title,
        "question": question,
        "confirm": confirm,
        "cancel_url": cancel_url,
        "danger": danger,
    }
    return render(request, "confirm.html", context)
