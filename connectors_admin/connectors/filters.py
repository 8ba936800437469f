"""The connector list's filters, one definition for the list, its CSV export and its bulk
actions ("all N matching"): search, provider, template, status, problem, credential, creator,
created date range and sort, all from the query string. A value that does not fit (an unknown id, an
impossible date) is said next to its filter and ignored, never an error page.

A plain Django form rather than django-filter: nine fields whose querysets are one line each
did not justify a dependency."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone

from connectors_admin.credentials.models import Credential
from connectors_admin.providers import PROVIDERS, TEMPLATES

from .models import Connector, EmbeddedCredential

NO_STATUS = "-"
SORTS = {
    "newest": ("Newest first", ("-created_at", "-pk")),
    "oldest": ("Oldest first", ("created_at", "pk")),
    # Each ends on the key: pages read by offset need one order, however many rows tie.
    "name": ("Name", ("name", "-created_at", "-pk")),
    "status": ("Status", ("remote_status", "-created_at", "-pk")),
    "refreshed": (
        "Last refreshed",
        (F("refreshed_at").desc(nulls_last=True), "-created_at", "-pk"),
    ),
}
MAX_LOOKUPS = 200  # creators or credentials a search may match by name
MAX_QUERY = 100  # characters of a search
# A search the planner would answer by walking the list first walks only the team's first
# connectors in the list's order: this many for each row it needs; past them, it sorts the
# matches if there are at most SORT_AT_MOST (see `search_in_creation_order`).
WINDOW_PER_ROW = 40
SORT_AT_MOST = 10_000
BEFORE_ANY_ROW = datetime(1, 1, 2, tzinfo=UTC)
AFTER_ANY_ROW = datetime(9999, 12, 30, tzinfo=UTC)
FILTERS = (
    "q",
    "provider",
    "template",
    "status",
    "problem",
    "credential",
    "creator",
    "since",
    "until",
)


def declared_statuses() -> list[str]:
    """The statuses providers declare (not a scan of the table), one choice for each however
    providers spell it: Kafka Connect's RUNNING and Upstash's running are both "running"."""
    found = {s.lower() for provider in PROVIDERS.values() for s in provider.statuses if s}
    return sorted(found | {Connector.DELETED})


def shown_statuses() -> list[str]:
    """The declared statuses and what a provider's rows show before any is reported (AI
    Squared's "not checked", never stored): every status the list shows is one its filter
    offers, and `showing_status` finds its rows."""
    empty = {p.empty_status.lower() for p in PROVIDERS.values() if p.empty_status}
    return sorted(set(declared_statuses()) | empty)


def status_spellings(status: str) -> list[str]:
    """The stored spellings of a status choice: each declared status that reads the same."""
    return sorted(
        {s for provider in PROVIDERS.values() for s in provider.statuses if s.lower() == status}
        | {status}
    )


def showing_status(status: str) -> Q:
    """Connectors whose row shows this status: stored in any spelling; or none reported yet, by
    a provider that shows this one meanwhile (Kafka Connect's UNASSIGNED, Mixpanel's pending,
    which only while it may still settle).
    (A record closed here says "deleted" in its status: the index alone answers a status.)"""
    showing = Q(remote_status__in=status_spellings(status))
    for slug, template in TEMPLATES.items():
        provider = template.provider
        if provider.empty_status.lower() != status:
            continue
        silent = Q(remote_status="", template=slug)
        if provider.settles_within is not None:  # past it, the row says no status reported
            silent &= Q(created_at__gt=timezone.now() - provider.settles_within)
        showing |= silent
    return showing


def failing_statuses() -> list[str]:
    """The statuses providers declare as failing, as they spell them (stored so)."""
    return sorted({s for provider in PROVIDERS.values() for s in provider.failing_statuses})


def failing() -> Q:
    """Live connectors failing at their provider: a status it declares as failing. (Not a
    record closed: most say "deleted" in their status, but those closed as recorded twice by
    migration 0009 kept the status they had.)"""
    return Q(deleted_at=None, remote_status__in=failing_statuses())


def last_read_failed() -> Q:
    """Live connectors whose last refresh or action left an error (it failed, or found a
    problem such as a failed task), but not those already failing at their provider: each is
    counted under one problem."""
    return Q(deleted_at=None) & ~Q(last_error="") & ~failing()


# What needs attention, as the dashboard counts it and the list's Problem filter takes it.
PROBLEMS = {
    "failing": ("Failing at provider", failing),
    "refresh": ("Last refresh failed", last_read_failed),
}


class StatusField(forms.ChoiceField):
    """A status choice in any case: links saved when a status was offered as RUNNING still
    filter."""

    def to_python(self, value: Any) -> str:
        return super().to_python(value).lower()


class IdChoiceField(forms.TypedChoiceField):
    """A row's id among the choices, however a link spells the number ("01" is 1). One that is
    not among them is said as a model choice says it: a link's text is not repeated."""

    default_error_messages = {
        "invalid_choice": forms.ModelChoiceField.default_error_messages["invalid_choice"],
    }

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        try:
            return str(int(value)) if value else value
        except ValueError:
            return value  # not a number: said as no such choice


