"""Template tags for the console's forms."""

from django import template

from connections_admin.core.forms import error_summary_items

register = template.Library()


@register.inclusion_tag("_error_summary.html")
def error_summary(form, **anchors):
    """The error summary of a full-page form: ``{% error_summary form %}`` at the top of
    the page; ``field="element-id"`` names the control to go to for a field the page
    renders by hand."""
    return {"errors": error_summary_items(form, anchors)}
