"""What needs attention on a team's dashboard, now that background work keeps statuses true
without anyone looking: connectors failing at their provider, those whose last refresh failed,
creates whose outcome is still unclear, credentials that failed their last test and disabled
ones that live connectors still use. Each line says how many and leads to exactly those: the
connector list filtered by problem, the panel of lost answers, a credential's page.

The counts are capped as the lists count ("10,000+") and read in one query, each from an index
(the status index, the partial ones of migration 0016, the lost answers' one); the credentials'
come with the dashboard's own list of them. So the panel adds one query, whatever the team
holds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from connectors_admin.accounts.models import Team
from connectors_admin.core.paging import capped_count, count_label
from connectors_admin.credentials.models import Credential

from . import lost
from .filters import PROBLEMS
from .models import Connector

NAMED = 3  # credentials a line names; the others are "N more", on the credentials page


@dataclass(frozen=True)
class Line:
    """One thing that needs attention: a sentence, where it leads (the whole sentence is the
    link), or the credentials it names, each linked to its page."""

    text: str
    url: str = ""
    links: tuple[tuple[str, str], ...] = ()
    more: str = ""
    more_url: str = ""


def _many(count: int, one: str, many: str) -> str:
    return f"{count_label(count)} {one if count == 1 else many}"


def needs_attention(team: Team, credentials: Iterable[Credential]) -> list[Line]:
    """The lines of the team's "Needs attention" panel; none when all is well. `credentials`
    are the team's, annotated with `live_use_if_disabled()` as `live_use`."""
    found = _counts(team)
    listed = reverse("connectors:list", args=[team.slug])
    lines = []
    if found["failing"]:
        count = found["failing"]
        lines.append(
            Line(
                _many(count, "connector is", "connectors are")
                + f" failing at {'its' if count == 1 else 'their'} provider",
                f"{listed}?problem=failing",
            )
        )
    if found["refresh"]:
        lines.append(
            Line(
                f"The last refresh of {_many(found['refresh'], 'connector', 'connectors')} "
                "failed or found a problem",
                f"{listed}?problem=refresh",
            )
        )
    if found.get("unclear"):
        count = found["unclear"]
        lines.append(
            Line(
                f"{_many(count, 'create', 'creates')} lost {'its' if count == 1 else 'their'} "
                f"answer: whether {'it' if count == 1 else 'they'} made a connector is still "
                "unclear",
                "#lost-heading",  # the panel of lost answers, below: listed once, there
            )
        )
    credentials = list(credentials)
    # As their badges say it: not one whose new values are being tested.
    failed = [
        c for c in credentials if c.enabled and c.last_check_ok is False and not c.check_pending
    ]
    if failed:
        lines.append(
            _naming(
                team,
                _many(len(failed), "credential failed its", "credentials failed their")
                + " last test:",
                [(c.label, c) for c in failed],
            )
        )
    in_use = [c for c in credentials if getattr(c, "live_use", 0)]
    if in_use:
        lines.append(
            _naming(
                team,
                _many(len(in_use), "disabled credential is", "disabled credentials are")
                + " still used by live connectors:",
                [
                    (f"{c.label} ({_many(c.live_use, 'connector', 'connectors')})", c)
                    for c in in_use
                ],
            )
        )
    return lines


def _counts(team: Team) -> dict[str, int]:
    connectors = Connector.objects.filter(team=team)
    counts: dict[str, Any] = {
        key: capped_count(connectors.filter(rows()).values("pk"))
        for key, (_, rows) in PROBLEMS.items()
    }
    unclear = lost.unclear(team)
    if unclear is not None:  # only while the team's row says it may have some
        counts["unclear"] = capped_count(unclear.values("pk"))
    return Team.objects.filter(pk=team.pk).order_by().values(**counts).get()


def _naming(team: Team, text: str, named: list[tuple[str, Credential]]) -> Line:
    links = tuple(
        (label, reverse("credentials:detail", args=[team.slug, credential.pk]))
        for label, credential in named[:NAMED]
    )
    others = len(named) - len(links)
    if not others:
        return Line(text, links=links)
    return Line(
        text,
        links=links,
        more=f"{others} more",
        more_url=reverse("credentials:list", args=[team.slug]),
    )
