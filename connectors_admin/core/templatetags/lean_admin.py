"""The changelist rows of LeanChangelist admins, rendered in one pass.

Django's admin works out each cell from scratch: the column's field, its empty value, its
choices, the row's change URL reversed and its filters preserved, then a template loop over
the cells. On a 100-row page that was most of the page's time. Here each column is worked out
once a page and each row is one string. The markup is Django's own: a test renders both and
compares them. Model fields and the ModelAdmin's own display methods are rendered here; other
columns (lookups across relations, model methods), editable lists and popups keep Django's
rendering.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any
from urllib.parse import quote as urlquote

from django import template
from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    result_headers,
    result_list,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_field, display_for_value, quote
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils.dateformat import re_escaped, re_formatchars
from django.utils.dates import MONTHS, MONTHS_AP
from django.utils.formats import get_format
from django.utils.html import conditional_escape, escape
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

register = template.Library()
SLOT = "0LEANPKSLOT0"  # stands for a row's primary key in the change URL, then replaced

Cell = Callable[[Any], str]


@register.inclusion_tag("admin/change_list_results.html")
def lean_result_list(cl) -> dict[str, Any]:
    rows = lean_rows(cl)
    if rows is None:
        return result_list(cl)
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": rows,
    }


def lean_rows(cl) -> list[ResultList] | None:
    """Each row as one cell-holding string, or None where Django's rendering is needed."""
    if cl.formset or cl.is_popup or cl.to_field or cl.list_display_links is None:
        return None
    empty = cl.model_admin.get_empty_value_display()
    url = _change_url(cl)
    cells: list[Cell] = []
    linked = False
    for index, name in enumerate(cl.list_display):
        links = (index == 0 and not cl.list_display_links) or name in cl.list_display_links
        # The first linked cell is the row's header, as in Django's rendering.
        cell = _cell(
            cl.model, name, empty, url if links else None, header=links and not linked
        ) or _admin_cell(cl.model_admin, name, empty, url if links else None, links and not linked)
        if cell is None:
            return None
        linked = linked or links
        cells.append(cell)
    return [
        ResultList(None, [mark_safe("".join(cell(row) for cell in cells))])  # noqa: S308
        for row in cl.result_list
    ]


def _change_url(cl) -> tuple[str, str]:
    """The change page's URL, escaped, with the list's filters kept: what comes before the
    row's key and what comes after it."""
    opts = cl.opts
    url = reverse(
        f"admin:{opts.app_label}_{opts.model_name}_change",
        args=(SLOT,),
        current_app=cl.model_admin.admin_site.name,
    )
    kept = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": opts}, url)
    # The key's slot is in the path, which comes before the kept filters (any text at all).
    before, _, after = kept.partition(SLOT)
    return escape(before), escape(after)


def _key(pk: Any) -> str:
    """A key as reverse() puts it in the change URL: the admin's quoting, then percent-encoding."""
    return escape(urlquote(str(quote(pk)), safe=RFC3986_SUBDELIMS + "/~:@"))


def _admin_cell(
    model_admin, name: Any, empty: str, url: tuple[str, str] | None, header: bool
) -> Cell | None:
    """A column the ModelAdmin works out with one of its own methods (`admin.display`), as
    Django renders it: the method's value shown by display_for_value (its empty value and
    boolean icon), escaped unless safe, `nowrap` for a date. None for anything else."""
    if not isinstance(name, str) or name in ("action_checkbox", "__str__"):
        return None
    if name in {f.name for f in model_admin.model._meta.get_fields()}:
        return None  # a relation Django looks up its own way
    method = getattr(model_admin, name, None)
    if not callable(method):
        return None
    empty = getattr(method, "empty_value_display", empty)
    boolean = getattr(method, "boolean", False)
    tag = "th" if header else "td"
    pk = model_admin.model._meta.pk.attname

    def cell(row: Any) -> str:
        value = method(row)
        shown = conditional_escape(display_for_value(value, empty, boolean))
        nowrap = " nowrap" if isinstance(value, (date, time)) else ""
        open_tag = f'<{tag} class="field-{name}{nowrap}">'
        if url is None:
            return f"{open_tag}{shown}</{tag}>"
        before, after = url
        return f'{open_tag}<a href="{before}{_key(getattr(row, pk))}{after}">{shown}</a></{tag}>'

    return cell


