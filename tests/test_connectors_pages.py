"""Dashboard, connector list and detail pages, refresh, and their query counts."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from connectors_admin.connectors.models import Connector, Submission
from connectors_admin.sandbox.models import SandboxConnector

from .conftest import MIXPANEL_SECRET, S3_FORM, make_credential

HTMX = {"HX-Request": "true"}


def make_connectors(team, credential, user, count, template="mixpanel-s3", status="active"):
    now = timezone.now()
    rows = [
        Connector(
            team=team,
            credential=credential,
            provider="mixpanel",
            template=template,
            remote_id=str(uuid.uuid4()),
            remote_status=status,
            name=f"bucket-{i}/p",
            summary={"Connector id": "x", "Bucket": f"bucket-{i}", "Prefix": "p"},
            record={"connector_id": "x"},
            context={"project_id": 4242, "residency": "us"},
            created_by=user,
        )
        for i in range(count)
    ]
    Connector.objects.bulk_create(rows)
    for i, row in enumerate(rows):  # distinct, increasing creation times
        Connector.objects.filter(pk=row.pk).update(created_at=now - timedelta(minutes=count - i))
    return rows


@pytest.mark.django_db
def test_home_redirects_to_the_first_team(owner_client):
    response = owner_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("connectors:dashboard", args=["acme"])


@pytest.mark.django_db
def test_home_without_a_team_says_so(client_for, make_user):
    response = client_for(make_user("nobody")).get("/")
    assert "You are not in a team yet" in response.content.decode()


@pytest.mark.django_db
def test_pages_require_sign_in(client, team):
    for url in [
        "/",
        reverse("connectors:dashboard", args=["acme"]),
        reverse("connectors:list", args=["acme"]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_dashboard_shows_recent_connectors_credentials_and_templates(
    owner_client, team, owner, credential
):
    make_connectors(team, credential, owner, 7)
    html = owner_client.get(reverse("connectors:dashboard", args=["acme"])).content.decode()
    assert "Recent connectors" in html
    assert html.count("bucket-") == 5
    assert "bucket-6" in html  # newest first
    assert "Production" in html
    assert "…" + MIXPANEL_SECRET[-4:] in html
    assert MIXPANEL_SECRET not in html
    assert "Mixpanel Cloud Import: Amazon S3" in html
    assert "Mixpanel Cloud Import: Google Cloud Storage" in html
    assert "maintenance mode" in html


@pytest.mark.django_db
def test_list_is_newest_first_and_paginated(owner_client, team, owner, credential):
    make_connectors(team, credential, owner, 30)
    url = reverse("connectors:list", args=["acme"])
    first = owner_client.get(url).content.decode()
    assert "Page 1 of 2" in first
    assert first.index("bucket-29") < first.index("bucket-28")
    assert "bucket-4/" not in first
    second = owner_client.get(url, {"page": 2}).content.decode()
    assert "bucket-4/" in second and "bucket-0/" in second


@pytest.mark.django_db
def test_list_filters_by_template_and_status(owner_client, team, owner, credential):
    make_connectors(team, credential, owner, 2, template="mixpanel-gcs", status="")
    make_connectors(team, credential, owner, 3, template="mixpanel-s3", status="active")
    url = reverse("connectors:list", args=["acme"])
    gcs = owner_client.get(url, {"template": "mixpanel-gcs"}).content.decode()
    assert gcs.count("<tr>") == 3  # header + 2
    pending = owner_client.get(url, {"status": "-"}).content.decode()
    assert pending.count("<tr>") == 3
    active = owner_client.get(url, {"status": "active", "template": "mixpanel-s3"}).content.decode()
    assert active.count("<tr>") == 4
    none = owner_client.get(url, {"status": "active", "template": "mixpanel-gcs"}).content.decode()
    assert "No connector matches these filters" in none


@pytest.mark.django_db
def test_a_status_filter_finds_the_rows_that_show_that_status(
    owner_client, team, owner, credential
):
    # No status reported yet: Kafka Connect's rows show UNASSIGNED, Mixpanel's pending.
    make_connectors(team, credential, owner, 2, template="kafka-connect", status="")
    make_connectors(team, credential, owner, 1, template="mixpanel-s3", status="")
    url = reverse("connectors:list", args=["acme"])
    assert owner_client.get(url, {"status": "unassigned"}).text.count("<tr>") == 3
    assert owner_client.get(url, {"status": "pending"}).text.count("<tr>") == 2
    assert owner_client.get(url, {"status": "-"}).text.count("<tr>") == 4


@pytest.mark.django_db
def test_a_search_finds_the_teams_creators_however_many_others_match(
    owner_client, team, owner, credential, make_user
):
    from connectors_admin.connectors.filters import MAX_LOOKUPS

    for n in range(MAX_LOOKUPS):
        make_user(f"a-olivia-{n:03}")  # in no team, and first in any order by name
    make_connectors(team, credential, owner, 2)  # by olivia
    url = reverse("connectors:list", args=["acme"])
    assert owner_client.get(url, {"q": "olivia"}).text.count("<tr>") == 3


@pytest.mark.django_db
def test_a_search_finds_connectors_by_their_credentials_label_in_any_case(
    owner_client, team, owner, credential
):
    from connectors_admin.accounts.models import Team

    made_with = make_credential(team, owner, label="Entrepôt Straße")
    (mine,) = make_connectors(team, made_with, owner, 1)
    Connector.objects.filter(pk=mine.pk).update(name="warehouse-feed")
    make_connectors(team, credential, owner, 2)  # with "Production"
    elsewhere = Team.objects.create(slug="other", name="Other")
    make_credential(elsewhere, owner, label="Entrepôt Straße too")  # another team's: no match
    url = reverse("connectors:list", args=["acme"])
    for query in ("entrepôt", "ENTREPÔT", "straße", "STRASSE"):
        html = owner_client.get(url, {"q": query}).text
        assert html.count("<tr>") == 2 and ">warehouse-feed</a>" in html, query
    assert owner_client.get(url, {"q": "production"}).text.count("<tr>") == 3


@pytest.mark.django_db
def test_each_applied_filter_shows_its_value_as_applied(owner_client, team, owner, credential):
    make_connectors(team, credential, owner, 2, template="kafka-connect", status="RUNNING")
    url = reverse("connectors:list", args=["acme"])
    html = owner_client.get(
        url, {"status": "RUNNING", "credential": f"0{credential.pk}", "since": "01/02/2020"}
    ).text
    assert html.count("<tr>") == 3  # applied
    assert '<option value="running" selected>' in html
    assert f'<option value="{credential.pk}" selected>' in html
    assert 'value="2020-01-02"' in html  # as a date input reads it
    # A search longer than the box takes is searched cut to it, and shown so.
    long = "bucket-" + "x" * 120
    html = owner_client.get(url, {"q": long}).text
    assert f'value="{long[:100]}"' in html and "No connector matches" in html


@pytest.mark.django_db
def test_the_table_a_filter_redraws_offers_to_clear_the_filters(
    owner_client, team, owner, credential
):
    make_connectors(team, credential, owner, 2)
    url = reverse("connectors:list", args=["acme"])
    clear = f'<a class="small" href="{url}">Clear filters</a>'
    table = {"HX-Request": "true", "HX-Target": "connector-table"}
    assert clear not in owner_client.get(url).text
    assert clear in owner_client.get(url, {"q": "bucket-1"}, headers=table).text
    assert clear in owner_client.get(url, {"q": "nothing"}, headers=table).text
    assert clear not in owner_client.get(url, {"q": ""}, headers=table).text


@pytest.mark.django_db
def test_one_status_however_providers_spell_it(owner_client, client_for, team, owner, credential):
    make_connectors(team, credential, owner, 2, template="kafka-connect", status="RUNNING")
    make_connectors(team, credential, owner, 1, template="upstash-kafka", status="running")
    make_connectors(team, credential, owner, 1, template="upstash-kafka", status="paused")
    page = owner_client.get(reverse("connectors:list", args=["acme"])).content.decode()
    assert '<option value="running">running</option>' in page
    assert 'value="RUNNING"' not in page
    running = owner_client.get(reverse("connectors:list", args=["acme"]), {"status": "running"})
    assert running.content.decode().count("<tr>") == 4  # header + 3

    owner.is_staff = owner.is_superuser = True
    owner.save()
    admin = client_for(owner).get("/admin/connectors/connector/", {"remote_status": "running"})
    assert admin.status_code == 200 and "3 connectors" in admin.content.decode()


@pytest.mark.django_db
def test_list_htmx_request_gets_only_the_table(owner_client, team, owner, credential):
    make_connectors(team, credential, owner, 2)
    html = owner_client.get(
        reverse("connectors:list", args=["acme"]), headers=HTMX
    ).content.decode()
    assert html.lstrip().startswith('<div id="connector-table"')
    assert "<html" not in html


@pytest.mark.django_db
def test_back_past_htmx_history_cache_gets_the_whole_page(owner_client, team, owner, credential):
    """On Back, htmx asks for a page its history cache no longer holds and puts the answer in
    place of the whole body: it must be the whole page, not the table alone. And the same URL
    answering either says so to the browser's cache."""
    make_connectors(team, credential, owner, 2)
    url = reverse("connectors:list", args=["acme"])
    restore = {**HTMX, "HX-History-Restore-Request": "true"}
    page = owner_client.get(url, {"q": "bucket"}, headers=restore)
    assert "<html" in page.content.decode() and 'aria-label="Main"' in page.content.decode()
    for headers in (HTMX, {}):
        vary = owner_client.get(url, {"q": "bucket"}, headers=headers)["Vary"]
        assert "hx-request" in vary.lower()


