"""Admin changelists that stay fast over hundreds of thousands of rows: no full result count,
the heavy JSON columns left unloaded for the list, and filters whose choices come from
declarations rather than a DISTINCT over the table."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib import admin

from .paging import CappedPaginator


class LeanChangelist:
    """Mixin for a ModelAdmin: `list_defer` columns are not loaded for its changelist, and the
    changelist counts no further than LIST_COUNT_CAP ("10,000+", any page still reachable)."""

    show_full_result_count = False
    list_defer: tuple[str, ...] = ()
    paginator = CappedPaginator
    # Rows rendered a page's columns at a time (core/templatetags/lean_admin.py).
    change_list_template = "admin/lean_change_list.html"
    # No bulk actions: these are records of what happened at providers (deleting one here would
    # not delete anything at its provider), and the per-row checkbox, rendered through the forms
    # renderer, was a third of a 100-row page's time.
    actions = None

    def get_queryset(self, request):
        queryset = super().get_queryset(request)  # type: ignore[misc]
        match = getattr(request, "resolver_match", None)
        if self.list_defer and match and str(match.url_name).endswith("_changelist"):
            queryset = queryset.defer(*self.list_defer)
        return queryset


def declared_filter(
    field: str,
    title: str,
    choices: Callable[[], Iterable[tuple[str, str]]],
    stored: Callable[[str], list[str]] | None = None,
) -> type[admin.SimpleListFilter]:
    """A list filter on `field` offering the declared `choices` (no DISTINCT scan); `stored`
    gives the values a choice stands for, where it stands for more than itself."""

    class DeclaredFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            return list(choices())

        def queryset(self, request, queryset):
            value = self.value()
            if not value:
                return queryset
            if stored is not None:
                return queryset.filter(**{f"{field}__in": stored(value)})
            return queryset.filter(**{field: value})

    DeclaredFilter.title = title
    DeclaredFilter.__name__ = f"{field.title()}Filter"
    return DeclaredFilter