def _cell(model, name: Any, empty: str, url: tuple[str, str] | None, header: bool) -> Cell | None:
    if not isinstance(name, str) or name == "action_checkbox":
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if field.auto_created or field.many_to_many or field.one_to_many or field.one_to_one:
        return None
    nowrap = isinstance(field, (models.DateField, models.TimeField, models.ForeignKey))
    classes = f"field-{name}" + (" nowrap" if nowrap else "")
    tag = "th" if header else "td"
    open_tag, close_tag = f'<{tag} class="{classes}">', f"</{tag}>"
    pk = model._meta.pk.attname
    if url:
        before, after = url
        head, tail = f'{open_tag}<a href="{before}', f'{after}">'
        close_tag = f"</a>{close_tag}"

        def linked(row: Any) -> str:
            return f"{head}{_key(getattr(row, pk))}{tail}"

    else:

        def linked(row: Any) -> str:
            return open_tag

    if isinstance(field, models.ForeignKey):

        def related(row: Any) -> str:
            value = getattr(row, name)
            shown = empty if value is None else value
            return f"{linked(row)}{conditional_escape(shown)}{close_tag}"

        return related
    if field.flatchoices:
        labels = dict(field.flatchoices)

        def chosen(row: Any) -> str:
            shown = labels.get(getattr(row, field.attname), empty)
            return f"{linked(row)}{conditional_escape(shown)}{close_tag}"

        return chosen

    shown_as = None
    if isinstance(field, models.DateTimeField):
        shown_as = fast_datetime_format(get_format("DATETIME_FORMAT"))
    if shown_as is not None:
        # What formats.localize makes of the local time, its words translated once a page.
        empty_values = field.empty_values

        def moment(row: Any) -> str:
            value = getattr(row, field.attname)
            shown = empty if value in empty_values else shown_as(template_localtime(value))
            return f"{linked(row)}{conditional_escape(shown)}{close_tag}"

        return moment
    if isinstance(field, TEXT_FIELDS) and not isinstance(field, LINKED_TEXT_FIELDS):
        # What display_for_field comes to for text, without its per-cell checks (a password,
        # the choices, each field type in turn).
        empty_values = field.empty_values

        def text(row: Any) -> str:
            value = getattr(row, field.attname)
            shown = empty if value in empty_values else display_for_value(value, empty)
            return f"{linked(row)}{conditional_escape(shown)}{close_tag}"

        return text if field.name != "password" else None

    def plain(row: Any) -> str:
        shown = display_for_field(getattr(row, field.attname), field, empty, avoid_link=bool(url))
        return f"{linked(row)}{conditional_escape(shown)}{close_tag}"

    return plain


TEXT_FIELDS = (models.CharField, models.TextField, models.GenericIPAddressField)
LINKED_TEXT_FIELDS = (models.URLField, models.FileField, models.FilePathField)


def fast_datetime_format(fmt: str) -> Callable[[datetime], str] | None:
    """Django's dateformat.format for `fmt`, with the words it translates (months, a.m.,
    noon) looked up once rather than for every cell, where they were most of a date cell's
    time; None when `fmt` uses a character this does not cover (Django's rendering is used)."""
    am, pm, midnight, noon = (gettext(w) for w in ("a.m.", "p.m.", "midnight", "noon"))
    months_ap = {number: str(MONTHS_AP[number]) for number in MONTHS_AP}
    months = {number: str(MONTHS[number]) for number in MONTHS}

    def twelve(d: datetime) -> int:
        return d.hour % 12 or 12

    def f(d: datetime) -> str:
        return f"{twelve(d)}:{d.minute:02d}" if d.minute else str(twelve(d))

    def p(d: datetime) -> str:
        if d.minute == 0 and d.hour in (0, 12):
            return midnight if d.hour == 0 else noon
        return f"{f(d)} {pm if d.hour > 11 else am}"

    chars: dict[str, Callable[[datetime], str]] = {
        "d": lambda d: f"{d.day:02d}",
        "j": lambda d: str(d.day),
        "m": lambda d: f"{d.month:02d}",
        "n": lambda d: str(d.month),
        "N": lambda d: months_ap[d.month],
        "F": lambda d: months[d.month],
        "y": lambda d: f"{d.year % 100:02d}",
        "Y": lambda d: f"{d.year:04d}",
        "H": lambda d: f"{d.hour:02d}",
        "G": lambda d: str(d.hour),
        "h": lambda d: f"{twelve(d):02d}",
        "g": lambda d: str(twelve(d)),
        "i": lambda d: f"{d.minute:02d}",
        "a": lambda d: pm if d.hour > 11 else am,
        "f": f,
        "P": p,
    }
    parts: list[str | Callable[[datetime], str]] = []
    for number, piece in enumerate(re_formatchars.split(str(fmt))):
        if number % 2:
            if piece not in chars:
                return None
            parts.append(chars[piece])
        elif piece:
            parts.append(re_escaped.sub(r"\1", piece))
    return lambda d: "".join(part if isinstance(part, str) else part(d) for part in parts)