@pytest.mark.django_db
def test_list_shows_only_the_teams_connectors(client_for, outsider, team, owner, credential):
    make_connectors(team, credential, owner, 2)
    assert client_for(outsider).get(reverse("connectors:list", args=["acme"])).status_code == 404


@pytest.mark.django_db
def test_a_status_shown_before_any_is_reported_is_a_status_filter_too(
    owner_client, team, owner, credential
):
    """AI Squared's rows read "not checked" until a check says otherwise: the Status filter
    offers that word, and picking it lists those rows only."""
    mixpanel, aisquared = make_connectors(team, credential, owner, 2)
    Connector.objects.filter(pk=aisquared.pk).update(
        provider="aisquared", template="aisquared-source", remote_status="", name="warehouse-pg"
    )
    url = reverse("connectors:list", args=["acme"])
    html = owner_client.get(url).text
    assert "not checked" in html  # the row's status
    assert '<option value="not checked"' in html
    shown = owner_client.get(url, {"status": "not checked"}).text
    assert "warehouse-pg" in shown and mixpanel.name not in shown


@pytest.mark.django_db
@pytest.mark.parametrize(("rows", "queries"), [(1, 5), (40, 6)])
def test_list_query_count_does_not_grow(
    owner_client, team, owner, credential, rows, queries, django_assert_num_queries
):
    make_connectors(team, credential, owner, rows)
    # session, user, memberships+teams (the page's and the header's team switcher), page rows,
    # the credential and creator filter choices (one query for both; status choices come from
    # the providers' declarations); and the count, when the first page does not hold them all. Not the creates
    # whose answer was lost: the team has none (its row says so).
    with django_assert_num_queries(queries):
        owner_client.get(reverse("connectors:list", args=["acme"]))


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 50])
def test_dashboard_query_count_does_not_grow(
    owner_client, team, owner, credential, rows, django_assert_num_queries
):
    make_connectors(team, credential, owner, rows)
    # session, user, memberships+teams (the page's and the switcher's), recent connectors,
    # credentials (with how many live connectors use each disabled one), the counts of what
    # needs attention (one query for all); no lost answers to look up: the team's row says it
    # has none
    with django_assert_num_queries(6):
        owner_client.get(reverse("connectors:dashboard", args=["acme"]))