class ConnectorFilter(forms.Form):
    q = forms.CharField(label="Search", required=False, strip=True)
    provider = forms.ChoiceField(label="Provider", required=False)
    template = forms.ChoiceField(label="Template", required=False)
    status = StatusField(label="Status", required=False)
    problem = forms.ChoiceField(
        label="Problem",
        required=False,
        choices=[("", "Any")] + [(key, label) for key, (label, _) in PROBLEMS.items()],
    )
    # The team's credentials and members, by id: checked against `team_choices`, read once.
    credential = IdChoiceField(label="Credential", required=False, coerce=int, empty_value=None)
    creator = IdChoiceField(label="Created by", required=False, coerce=int, empty_value=None)
    since = forms.DateField(
        label="Created from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="Created until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        label="Sort", required=False, choices=[(k, v[0]) for k, v in SORTS.items()]
    )

    def __init__(self, data: Any, team: Any) -> None:
        super().__init__(data, auto_id="filter-%s")
        self.team = team
        self.fields["provider"].choices = [("", "Any provider")] + [
            (slug, p.label) for slug, p in PROVIDERS.items()
        ]
        self.fields["template"].choices = [("", "All templates")] + [
            (slug, t.label) for slug, t in TEMPLATES.items()
        ]
        self.fields["status"].choices = [("", "Any status"), (NO_STATUS, "no status reported")] + [
            (s, s) for s in shown_statuses()
        ]
        # Read when a page shows these options or a link applies one of them, not before.
        self.fields["credential"].choices = lambda: (
            [("", "Any credential")] + self.team_choices["credential"]
        )
        self.fields["creator"].choices = lambda: [("", "Anyone")] + self.team_choices["creator"]
        for name, field in self.fields.items():
            if name != "q":  # the list reloads when one of these changes
                field.widget.attrs["class"] = "filter-control"
        self.is_valid()  # what fits is used; what does not is said and ignored
        self._show_as_applied()

    @cached_property
    def team_choices(self) -> dict[str, list[tuple[int, str]]]:
        """The team's credentials and members as (id, label), sorted by label: the options and
        checks of their two filters, and what a search matches credentials by; with a search,
        also the people whose name it matches among those who made one of the team's
        connectors ("made by"): all in one query. Only what an option shows: not a
        credential's payload, not a password hash. (Read once the search is cleaned: it is
        the first field.)"""
        users = get_user_model().objects
        parts = [
            Credential.objects.filter(team=self.team)
            .annotate(choice=Value("credential"))
            .values_list("choice", "pk", "label"),
            users.filter(memberships__team=self.team)
            .annotate(choice=Value("creator"))
            .values_list("choice", "pk", "username"),
        ]
        query = self.cleaned_data.get("q") if hasattr(self, "cleaned_data") else ""
        if query:
            # Only people who made one of the team's connectors: a cap over every account on
            # the platform could leave the team's own creators out.
            made_here = Connector.objects.filter(team=self.team, created_by=OuterRef("pk"))
            parts.append(
                users.filter(Exists(made_here), username__icontains=query)
                .annotate(choice=Value("made by"))
                .values_list("choice", "pk", "username")
            )
        found: dict[str, list[tuple[int, str]]] = {"credential": [], "creator": [], "made by": []}
        # (Sorted here: a UNION takes no model's own order.)
        first, *others = [part.order_by() for part in parts]
        for choice, pk, label in first.union(*others, all=True).order_by():
            found[choice].append((pk, label))
        for rows in found.values():
            rows.sort(key=lambda row: (row[1].casefold(), row[1], row[0]))
        return found

    def clean_q(self) -> str:
        # The box takes 100 characters; a longer search (a link) is searched cut, and shown so.
        return self.cleaned_data["q"][:MAX_QUERY]

    def _show_as_applied(self) -> None:
        """Each filter that is applied shows its value as applied: a status however it was
        spelled in the link, a credential's id as its option, a date as its input reads it
        (2020-01-02, not 01/02/2020). Otherwise the control would read "Any", and the next
        change made in place would drop the filter."""
        if not self.is_bound:
            return
        data = self.data.copy()
        for name in FILTERS:
            applied = self.value(name)
            if name in self.errors or applied in (None, ""):
                continue
            if isinstance(applied, date):
                data[name] = applied.isoformat()
            else:
                data[name] = str(getattr(applied, "pk", applied))
        self.data = data

    def controls(self) -> list[tuple[Any, list[tuple[str, str, bool]]]]:
        """Each filter but the search, with its options as (value, label, selected) for a
        select (rendered by hand: cheaper than a widget template per option)."""
        shown = []
        for name, field in self.fields.items():
            if name == "q":
                continue
            bound = self[name]
            options: list[tuple[str, str, bool]] = []
            if isinstance(field, forms.ChoiceField):
                current = "" if bound.value() is None else str(bound.value())
                options = [(str(v), str(label), str(v) == current) for v, label in field.choices]
            shown.append((bound, options))
        return shown

    @property
    def applied_query(self) -> str:
        """The query string of what is applied (an ignored value left out), for the links that
        act on what is shown: the CSV export."""
        applied = QueryDict(mutable=True)
        for name in (*FILTERS, "sort"):
            if self.value(name) not in (None, ""):
                applied[name] = self.data[name] if name != "q" else self.value("q")
        return applied.urlencode()

    def value(self, name: str) -> Any:
        return self.cleaned_data.get(name) if name not in self.errors else None

    @property
    def sorted_by(self) -> str:
        return self.value("sort") or "newest"

    @property
    def pager_words(self) -> tuple[str, str]:
        """What the previous and the next page hold, in the order the list is sorted."""
        return {"newest": ("Newer", "Older"), "oldest": ("Older", "Newer")}.get(
            self.sorted_by, ("Previous", "Next")
        )

    @property
    def active(self) -> bool:
        return any(self.value(name) for name in FILTERS)

    @property
    def reader(self):
        """How the list's first pages are read (see paging.Reader): the search's own way for a
        search in creation order on PostgreSQL, else None, the usual way."""
        sort = self.sorted_by
        if self.value("q") and sort in ("newest", "oldest") and connection.vendor == "postgresql":
            return lambda rows, bottom, top, count: search_in_creation_order(
                rows, self.team, bottom, top, count, newest=sort == "newest"
            )
        return None

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", "The end is before the start.")
        return cleaned

    def filter(self, connectors: QuerySet[Connector]) -> QuerySet[Connector]:
        value = self.value
        if value("provider"):
            connectors = connectors.filter(provider=value("provider"))
        if value("template"):
            connectors = connectors.filter(template=value("template"))
        status = value("status")
        if status == NO_STATUS:
            connectors = connectors.filter(remote_status="")
        elif status:
            connectors = connectors.filter(showing_status(status))
        if value("problem"):
            connectors = connectors.filter(PROBLEMS[value("problem")][1]())
        if value("credential"):
            connectors = connectors.filter(using_any_of([value("credential")]))
        if value("creator"):
            connectors = connectors.filter(created_by=value("creator"))
        zone = timezone.get_current_timezone()
        if value("since"):
            connectors = connectors.filter(
                created_at__gte=datetime.combine(value("since"), time.min, zone)
            )
        if value("until") and value("until") < date.max:
            end = datetime.combine(value("until") + timedelta(days=1), time.min, zone)
            connectors = connectors.filter(created_at__lt=end)
        query = value("q")
        if query:
            # Creators and credentials are looked up first (small tables, in the one query of
            # `team_choices`), so the search is an OR of indexed conditions on the connector
            # table alone (trigram indexes on name and provider's id on PostgreSQL, foreign-key
            # indexes on the ids) with no join.
            matches = Q(name__icontains=query) | Q(remote_id__icontains=query)
            creators = [pk for pk, _ in self.team_choices["made by"]][:MAX_LOOKUPS]
            needle = query.casefold()
            credentials = [
                pk for pk, label in self.team_choices["credential"] if needle in label.casefold()
            ][:MAX_LOOKUPS]
            if creators:
                matches |= Q(created_by__in=creators)
            if credentials:
                matches |= using_any_of(credentials)
            connectors = connectors.filter(matches)
        return connectors.order_by(*SORTS[self.sorted_by][1])


