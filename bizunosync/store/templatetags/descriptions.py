"""``{{ product.description|description_html }}``: a stored description, shown as the HTML it is."""

from django import template
from django.utils.safestring import mark_safe

from ..services.description_html import autop

register = template.Library()


@register.filter
def description_html(value):
    # Safe because every description is stored through description_html.clean (the
    # product/update edge, the admin, the migration for older rows); autop adds only <p>/<br>.
    return mark_safe(autop(value or ""))