@pytest.mark.django_db
@pytest.mark.parametrize(("rows", "queries"), [(1, 4), (40, 5)])
def test_the_tables_own_refresh_reads_only_what_the_table_shows(
    owner_client, team, owner, credential, rows, queries, django_assert_num_queries
):
    make_connectors(team, credential, owner, rows)
    # typing in the search box, a filter change or the poll: session, user, memberships+teams,
    # page rows, and the count past a first page; not the lost answers panel or the filters'
    # choices, which only the whole page shows
    with django_assert_num_queries(queries):
        response = owner_client.get(reverse("connectors:list", args=["acme"]), headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="connector-table"') and "lost-heading" not in html


@pytest.mark.django_db
def test_a_deep_page_reads_its_ids_first_and_shows_the_same_rows(
    owner_client, team, owner, credential, django_assert_num_queries
):
    from connectors_admin.core.paging import DEFERRED_JOIN_FROM

    rows = make_connectors(team, credential, owner, DEFERRED_JOIN_FROM + 30)
    newest_first = [row.name for row in reversed(rows)]
    url = reverse("connectors:list", args=["acme"])
    last = (DEFERRED_JOIN_FROM + 30 + 24) // 25
    # as a first page's queries with the count, and the page's ids read before its rows
    with django_assert_num_queries(7):
        html = owner_client.get(url, {"page": last}).content.decode()
    shown = re.findall(r'<a href="/teams/acme/connectors/[0-9a-f-]+/">([^<]+)</a>', html)
    assert shown == newest_first[(last - 1) * 25 :]
    assert "Older" not in html and "Newer" in html
    before = owner_client.get(url, {"page": last - 1}).content.decode()
    shown = re.findall(r'<a href="/teams/acme/connectors/[0-9a-f-]+/">([^<]+)</a>', before)
    assert shown == newest_first[(last - 2) * 25 : (last - 1) * 25]
    assert "Older" in before


@pytest.mark.django_db
@pytest.mark.parametrize(("history", "queries"), [(1, 7), (25, 8)])
def test_detail_query_count_does_not_grow(
    owner_client, team, owner, credential, history, queries, django_assert_num_queries
):
    (connector,) = make_connectors(team, credential, owner, 1)
    Submission.objects.create(
        team=team,
        user=owner,
        credential=credential,
        provider="mixpanel",
        template="mixpanel-s3",
        action="create",
        connector=connector,
        request={"curl": "curl --request POST --url https://example.invalid"},
    )
    for _ in range(history):
        Submission.objects.create(
            team=team,
            user=owner,
            credential=credential,
            provider="mixpanel",
            template="mixpanel-s3",
            action="refresh",
            connector=connector,
        )
    # session, user, memberships+teams (the page's and the switcher's), connector+creator+
    # credential, its history's page with users, their attempts, the create submission; and the
    # history's bounded count when its first page does not hold it all
    with django_assert_num_queries(queries):
        response = owner_client.get(reverse("connectors:detail", args=["acme", connector.pk]))
    assert response.status_code == 200
    # The request that created it stays on the page however long the history grows.
    assert "curl --request POST --url https://example.invalid" in response.content.decode()
    html = response.content.decode()
    if history > 20:  # the history pages: the newest twenty, then older ones
        assert "Older →" in html and "Page 1 of 2" in html
        older = owner_client.get(
            reverse("connectors:detail", args=["acme", connector.pk]), {"history": 2}
        ).content.decode()
        rows = older.count('href="/teams/acme/submissions/')
        assert "← Newer" in older and rows == history + 1 - 20
    else:
        assert "Older →" not in html


@pytest.mark.django_db(transaction=True)
def test_detail_shows_record_json_and_redacted_curl(owner_client, sandbox, credential):
    data = {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())}
    owner_client.post(reverse("connectors:create", args=["acme", "mixpanel-s3"]), data)
    connector = Connector.objects.get()
    html = owner_client.get(
        reverse("connectors:detail", args=["acme", connector.pk])
    ).content.decode()
    assert "curl --request POST" in html
    assert "--user sa.acme:&quot;$MIXPANEL_SECRET&quot;" in html
    assert "&quot;s3_bucket&quot;: &quot;acme-events&quot;" in html  # pretty-printed record
    assert connector.remote_id in html
    assert MIXPANEL_SECRET not in html


