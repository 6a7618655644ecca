"""``{{ table|as_table }}``: a follow-up table (analysis.tables.Table) as HTML."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from analysis.html import table_html
from analysis.tables import Table

register = template.Library()


@register.filter
def as_table(table: Table) -> SafeString:
    return table_html(table)
