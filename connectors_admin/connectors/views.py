from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from connectors_admin.accounts.access import get_membership
from connectors_admin.accounts.models import Membership, current_membership
from connectors_admin.credentials.models import Credential
from connectors_admin.providers import PROVIDERS, TEMPLATES, ConnectorTemplate

from .forms import build_form, form_token
from .models import Connector, Submission
from .services import create_connector, delete_connector, refresh_connector

PAGE_SIZE = 25


@login_required
def home(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request.user)
    if membership is None:
        return render(request, "connectors/no_team.html")
    return redirect("connectors:dashboard", team=membership.team.slug)


@login_required
def dashboard(request: HttpRequest, team: str) -> HttpResponse:
    membership = get_membership(request, team)
    recent = (
        Connector.objects.filter(team=membership.team)
        .select_related("created_by", "credential")
        .order_by("-created_at")[:5]
    )
    credentials = Credential.objects.filter(team=membership.team).select_related("secret_set_by")
    return render(
        request,
        "connectors/dashboard.html",
        {
            "membership": membership,
            "team": membership.team,
            "recent": recent,
            "credentials": credentials,
            "providers": PROVIDERS.values(),
        },
    )


@login_required
def connector_list(request: HttpRequest, team: str) -> HttpResponse:
    membership = get_membership(request, team)
    connectors = Connector.objects.filter(team=membership.team)
    template = request.GET.get("template", "")
    status = request.GET.get("status", "")
    statuses = sorted(set(connectors.order_by().values_list("remote_status", flat=True).distinct()))
    if template in TEMPLATES:
        connectors = connectors.filter(template=template)
    if status == "pending":
        connectors = connectors.filter(remote_status="")
    elif status:
        connectors = connectors.filter(remote_status=status)
    page = Paginator(
        connectors.select_related("created_by", "credential").order_by("-created_at"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {
        "membership": membership,
        "team": membership.team,
        "page": page,
        "templates": TEMPLATES.values(),
        "statuses": [s or "pending" for s in statuses],
        "selected_template": template,
        "selected_status": status,
    }
    name = "connectors/list.html#connector-table" if _partial(request) else "connectors/list.html"
    return render(request, name, context)


@login_required
def template_picker(request: HttpRequest, team: str) -> HttpResponse:
    membership = get_membership(request, team, "create_connector")
    return render(
        request,
        "connectors/pick_template.html",
        {"membership": membership, "team": membership.team, "providers": PROVIDERS.values()},
    )


def _template_or_404(slug: str) -> ConnectorTemplate:
    try:
        return TEMPLATES[slug]
    except KeyError:
        raise Http404("No such template.") from None


def _partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


def _team_credentials(membership: Membership, template: ConnectorTemplate):
    return Credential.objects.filter(
        team=membership.team, kind=template.provider_slug, enabled=True
    ).select_related("secret_set_by")


@login_required
@require_http_methods(["GET", "POST"])
def connector_create(request: HttpRequest, team: str, template: str) -> HttpResponse:
    membership = get_membership(request, team, "create_connector")
    tpl = _template_or_404(template)
    credentials = _team_credentials(membership, tpl)
    context = {
        "membership": membership,
        "team": membership.team,
        "template": tpl,
        "provider": tpl.provider,
        "has_credentials": credentials.exists(),
        "can_manage_credentials": membership.can("manage_credentials"),
    }
    if request.method == "GET":
        chosen = credentials.filter(pk=request.GET.get("credential") or 0).first()
        form = build_form(tpl, credentials, credential=chosen)
        return _render_form(request, context, form, uuid.uuid4())

    form = build_form(tpl, credentials, data=request.POST)
    token = form_token(request.POST)
    if token is None or not form.is_valid():
        return _render_form(request, context, form, token or uuid.uuid4())
    data = dict(form.cleaned_data)
    credential = data.pop("credential")
    submission = create_connector(
        team=membership.team,
        user=request.user,
        template=tpl,
        credential=credential,
        data=data,
        token=token,
        request=request,
    )
    if submission.outcome == Submission.Outcome.SUCCEEDED:
        connector = submission.connector
        if not _partial(request):
            return redirect("connectors:detail", team=team, pk=connector.pk)
        response = render(
            request,
            "connectors/create.html#create-panel",
            {**context, "connector": connector, "submission": submission},
        )
        return trigger_client_event(response, "connector-created", {"id": str(connector.pk)})
    if submission.outcome == Submission.Outcome.PENDING:
        context["provider_error"] = (
            "This form was already sent and is still waiting for an answer. "
            "Check the connector list in a moment before sending it again."
        )
    else:
        for field, message in submission.field_errors.items():
            if field in form.fields:
                form.add_error(field, message)
        context["provider_error"] = submission.error_message
    context["failed_submission"] = submission
    # The failed attempt is recorded; a deliberate second try is a new submission.
    return _render_form(request, context, form, uuid.uuid4())


def _render_form(request, context, form, token) -> HttpResponse:
    context = {
        **context,
        "form": form,
        "form_token": token,
        "credential_field": form["credential"],
        "default_fields": [form[n] for n in form.credential_defaults],
        "other_fields": [
            form[n] for n in form.fields if n != "credential" and n not in form.credential_defaults
        ],
    }
    name = "connectors/create.html#create-panel" if _partial(request) else "connectors/create.html"
    return render(request, name, context)


@login_required
@require_POST
def validate_field(request: HttpRequest, team: str, template: str, field: str) -> HttpResponse:
    membership = get_membership(request, team, "create_connector")
    tpl = _template_or_404(template)
    form = build_form(tpl, _team_credentials(membership, tpl), data=request.POST)
    if field not in form.fields:
        raise Http404("No such field.")
    form.is_valid()
    return render(
        request,
        "connectors/create.html#field-row",
        {"field": form[field], "template": tpl, "team": membership.team},
    )


@login_required
def credential_defaults(request: HttpRequest, team: str, template: str) -> HttpResponse:
    membership = get_membership(request, team, "create_connector")
    tpl = _template_or_404(template)
    credentials = _team_credentials(membership, tpl)
    chosen = credentials.filter(pk=request.GET.get("credential") or 0).first()
    form = build_form(tpl, credentials, credential=chosen)
    return render(
        request,
        "connectors/create.html#credential-defaults",
        {
            "default_fields": [form[n] for n in form.credential_defaults],
            "template": tpl,
            "team": membership.team,
        },
    )


@login_required
def connector_detail(request: HttpRequest, team: str, pk: uuid.UUID) -> HttpResponse:
    membership = get_membership(request, team)
    connector = get_object_or_404(
        Connector.objects.select_related("created_by", "credential"),
        team=membership.team,
        pk=pk,
    )
    submissions = list(connector.submissions.select_related("user").order_by("-created_at")[:20])
    created = next((s for s in reversed(submissions) if s.action == Submission.Action.CREATE), None)
    return render(
        request,
        "connectors/detail.html",
        {
            "membership": membership,
            "team": membership.team,
            "connector": connector,
            "submissions": submissions,
            "create_submission": created,
        },
    )


@login_required
@require_POST
def connector_refresh(request: HttpRequest, team: str, pk: uuid.UUID) -> HttpResponse:
    membership = get_membership(request, team, "create_connector")
    connector = get_object_or_404(
        Connector.objects.select_related("credential", "created_by"),
        team=membership.team,
        pk=pk,
    )
    if connector.deleted_at:
        messages.error(request, "This connector is deleted; there is nothing to refresh.")
        return redirect("connectors:detail", team=team, pk=pk)
    submission = refresh_connector(connector, request.user, request)
    if not _partial(request):
        return redirect(reverse("connectors:detail", args=[team, pk]))
    return render(
        request,
        "connectors/detail.html#record-panel",
        {
            "membership": membership,
            "team": membership.team,
            "connector": connector,
            "refresh_submission": submission,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def connector_delete(request: HttpRequest, team: str, pk: uuid.UUID) -> HttpResponse:
    membership = get_membership(request, team, "create_connector")
    connector = get_object_or_404(
        Connector.objects.select_related("credential", "created_by"),
        team=membership.team,
        pk=pk,
    )
    if connector.deleted_at:
        return redirect("connectors:detail", team=team, pk=pk)
    submission = None
    if request.method == "POST":
        submission = delete_connector(connector, request.user, request)
        if submission.outcome == Submission.Outcome.SUCCEEDED:
            messages.success(
                request, "The connector is deleted at the provider. Its record stays here."
            )
            return redirect("connectors:detail", team=team, pk=pk)
    return render(
        request,
        "connectors/delete.html",
        {
            "membership": membership,
            "team": membership.team,
            "connector": connector,
            "submission": submission,
        },
    )