@pytest.mark.django_db(transaction=True)
def test_refresh_reads_the_record_back_through_the_paginated_list(
    owner_client, sandbox, credential
):
    url = reverse("connectors:create", args=["acme", "mixpanel-s3"])
    for _ in range(12):  # more than one page of the sandbox's list (10 a page)
        owner_client.post(
            url, {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())}
        )
    newest = Connector.objects.order_by("-created_at").first()
    assert newest.remote_status == ""
    SandboxConnector.objects.update(created_at=timezone.now() - timedelta(minutes=5))

    response = owner_client.post(
        reverse("connectors:action", args=["acme", newest.pk, "refresh"]), headers=HTMX
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="record-panel"')
    assert "Refreshed from Mixpanel just now" in html
    newest.refresh_from_db()
    assert newest.remote_status == "active"
    assert newest.refreshed_at is not None
    refresh = Submission.objects.get(action="refresh")
    assert refresh.outcome == "succeeded"
    assert "page=2" in refresh.request["url"]
    # The history below is swapped in with the refresh just run at its top.
    history = html[html.index('<section class="card" id="history-panel"') :]
    assert 'hx-swap-oob="true"' in history.split(">", 1)[0]
    submission = reverse("connectors:submission", args=["acme", refresh.pk])
    body = history[history.index("<tbody>") :]
    assert body.index(submission) < body.index("</tr>")  # the first row


@pytest.mark.django_db(transaction=True)
def test_refresh_of_a_deleted_connector_says_so(owner_client, sandbox, credential):
    owner_client.post(
        reverse("connectors:create", args=["acme", "mixpanel-s3"]),
        {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())},
    )
    connector = Connector.objects.get()
    SandboxConnector.objects.all().delete()
    html = owner_client.post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
    ).content.decode()
    assert "Refresh status failed." in html
    assert "no longer lists connector" in html
    connector.refresh_from_db()
    assert "no longer lists" in connector.last_error


@pytest.mark.django_db(transaction=True)
def test_a_deleted_connector_says_deleted_and_no_older_status(owner_client, sandbox, credential):
    owner_client.post(
        reverse("connectors:create", args=["acme", "mixpanel-s3"]),
        {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())},
    )
    connector = Connector.objects.get()
    owner_client.post(reverse("connectors:action", args=["acme", connector.pk, "delete"]))
    html = owner_client.get(reverse("connectors:detail", args=["acme", connector.pk])).text
    assert "status-deleted" in html
    # The record's summary holds what the provider returned, not a status that goes stale.
    assert "<dt>Status</dt>" not in html and "not reported yet" not in html


@pytest.mark.django_db(transaction=True)
def test_refresh_retries_a_server_error_then_succeeds(owner_client, sandbox, credential, fault):
    owner_client.post(
        reverse("connectors:create", args=["acme", "mixpanel-s3"]),
        {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())},
    )
    connector = Connector.objects.get()
    fault("status", status=503, times=2)
    html = owner_client.post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"]), headers=HTMX
    ).content.decode()
    assert "Refreshed from Mixpanel just now" in html