def search_in_creation_order(
    connectors: QuerySet[Connector],
    team: Any,
    bottom: int,
    top: int,
    count: Callable[[], int],
    *,
    newest: bool,
) -> list[Connector]:
    """A search's rows from `bottom` to `top`, newest (or oldest) first, without walking the
    list far to find a few matches.

    PostgreSQL picks one of two plans from how many rows it expects to match: few, and it reads
    them through the trigram indexes and sorts them; many, and it walks the team's connectors in
    creation order until the page is full. Its guess cannot know where the matches lie: a search
    matching a few hundred old connectors ("bucket-42" on the bench's seed) walked some 57,000
    rows to fill a page (30 to 55 ms, where reading and sorting the matches takes 5).

    So the planner is asked first (EXPLAIN, about 2 ms). When it reads the matches through the
    indexes, its plan is used. When it would walk, the walk is bounded: first among the team's
    first connectors in that order only (WINDOW_PER_ROW for each row asked for). When that fills
    the page, those are the rows, since every connector outside comes after them. When not, the
    matches are counted (the capped count the page shows anyway): up to SORT_AT_MOST, they are
    read and sorted, in an order no index gives (so no walk); past that, sorting them would cost
    more than the walk usually does, and the planner's plan is used after all."""
    page = connectors[bottom:top]
    if f"Bitmap Heap Scan on {Connector._meta.db_table}  (" in page.explain():
        return list(page)
    size = WINDOW_PER_ROW * top
    first = Connector.objects.filter(team=team).values("created_at")
    first = first.order_by("-created_at" if newest else "created_at")[size - 1 : size]
    if newest:
        window = Q(created_at__gte=Coalesce(Subquery(first), Value(BEFORE_ANY_ROW)))
    else:
        window = Q(created_at__lte=Coalesce(Subquery(first), Value(AFTER_ANY_ROW)))
    found = list(connectors.filter(window)[bottom:top])
    if len(found) == top - bottom:
        return found
    if count() > min(SORT_AT_MOST, settings.LIST_COUNT_CAP):
        return list(page)
    # COALESCE(x, x) is x, but not the column an index is sorted on.
    created = Coalesce("created_at", "created_at")
    return list(
        connectors.order_by(*((created.desc(), "-pk") if newest else (created.asc(), "pk")))[
            bottom:top
        ]
    )


def using_any_of(credentials: list[Any]) -> Q:
    """Connectors made with one of these credentials, or embedding one (a storage secret)."""
    embedding = EmbeddedCredential.objects.filter(credential__in=credentials)
    return Q(credential__in=credentials) | Q(pk__in=embedding.values("connector_id"))