@pytest.mark.django_db(transaction=True)
def test_refresh_without_javascript_redirects_back(owner_client, sandbox, credential):
    owner_client.post(
        reverse("connectors:create", args=["acme", "mixpanel-s3"]),
        {**S3_FORM, "credential": credential.pk, "form_token": str(uuid.uuid4())},
    )
    connector = Connector.objects.get()
    response = owner_client.post(
        reverse("connectors:action", args=["acme", connector.pk, "refresh"])
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("connectors:detail", args=["acme", connector.pk])


@pytest.mark.django_db
def test_refresh_is_post_only_and_viewers_cannot(
    client_for, viewer, owner_client, team, owner, credential
):
    (connector,) = make_connectors(team, credential, owner, 1)
    url = reverse("connectors:action", args=["acme", connector.pk, "refresh"])
    assert owner_client.get(url).status_code == 405
    assert client_for(viewer).post(url).status_code == 403
    assert (
        client_for(viewer)
        .get(reverse("connectors:detail", args=["acme", connector.pk]))
        .status_code
        == 200
    )


@pytest.mark.django_db
def test_pager_links_keep_the_filters(owner_client, team, owner, credential):
    make_connectors(team, credential, owner, 30, template="mixpanel-gcs")
    html = owner_client.get(
        reverse("connectors:list", args=["acme"]), {"template": "mixpanel-gcs"}
    ).content.decode()
    assert 'href="?template=mixpanel-gcs&amp;page=2"' in html
    assert ">Older →</a>" in html  # newest first: the next page is older


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sort", "before", "after"),
    [("oldest", "← Older", "Newer →"), ("name", "← Previous", "Next →")],
)
def test_pager_words_follow_the_sort(owner_client, team, owner, credential, sort, before, after):
    make_connectors(team, credential, owner, 60)
    url = reverse("connectors:list", args=["acme"])
    html = owner_client.get(url, {"sort": sort, "page": 2}).content.decode()
    assert f">{before}</a>" in html and f">{after}</a>" in html


@pytest.mark.django_db
def test_search_sort_and_declared_statuses_combine_in_the_url(
    owner_client, team, owner, credential
):
    rows = make_connectors(team, credential, owner, 3)
    Connector.objects.filter(pk=rows[0].pk).update(name="zebra-bucket/raw", remote_status="failed")
    Connector.objects.filter(pk=rows[1].pk).update(name="alpha-bucket/raw")
    url = reverse("connectors:list", args=["acme"])
    html = owner_client.get(url, {"q": "bucket/raw", "sort": "name"}).content.decode()
    assert html.index("alpha-bucket/raw") < html.index("zebra-bucket/raw")
    assert "bucket-2/p" not in html  # not matching the search
    assert 'value="bucket/raw"' in html and '<option value="name" selected>' in html
    # By the provider's id and by the creator, too.
    assert "zebra-bucket" in owner_client.get(url, {"q": rows[0].remote_id[:8]}).content.decode()
    assert (
        html.count("<tr>")
        == owner_client.get(url, {"q": "olivia"}).content.decode().count("<tr>") - 1
    )
    # Status choices are the providers' declared statuses, whatever the table holds.
    for declared in ("active", "connected", "check failed", "testing", "disabled", "deleted"):
        assert f'<option value="{declared}"' in html
    failed = owner_client.get(url, {"status": "failed", "q": "raw"}).content.decode()
    assert "zebra-bucket/raw" in failed and "alpha-bucket/raw" not in failed
    none = owner_client.get(url, {"q": "nothing-like-this"}).content.decode()
    assert "No connector matches these filters." in none


@pytest.mark.django_db
@pytest.mark.parametrize(("rows", "queries"), [(1, 5), (40, 6)])
def test_list_query_count_with_search_filter_and_sort(
    owner_client, team, owner, credential, rows, queries, django_assert_num_queries
):
    make_connectors(team, credential, owner, rows)
    # session, user, memberships+teams (the page's and the switcher's), the team's credentials
    # and members with the creators the search matches (one query: the two filters' checks and
    # options, and what the search matches credentials and creators by), page rows; and the
    # count past a first page
    with django_assert_num_queries(queries):
        owner_client.get(
            reverse("connectors:list", args=["acme"]),
            {
                "q": "bucket",
                "status": "active",
                "sort": "refreshed",
                "template": "mixpanel-s3",
                "provider": "mixpanel",
                "credential": credential.pk,
                "creator": owner.pk,
                "since": "2020-01-01",
                "until": "2099-12-31",
            },
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [{}, {"since": "2026-11-01", "until": "bad"}, {"since": '"><b>x', "until": "2026-11-30"}],
)
def test_the_date_filters_are_djangos_own_input_markup(owner_client, team, query):
    from connectors_admin.connectors.filters import ConnectorFilter

    response = owner_client.get(reverse("connectors:list", args=["acme"]), query)
    html = response.content.decode()
    filters = ConnectorFilter(query, team)
    for name in ("since", "until"):
        assert str(filters[name]) in html
    # Written by the page itself: no widget template rendered for them.
    assert not [t.name for t in response.templates if t.name.startswith("django/forms/")]


@pytest.mark.django_db
def test_filters_by_provider_credential_creator_and_dates_and_bad_values_are_ignored(
    owner_client, team, owner, member, credential
):
    rows = make_connectors(team, credential, owner, 3)
    other = make_credential(team, owner, label="Other")
    Connector.objects.filter(pk=rows[0].pk).update(
        credential=other, created_by=member, name="by-member"
    )
    Connector.objects.filter(pk=rows[1].pk).update(
        created_at=timezone.now() - timedelta(days=40), name="old-one"
    )
    url = reverse("connectors:list", args=["acme"])

    def names(**params) -> set[str]:
        html = owner_client.get(url, params).content.decode()
        return {c.name for c in Connector.objects.all() if f">{c.name}</a>" in html}

    assert names(credential=other.pk) == {"by-member"}
    assert names(creator=member.pk) == {"by-member"}
    assert names(provider="mixpanel") == {c.name for c in Connector.objects.all()}
    assert names(provider="videovector") == set()
    since = (timezone.now() - timedelta(days=10)).date().isoformat()
    assert "old-one" not in names(since=since) and len(names(since=since)) == 2
    assert names(until=since) == {"old-one"}
    # What does not fit is said and ignored, never an error page.
    html = owner_client.get(url, {"since": "2024-02-30", "credential": "²", "q": "old"})
    assert html.status_code == 200
    text = html.content.decode()
    assert "Enter a valid date. Ignored." in text and "Select a valid choice" in text
    assert "old-one" in text
    assert owner_client.get(url, {"until": "9999-12-31"}).status_code == 200
    # What a search finds is said in the page's one live region (a region drawn anew with the
    # table may not be read out); the table's own poll says nothing again.
    page = owner_client.get(url).content.decode()
    assert '<p id="connector-count-said" class="visually-hidden" role="status"></p>' in page
    polled = owner_client.get(
        url, headers={"HX-Request": "true", "HX-Trigger": "connector-table"}
    ).content.decode()
    assert 'id="connector-count"' in polled and "connector-count-said" not in polled
    typed = owner_client.get(
        url, {"q": "old"}, headers={"HX-Request": "true", "HX-Trigger": "connector-filters"}
    ).content.decode()
    said = '<p id="connector-count-said" hx-swap-oob="innerHTML">1 connector matches</p>'
    assert said in typed
    assert '<p class="small muted" id="connector-count" tabindex="-1">1 connector matches' in typed
    # Filtering in place redraws the table alone: it says what it ignored.
    reversed_range = {"since": "2026-12-03", "until": "2026-12-01"}
    table = owner_client.get(url, reversed_range, headers={"HX-Request": "true"}).content.decode()
    assert 'id="filter-until"' not in table  # the table alone
    assert "Created until: The end is before the start. Ignored." in table
    polled = owner_client.get(
        url, reversed_range, headers={"HX-Request": "true", "HX-Trigger": "connector-table"}
    ).content.decode()
    assert "Ignored." not in polled  # said once, not again at every poll


@pytest.mark.django_db
def test_search_uses_the_trigram_indexes_on_postgresql(team, owner, credential):
    from django.db import connection

    from connectors_admin.connectors.filters import ConnectorFilter

    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes exist on PostgreSQL only")
    make_connectors(team, credential, owner, 3)
    searches = {
        # Unordered: the question is whether the filter can use an index at all.
        "connector_name_trgm": Connector.objects.filter(name__icontains="bucket-1").order_by(),
        "connector_remote_id_trgm": Connector.objects.filter(
            remote_id__icontains="abc-42"
        ).order_by(),
    }
    for index, connectors in searches.items():
        sql, params = connectors.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert index in plan, plan
    # The list's own search compiles to the same expressions.
    listed = ConnectorFilter({"q": "bucket"}, team).filter(Connector.objects.filter(team=team))
    assert 'UPPER("connectors_connector"."name"::text) LIKE UPPER(' in str(listed.query)


def _behind_the_window(team, credential, user, old: int) -> list[Connector]:
    """More connectors than a search walks first for its first page, all created at the same
    instant (ties at the window's edge), and `old` matches of "old-match" older than all of
    them, newest first."""
    from connectors_admin.connectors.filters import WINDOW_PER_ROW

    newer = WINDOW_PER_ROW * 26 + 100
    Connector.objects.bulk_create(
        Connector(
            team=team,
            credential=credential,
            provider="mixpanel",
            template="mixpanel-s3",
            remote_id=f"filler-{i}",
            name=f"filler-{i}/p",
            created_by=user,
        )
        for i in range(newer)
    )
    Connector.objects.filter(name__startswith="filler").update(created_at=timezone.now())
    matches = make_connectors(team, credential, user, old)
    day_ago = timezone.now() - timedelta(days=1)
    for i, row in enumerate(matches):
        Connector.objects.filter(pk=row.pk).update(
            name=f"old-match-{i}", created_at=day_ago - timedelta(minutes=old - i)
        )
    return list(Connector.objects.filter(name__startswith="old-match").order_by("-created_at"))


def _walked(owner_client, url, params) -> tuple[str, list[str]]:
    """The page as the planner answers it at 50,000 rows: walking the list, not reading the
    trigram indexes (here, with bitmap scans off: GIN indexes are read through bitmaps only)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with connection.cursor() as cursor:
        cursor.execute("SET enable_bitmapscan = off")
    try:
        with CaptureQueriesContext(connection) as queries:
            html = owner_client.get(url, params).content.decode()
        return html, [q["sql"] for q in queries.captured_queries]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET enable_bitmapscan")


SORTED_MATCHES = 'ORDER BY COALESCE("connectors_connector"."created_at"'


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_a_search_finds_matches_far_down_the_list(owner_client, team, owner, credential, sort):
    from django.db import connection

    matches = _behind_the_window(team, credential, owner, 30)
    if sort == "oldest":  # the matches come after every other connector, oldest first
        others = Connector.objects.exclude(name__startswith="old-match")
        others.update(created_at=timezone.now() - timedelta(days=2))
        matches.reverse()
    url = reverse("connectors:list", args=["acme"])
    pages = [owner_client.get(url, {"q": "old-match", "sort": sort}).content.decode()]
    if connection.vendor == "postgresql":
        walked, sql = _walked(owner_client, url, {"q": "old-match", "sort": sort})
        pages.append(walked)
        # The walk stopped at the window; the matches were then read and sorted.
        assert len([q for q in sql if SORTED_MATCHES in q]) == 1, sql
    for html in pages:
        assert "30 connectors match" in html
        # The first 25 matches in the list's order.
        shown = [c.name for c in matches if f">{c.name}</a>" in html]
        assert shown == [c.name for c in matches[:25]]
        places = [html.index(f">{c.name}</a>") for c in matches[:25]]
        assert places == sorted(places)
    page2 = owner_client.get(url, {"q": "old-match", "sort": sort, "page": 2}).content.decode()
    assert [c.name for c in matches if f">{c.name}</a>" in page2] == [c.name for c in matches[25:]]


@pytest.mark.django_db
def test_a_search_filled_by_the_newest_connectors_is_that_page(
    owner_client, team, owner, credential
):
    from django.db import connection

    _behind_the_window(team, credential, owner, 3)
    url = reverse("connectors:list", args=["acme"])
    newest = Connector.objects.filter(name__startswith="filler").order_by("-created_at", "-pk")
    expected = [c.name for c in newest[:25]]
    pages = [owner_client.get(url, {"q": "filler"}).content.decode()]
    if connection.vendor == "postgresql":
        walked, sql = _walked(owner_client, url, {"q": "filler"})
        pages.append(walked)
        assert not [q for q in sql if SORTED_MATCHES in q], sql  # the window was enough
    for html in pages:
        assert f"{newest.count():,} connectors match" in html
        assert [n for n in expected if f">{n}</a>" in html] == expected
        assert f">{newest[25].name}</a>" not in html


@pytest.mark.django_db
def test_past_the_cap_the_list_says_n_plus_and_pages_on_without_a_count(
    owner_client, team, owner, credential, settings, django_assert_num_queries
):
    settings.LIST_COUNT_CAP = 30
    make_connectors(team, credential, owner, 80)
    url = reverse("connectors:list", args=["acme"])
    html = owner_client.get(url).content.decode()
    assert "30+ connectors" in html and "<span>Page 1</span>" in html
    assert "all 30+ matching" in html
    # Deep pages past the cap are reachable, and the last one knows it is the last.
    page3 = owner_client.get(url, {"page": 3}).content.decode()
    assert "<span>Page 3</span>" in page3 and "Older →" in page3 and "← Newer" in page3
    page4 = owner_client.get(url, {"page": 4}).content.decode()
    assert page4.count('name="on_page"') == 5 and "Older →" not in page4
    names = [c.name for c in Connector.objects.order_by("-created_at", "-pk")[75:80]]
    assert all(name in page4 for name in names)
    # Past the end (an old link): said so, with the way back, not "No connectors yet".
    page9 = owner_client.get(url, {"page": 9}).text
    assert "this page is past the end of the list" in page9 and "No connectors yet" not in page9
    back = re.search(r'<a href="\?"([^>]*)>Back to the first page</a>', page9)
    assert back and 'hx-target="#connector-table"' in back.group(1)  # the table, swapped whole
    # Same number of queries as an uncapped page (a bounded count, then the rows).
    with django_assert_num_queries(6):
        owner_client.get(url, {"page": 3})
    settings.LIST_COUNT_CAP = 1000
    assert "80 connectors" in owner_client.get(url).content.decode()


@pytest.mark.django_db
def test_pages_are_sent_compressed_with_breach_padding(owner_client, team, owner, credential):
    import gzip

    make_connectors(team, credential, owner, 25)
    url = reverse("connectors:list", args=["acme"])
    plain = owner_client.get(url)
    packed = owner_client.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) * 3 < len(plain.content)
    assert gzip.decompress(packed.content).count(b"<tr>") == plain.content.count(b"<tr>")
    # The same page twice compresses to different lengths (random padding against BREACH).
    sizes = {
        len(owner_client.get(url, headers={"Accept-Encoding": "gzip"}).content) for _ in range(6)
    }
    assert len(sizes) > 1


@pytest.mark.django_db
@given(st.text())
def test_the_rows_escape_exactly_as_django_does(text):
    from django.utils.html import escape

    from connectors_admin.connectors.templatetags.connector_rows import _e

    assert _e(text) == escape(text)


def test_list_rows_escape_what_providers_and_users_named(owner_client, team, owner, credential):
    (connector,) = make_connectors(team, credential, owner, 1, status='<b onmouseover="x">')
    Connector.objects.filter(pk=connector.pk).update(
        name='<script>alert("n")</script>', remote_id="id<i>"
    )
    credential.label = "Cred <img src=x>"
    credential.save()
    html = owner_client.get(reverse("connectors:list", args=["acme"])).content.decode()
    assert (
        "<script>alert" not in html and "&lt;script&gt;alert(&quot;n&quot;)&lt;/script&gt;" in html
    )
    assert "id&lt;i&gt;" in html and "Cred &lt;img src=x&gt;" in html
    assert f'<option value="{credential.pk}">Cred &lt;img src=x&gt;</option>' in html
    assert "<b onmouseover" not in html and 'class="status status-b-onmouseoverx"' in html
    created = timezone.localtime(Connector.objects.get().created_at)
    assert f'<time datetime="{created.isoformat()}">{created:%b} {created.day}, ' in html
    assert 'aria-label="Select &lt;script&gt;' in html and f"/connectors/{connector.pk}/" in html


@pytest.mark.django_db
def test_a_credential_or_creator_a_link_names_wrongly_is_ignored_without_echoing_it(
    owner_client, team, owner, credential
):
    """As before the filters read the team's choices in one query: a link's value that names
    no credential or member of the team is said not to be one, in the page's own words, not
    repeated into the page."""
    make_connectors(team, credential, owner, 2)
    html = owner_client.get(
        reverse("connectors:list", args=["acme"]),
        {"credential": "Your account is locked: call 555-0100", "creator": "999999"},
    ).text
    assert "locked: call 555-0100 is not" not in html and "999999 is not" not in html
    assert html.count("That choice is not one of the available choices.") == 2
    assert html.count("<tr>") == 3  # ignored: every connector is listed


@pytest.mark.django_db(transaction=True)
def test_a_mixpanel_connector_that_never_reports_a_status_stops_reading_pending(
    owner_client, sandbox, credential
):
    """Mixpanel answers null for a new connector, and for good on some: "pending" while it may
    still settle, then "no status reported", on its page, in the list and in the filters."""
    for prefix in ("fresh/", "lasting/"):
        form = {**S3_FORM, "s3_prefix": prefix, "credential": credential.pk}
        owner_client.post(
            reverse("connectors:create", args=["acme", "mixpanel-s3"]),
            {**form, "form_token": str(uuid.uuid4())},
        )
    Connector.objects.update(remote_status="")
    Connector.objects.filter(name__endswith="lasting/").update(
        created_at=timezone.now() - timedelta(minutes=11)
    )
    fresh = Connector.objects.get(name__endswith="fresh/")
    lasting = Connector.objects.get(name__endswith="lasting/")
    assert (fresh.status_label, lasting.status_label) == ("pending", "no status reported")
    page = owner_client.get(reverse("connectors:detail", args=["acme", lasting.pk])).text
    assert "no status reported" in page and ">pending<" not in page
    url = reverse("connectors:list", args=["acme"])

    def names(**filters) -> set[str]:
        html = owner_client.get(url, filters).text
        return {n for n in ("fresh/", "lasting/") if f"acme-events/{n}" in html}

    assert names(status="pending") == {"fresh/"}
    assert names(status="-") == {"fresh/", "lasting/"}  # neither has reported one


@pytest.mark.django_db
def test_a_signed_in_users_pages_are_kept_by_no_cache(owner_client, client, team, credential):
    """Neither a proxy nor the browser keeps a page made for a signed-in user (Back after
    sign-out on a shared computer shows nothing); anonymous pages and the sandbox's API answers
    are left as they were, and an answer that says how it may be cached keeps its own word."""
    for url, headers in [
        (reverse("connectors:list", args=["acme"]), {}),
        (reverse("connectors:list", args=["acme"]), HTMX),
        (reverse("credentials:detail", args=["acme", credential.pk]), {}),
        (reverse("connectors:pick", args=["acme"]), {}),
    ]:
        response = owner_client.get(url, headers=headers)
        assert response.status_code == 200, url
        cache = {part.strip() for part in response.headers["Cache-Control"].split(",")}
        assert {"no-store", "private", "no-cache", "max-age=0"} <= cache, url
    assert "Cache-Control" in owner_client.get("/").headers  # a redirect too
    api = client.get("/sandbox/api/v1/connector_definitions")  # no session: not read, no Vary
    assert "Cache-Control" not in api.headers and "Cookie" not in api.headers.get("Vary", "")
    # Signed out, the same address answers an anonymous redirect to sign in: left alone.
    owner_client.post(reverse("account_logout"))
    home = owner_client.get("/")
    assert home.status_code == 302 and "Cache-Control" not in home.headers
