from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from connectors_admin.accounts.access import get_membership, require
from connectors_admin.accounts.models import Membership, current_membership
from connectors_admin.core import crypto
from connectors_admin.core.htmx import htmx_partial
from connectors_admin.core.paging import CappedPage, CappedPaginator
from connectors_admin.core.responses import no_content
from connectors_admin.credentials.models import Credential, live_use_if_disabled
from connectors_admin.providers import PROVIDERS, TEMPLATES, ConnectorTemplate
from connectors_admin.providers.base import ProviderError
from connectors_admin.providers.schema_forms import SecretTextarea

from . import bulk
from .attention import needs_attention
from .filters import ConnectorFilter
from .forms import CreateFlow, CredentialChoiceField, by_trust, form_token, mark_kept
from .lost import lost_answers
from .models import Connector, Submission
from .services import (
    action_initial,
    check_before_create,
    create_connector,
    import_connectors,
    list_importable,
    push_rotated,
    run_action,
    unsettled_try,
)

PAGE_SIZE = 25
HISTORY_PAGE = 20


@login_required
def home(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request.user)
    if membership is None:
        return render(request, "connectors/no_team.html")
    return redirect("connectors:dashboard", team=membership.team.slug)


def _recorded_namesake(submission: Submission, name: str) -> Connector | None:
    """The live record of the connector a create clashed with by name, if it is recorded here
    already (at the same place): it is opened, not imported again."""
    credential = submission.credential
    if not name or credential is None:
        return None
    # A place chosen per connector (an Upstash cluster) is part of where it is, too.
    cluster = (submission.identity or {}).get("cluster_id")
    for connector in Connector.objects.filter(
        team=submission.team_id, template=submission.template, deleted_at=None, name=name
    ).select_related("credential"):
        if cluster and connector.context.get("cluster_id") != cluster:
            continue
        if connector.credential is not None and connector.credential.reaches_same_place(credential):
            return connector
    return None


@login_required
def dashboard(request: HttpRequest, team: str) -> HttpResponse:
    membership = get_membership(request, team)
    recent = (
        Connector.objects.filter(team=membership.team)
        .select_related("created_by", "credential")
        .order_by("-created_at")[:5]
    )
    # With, for a disabled one, how many live connectors still use it: "Needs attention" says so.
    credentials = list(
        Credential.objects.filter(team=membership.team)
        .select_related("secret_set_by")
        .annotate(live_use=live_use_if_disabled())
    )
    return render(
        request,
        "connectors/dashboard.html",
        {
            "membership": membership,
            "team": membership.team,
            "recent": recent,
            "lost_answers": lost_answers(membership.team),
            "attention": needs_attention(membership.team, credentials),
            "credentials": credentials,
            "providers": PROVIDERS.values(),
        },
    )


# What a list row shows, and nothing else: not the provider's record or the kept configuration
# (JSON decoded per row), not the credential's payload, not the creator's password hash.
LIST_COLUMNS = [
    "name",
    "remote_id",
    "template",
    "remote_status",
    "created_at",
    "deleted_at",
    "credential__label",
    "created_by__username",
]


@login_required
def connector_list(request: HttpRequest, team: str) -> HttpResponse:
    membership = get_membership(request, team)
    filters = ConnectorFilter(request.GET, membership.team)
    connectors = filters.filter(Connector.objects.filter(team=membership.team))
    page = CappedPaginator(
        connectors.select_related("created_by", "credential").only(*LIST_COLUMNS),
        PAGE_SIZE,
        reader=filters.reader,
    ).get_page(request.GET.get("page"))
    waiting = bulk.waiting(request, page.object_list)
    batch = bulk.batch_outcome(request, membership.team)
    context = {
        "membership": membership,
        "team": membership.team,
        "page": page,
        "waiting": waiting,
        "can_pick": membership.can("create_connector"),
        # Poll while a provider is still settling a connector or a queued refresh has not run.
        "poll": bool(waiting)
        or bool(batch and batch["waiting"])
        or any(c.in_flight for c in page.object_list),
        "bulk_actions": [(key, label) for key, (label, _, _) in bulk.BULK_ACTIONS.items()],
        "filters": filters,
        "query": filters.value("q") or "",
        "batch": batch,
        # Read only by the whole page: the table's own refreshes (typing, filters, polling)
        # do not show it.
        "lost_answers": SimpleLazyObject(lambda: lost_answers(membership.team)),
    }
    partial = htmx_partial(request)
    # The table's own poll: its count is not announced again every few seconds.
    context["polled"] = partial and request.htmx.trigger == "connector-table"
    # A search or a filter changed in place: what it found is said in the page's live region.
    context["announce"] = partial and request.htmx.trigger == "connector-filters"
    # The table alone is redrawn as filters change: it says itself what it ignored.
    context["ignored"] = (partial and not context["polled"]) and [
        (filters[name].label, errors[0]) for name, errors in filters.errors.items()
    ]
    name = "connectors/list.html#connector-table" if partial else "connectors/list.html"
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


def _create_context(membership: Membership, flow: CreateFlow) -> dict:
    return {
        "membership": membership,
        "team": membership.team,
        "template": flow.template,
        "provider": flow.template.provider,
        # Read only when a page shows it, not on a create that succeeds and redirects.
        "has_credentials": SimpleLazyObject(flow.credentials.exists),
        # Said when none is enabled: "disabled", not "none yet", with the way to enable one.
        "disabled_credentials": SimpleLazyObject(
            lambda: list(
                Credential.objects.filter(
                    team=membership.team, kind=flow.template.provider_slug, enabled=False
                ).only("pk", "label")[:5]
            )
        ),
        "can_manage_credentials": membership.can("manage_credentials"),
    }


@login_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def connector_create(request: HttpRequest, team: str, template: str) -> HttpResponse:
    membership = get_membership(request, team, "create_connector")
    flow = CreateFlow(request, membership.team, _template_or_404(template))
    context = _create_context(membership, flow)
    if request.method == "GET":
        if "like" in request.GET:
            return _create_like(request, flow, context, membership, request.GET["like"])
        form = flow.build(
            values=request.GET, changed="credential", refresh="refresh" in request.GET
        )
        return _render_form(request, flow, context, form, uuid.uuid4())

    token = form_token(request.POST)
    # One key for every try of this form while the outcome of a try is unclear, so a provider
    # that honours idempotency returns the first connector instead of making a second.
    create_key = form_token({"form_token": request.POST.get("create_key")}) or token
    context["create_key"] = create_key
    form = flow.build(data=request.POST, files=request.FILES, token=token)
    if token is None or form.problem or form.restored or not form.is_valid():
        # A form that could not be built (its catalogue is unreachable, say) sends nothing; nor
        # does one given back what was typed while it could not be, before it is seen.
        return _render_form(request, flow, context, form, token or uuid.uuid4(), keep_from=token)
    data = form.provider_data()
    again = bool(request.POST.get("send_again"))
    earlier = None
    if create_key != token and not again:  # a retry: is the last try's outcome known yet?
        earlier = unsettled_try(membership.team, flow.template, str(create_key))
    if earlier is not None:
        context["confirm_send_again"] = True
        context["failed_submission"] = earlier
        form.add_error(
            None,
            f"The last try may have created this connector: {flow.template.provider.label} did "
            "not say, and it is being looked for there. Sent again, it would make a second "
            "one. Wait for its outcome, or tick “Send it again anyway” below.",
        )
        return _render_form(request, flow, context, form, token, keep_from=token)
    confirmed = bool(request.POST.get("confirm_failed_check"))
    if flow.template.checks_connection and flow.failed_check(token, data) and not confirmed:
        context["confirm_failed_check"] = True
        context["failed_check_message"] = flow.check_message(token, data)
        form.add_error(
            None,
            "The last connection check of this configuration failed. Tick “Create it anyway” "
            "to create the connector regardless, or change the configuration.",
        )
        return _render_form(request, flow, context, form, token, keep_from=token)
    submission = create_connector(
        team=membership.team,
        user=request.user,
        template=flow.template,
        credential=form.cleaned_data["credential"],
        data=data,
        context=form.record_context(),
        identity=form.identity(),
        kept=form.configuration_secrets(),
        token=token,
        idempotency_key=f"connector-create-{flow.template.slug}:{create_key}",
        create_key=str(create_key),
        checked=bool(flow.template.checks_connection and flow.last_check(token, data)),
        request=request,
    )
    if submission.outcome == Submission.Outcome.SUCCEEDED:
        flow.forget(token)
        connector = submission.connector
        if not htmx_partial(request):
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
            form.add_provider_error(field, message)
        context["provider_error"] = submission.error_message
    context["failed_submission"] = submission
    if submission.error_kind == "exists":
        context["recorded_namesake"] = _recorded_namesake(submission, data.get("name", ""))
    if confirmed:
        # Ticked and sent: the tick stays for the next try, like every other value.
        context["confirm_failed_check"] = context["failed_check_confirmed"] = True
        context["failed_check_message"] = flow.check_message(token, data)
    # The failed attempt is recorded; a deliberate second try is a new submission, with the same
    # idempotency key only while the first try's outcome is unclear.
    new_token = uuid.uuid4()
    unclear = (
        submission.outcome == Submission.Outcome.PENDING  # the first post still waits
        or submission.reconciliation == Submission.Reconciliation.PENDING
    )
    if not unclear:
        context["create_key"] = new_token
    flow.move_check(token, new_token)
    return _render_form(request, flow, context, form, new_token, keep_from=token)


def _create_like(
    request: HttpRequest, flow: CreateFlow, context: dict, membership: Membership, like: str
) -> HttpResponse:
    """The create form started from one of the team's connectors of this template ("create
    another like this"): what its template maps back from it, never a secret. Another team's
    connector, or one of another template, is not found."""
    try:
        pk = uuid.UUID(like)
    except ValueError:
        raise Http404("No such connector.") from None
    connector = get_object_or_404(
        Connector, team=membership.team, pk=pk, template=flow.template.slug
    )
    form, said = flow.build_like(flow.template.like(connector.original()))
    context["like"] = {"connector": connector, **said}
    return _render_form(request, flow, context, form, uuid.uuid4())


def _render_form(request, flow, context, form, token, keep_from=None, name=None) -> HttpResponse:
    if form.is_bound:
        flow.keep_secrets(form, keep_from, token)
    context = {
        **context,
        "form": form,
        "form_token": token,
        "create_key": context.get("create_key") or token,
        "credential_field": form["credential"],
        "items": flow.layout(form),
        "unchecked_fields": flow.unchecked_fields(form),
    }
    if name is None:
        partial = htmx_partial(request)
        name = "connectors/create.html#create-panel" if partial else "connectors/create.html"
    return render(request, name, context)


@login_required
@sensitive_post_parameters()
@require_POST
def validate_field(request: HttpRequest, team: str, template: str, field: str) -> HttpResponse:
    membership = get_membership(request, team, "create_connector")
    # The inline check runs on every field change: it uses what is cached and never calls out.
    flow = CreateFlow(request, membership.team, _template_or_404(template), fetch=False)
    form = flow.build(data=request.POST, token=form_token(request.POST))
    if form.problem:
        return no_content()  # nothing to check against yet: leave the field as is
    if field not in form.fields:
        raise Http404("No such field.")
    form.is_valid()
    token = form_token(request.POST)
    if token is not None and form.typed_secrets(form.data):
        # A secret typed into a text the check shows again (the other properties, say) is taken
        # out of it: kept for the create, as its form token's secrets.
        flow.keep_secrets(form, token, token)
    return render(
        request,
        "connectors/create.html#field-row",
        {"field": form[field], "template": flow.template, "team": membership.team},
    )


@login_required
@sensitive_post_parameters()
@require_POST
def template_fields(request: HttpRequest, team: str, template: str) -> HttpResponse:
    """The form's fields again after a choice they depend on changed (credential, connector)."""
    membership = get_membership(request, team, "create_connector")
    flow = CreateFlow(request, membership.team, _template_or_404(template))
    changed = request.GET.get("changed", "")
    token = form_token(request.POST)
    form = flow.build(
        values=request.POST, changed=changed, token=token, refresh="refresh" in request.GET
    )
    if token is not None and changed in form.view_choices:
        # Only the view changed (fields or raw JSON): what was typed into secrets is kept.
        flow.keep_secrets(form, token, token, values=request.POST)
    context = {
        **_create_context(membership, flow),
        "form": form,
        "credential_field": form["credential"],
        "items": flow.layout(form),
        "unchecked_fields": flow.unchecked_fields(form),
        "form_token": token,
        # Asked for again and fetched: said, and focus goes there (the button was swapped out).
        "refreshed": "refresh" in request.GET
        and not getattr(form, "problem", "")
        and not getattr(form, "stale_note", ""),
    }
    return render(request, "connectors/create.html#template-fields", context)


@login_required
@sensitive_post_parameters()
@require_POST
def check_connection(request: HttpRequest, team: str, template: str) -> HttpResponse:
    """Test the configuration in the form with the provider, before anything is created."""
    membership = get_membership(request, team, "create_connector")
    flow = CreateFlow(request, membership.team, _template_or_404(template))
    if not flow.template.checks_connection:
        raise Http404("This template has no connection check.")
    context = _create_context(membership, flow)
    token = form_token(request.POST) or uuid.uuid4()
    form = flow.build(data=request.POST, files=request.FILES, token=token)
    # A form that could not be built (the provider's catalogue unreachable) checks nothing,
    # nor one given back what was typed meanwhile, before it is seen.
    if not (form.problem or form.restored) and form.is_valid():
        data = form.provider_data()
        result = check_before_create(
            team=membership.team,
            user=request.user,
            template=flow.template,
            credential=form.cleaned_data["credential"],
            data=data,
            context=form.record_context(),
            request=request,
        )
        flow.remember_check(token, data, result.ok, result.message)
        context["check_result"] = result
    return _render_form(request, flow, context, form, token, keep_from=token)


def _team_connector(request: HttpRequest, team: str, pk: uuid.UUID, capability: str):
    membership = get_membership(request, team, capability)
    connector = get_object_or_404(
        Connector.objects.select_related("credential", "created_by"),
        team=membership.team,
        pk=pk,
    )
    return membership, connector


@login_required
def connector_detail(request: HttpRequest, team: str, pk: uuid.UUID) -> HttpResponse:
    membership, connector = _team_connector(request, team, pk, "view")
    if htmx_partial(request) and request.GET.get("poll"):
        # The record panel polls while the provider is still settling the connector's state.
        return render(
            request,
            "connectors/detail.html#record-panel",
            {"membership": membership, "team": membership.team, "connector": connector},
        )
    routine = request.GET.get("routine") == "1"
    history = _history(connector, request.GET.get("history"), routine=routine)
    # The create submission may be older than the newest twenty: fetched on its own.
    created = connector.submissions.filter(action=Submission.CREATE).first()
    return render(
        request,
        "connectors/detail.html",
        {
            "membership": membership,
            "team": membership.team,
            "connector": connector,
            "submissions": history.object_list,
            "history": history,
            "routine": routine,
            "create_submission": created,
        },
    )


def _history(connector: Connector, page: object, *, routine: bool = False) -> CappedPage:
    """A connector's operations, newest first; with `routine`, the background reads that found
    nothing new too (Submission.routine)."""
    operations = (
        connector.submissions.all() if routine else connector.submissions.filter(routine=False)
    )
    return CappedPaginator(
        operations.select_related("user")
        .prefetch_related("attempts")
        .order_by("-created_at", "-pk"),
        HISTORY_PAGE,
    ).get_page(page)


@login_required
def submission_detail(request: HttpRequest, team: str, pk: int) -> HttpResponse:
    """One operation: its outcome (and, for a create whose answer was lost, what the background
    work found out), and every HTTP exchange it made."""
    membership = get_membership(request, team)
    submission = get_object_or_404(
        Submission.objects.select_related("user", "credential", "connector"),
        team=membership.team,
        pk=pk,
    )
    context = {
        "membership": membership,
        "team": membership.team,
        "submission": submission,
        "attempts": submission.attempts.all(),
    }
    name = "connectors/submission.html"
    if htmx_partial(request) and request.GET.get("poll"):
        name += "#outcome-panel"
    return render(request, name, context)


@login_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
def connector_action(request: HttpRequest, team: str, pk: uuid.UUID, action: str) -> HttpResponse:
    """Any action a template declares: a confirmation page first where it asks for one (GET),
    then the run (POST); the record panel in place for htmx, else back to the detail page."""
    membership, connector = _team_connector(request, team, pk, "view")
    declared = connector.template_obj.action(action)
    if declared is None:
        raise Http404("This connector has no such action.")
    require(membership, declared.capability)
    if declared not in connector.available_actions():
        state = "deleted" if connector.deleted_at else f"“{connector.status_label}”"
        messages.error(request, f"“{declared.label}” is not available while it is {state}.")
        return redirect("connectors:detail", team=team, pk=pk)
    context = {
        "membership": membership,
        "team": membership.team,
        "connector": connector,
        "action": declared,
    }
    if declared.inputs is not None and not declared.changes_remote:
        return _action_page(request, connector, declared, context)
    if declared.inputs is not None:
        return _action_form(request, connector, declared, context)
    if request.method == "GET":
        if not declared.confirm:
            return HttpResponseNotAllowed(["POST"])
        return render(request, "connectors/confirm_action.html", context)
    submission = run_action(connector, declared.slug, request.user, request)
    succeeded = submission.outcome == Submission.Outcome.SUCCEEDED
    done = declared.done_message(connector.template_obj.provider.label)
    if declared.confirm and not succeeded:
        context["submission"] = submission
        return render(request, "connectors/confirm_action.html", context)
    if not htmx_partial(request) or declared.confirm:
        if succeeded:
            messages.success(request, f"{done} {connector.last_error}".strip())
        else:
            messages.error(request, submission.error_message)
        return redirect("connectors:detail", team=team, pk=pk)
    response = render(
        request,
        "connectors/detail.html#record-panel",
        {**context, "action_submission": submission, "action_message": done},
    )
    # The history below shows the operation just run (swapped in out of band).
    history = _history(connector, 1)
    response.content += render_to_string(
        "connectors/detail.html#history-panel",
        {**context, "history": history, "submissions": history.object_list, "oob": True},
        request=request,
    ).encode()
    return response


ACTION_SECRETS = "action-secrets:{}:{}"  # session key: secrets typed into a failed action's form


def _secret_inputs(form_class: type[forms.Form]) -> list[str]:
    """The inputs that never show what they hold (a password, a secret text area)."""
    return [
        name
        for name, field in form_class.base_fields.items()
        if isinstance(field.widget, forms.PasswordInput | SecretTextarea)
    ]


def _action_form(request: HttpRequest, connector: Connector, declared, context: dict):
    """An action that changes something with inputs (a reconfigure): its form, starting from
    the connector's current values (GET); the run (POST); the form again, kept, if it failed.
    Secrets typed into a failed try are kept (encrypted, in the session) for the next one: the
    form cannot show them again, and sent empty it would keep the old ones without a word."""
    key = ACTION_SECRETS.format(connector.pk, declared.slug)
    try:  # also on a POST: what the form says up front (secrets needed) is said after a try
        initial = action_initial(connector, declared.slug)
    except ProviderError as error:
        initial = {}
        context["problem"] = error.message
    if request.method == "GET":
        request.session.pop(key, None)
        context["form"] = declared.inputs(initial=initial)
        return render(request, "connectors/confirm_action.html", context)
    data = request.POST.copy()
    kept = _kept_action_secrets(request, key)
    if getattr(declared.inputs, "takes_kept", False):
        # It puts them in itself, once it knows what this try typed where.
        form = declared.inputs(data, initial=initial, kept=kept)
    else:
        for name in _secret_inputs(declared.inputs):
            if not data.get(name) and kept.get(name):
                data[name] = kept[name]
        form = declared.inputs(data, initial=initial)
    context["form"] = form
    if not form.is_valid():
        _keep_action_secrets(request, key, form, form.data)
        return render(request, "connectors/confirm_action.html", context)
    submission = run_action(
        connector, declared.slug, request.user, request, inputs=form.cleaned_data
    )
    if submission.outcome != Submission.Outcome.SUCCEEDED:
        for field, message in submission.field_errors.items():
            form.add_error(field if field in form.fields else None, message)
        context["submission"] = submission
        _keep_action_secrets(request, key, form, form.data)
        return render(request, "connectors/confirm_action.html", context)
    request.session.pop(key, None)
    done = declared.done_message(connector.template_obj.provider.label)
    messages.success(request, f"{done} {connector.last_error}".strip())
    return redirect("connectors:detail", team=connector.team.slug, pk=connector.pk)


def _kept_action_secrets(request: HttpRequest, key: str) -> dict[str, str]:
    stored = request.session.get(key)
    if not stored:
        return {}
    try:
        return dict(crypto.decrypt_json(stored))
    except crypto.DecryptionError:
        return {}


def _keep_action_secrets(request: HttpRequest, key: str, form: forms.Form, data) -> None:
    typed = {name: data[name] for name in _secret_inputs(type(form)) if data.get(name)}
    if not typed:
        request.session.pop(key, None)
        return
    request.session[key] = crypto.encrypt_json(typed)
    for name in typed:
        mark_kept(
            form,
            name,
            "Left empty, what you typed in the failed try is sent (kept encrypted until then).",
        )


def _action_page(request: HttpRequest, connector: Connector, declared, context: dict):
    """A read-only action with inputs (a browse): its form, and its result once asked. It runs
    from a GET with the inputs in the query string, so the page can be shared as a link."""
    asked = any(name in request.GET for name in declared.inputs.base_fields)
    form = declared.inputs(request.GET if asked else None)
    if asked and form.is_valid():
        submission = run_action(
            connector, declared.slug, request.user, request, inputs=form.cleaned_data
        )
        context["submission"] = submission
        context["result"] = getattr(submission, "result", None)
    context["form"] = form
    name = "connectors/action_page.html"
    if htmx_partial(request):
        name += "#action-result"
    return render(request, name, context)


PUSHED = "pushed-secret:{}"  # session key: the last push's results, per credential


@login_required
@require_http_methods(["GET", "POST"])
def push_rotated_secret(request: HttpRequest, team: str, pk: int) -> HttpResponse:
    """POST pushes a rotated credential's new secret into the connectors that embed the old one,
    then redirects here; GET shows that push's result per connector (a reload pushes nothing)."""
    membership = get_membership(request, team, "manage_credentials")
    credential = get_object_or_404(Credential, team=membership.team, pk=pk)
    key = PUSHED.format(credential.pk)
    if request.method == "POST":
        outcomes = push_rotated(credential, request.user, request)
        request.session[key] = [
            [str(connector.pk), submission.pk if submission else None, said]
            for connector, submission, said in outcomes
        ]
        return redirect("connectors:push-rotated", team=team, pk=pk)
    kept = request.session.get(key)
    if kept is None:
        return redirect("credentials:detail", team=team, pk=pk)
    connectors = Connector.objects.filter(team=membership.team).in_bulk([c for c, _, _ in kept])
    submissions = Submission.objects.filter(team=membership.team).in_bulk(
        [s for _, s, _ in kept if s is not None]
    )
    outcomes = [
        (connectors[uuid.UUID(c)], submissions.get(s) if s is not None else None, said)
        for c, s, said in kept
        if uuid.UUID(c) in connectors
    ]
    return render(
        request,
        "connectors/push_results.html",
        {
            "membership": membership,
            "team": membership.team,
            "credential": credential,
            "outcomes": outcomes,
            "nav": "credentials",
        },
    )


MAX_IMPORT = 500


def _import_form(template: ConnectorTemplate, team) -> forms.Form:
    credentials = Credential.objects.filter(team=team, kind=template.provider_slug, enabled=True)
    # Offered as on the create form: its hint and last test said, a verified one first.
    field = CredentialChoiceField(
        queryset=by_trust(credentials),
        empty_label=None,
        label="Credential",
        help_text=f"The {template.provider.label} credential whose connectors to list.",
    )
    return type(
        "ImportForm", (template.imports,), {"credential": field, "field_order": ["credential"]}
    )


def _import_initial(form_class: type[forms.Form]) -> dict[str, Any]:
    """What a new import form starts from: the first credential's stored defaults (a
    project id, say) for the fields the form names as such."""
    names = getattr(form_class, "credential_defaults", ())
    first = form_class.base_fields["credential"].queryset.first() if names else None
    return {name: first.public.get(name) for name in names} if first else {}


def _not_imported(skipped: dict[str, int], template: ConnectorTemplate) -> str:
    """Why some of the connectors ticked were not imported, in words."""
    why = {
        "recorded": "already recorded here",
        "gone": f"no longer listed by {template.provider.label}",
        "unread": "past the part of the list that was read",
        "cannot": "not recordable here (list them again to see why)",
    }
    said = [f"{n} {pluralize(n, 'is,are')} {why[key]}" for key, n in skipped.items() if n]
    total = sum(skipped.values())
    return f"{total} of those ticked {pluralize(total, 'was,were')} not imported: " + (
        "; ".join(said) + "."
    )


@login_required
@require_http_methods(["GET", "POST"])
def connector_import(request: HttpRequest, team: str, template: str) -> HttpResponse:
    """Connectors made elsewhere (another tool, a teammate's curl): listed from the provider
    (GET, so the list is a link), and the chosen ones recorded here (POST)."""
    membership = get_membership(request, team, "create_connector")
    chosen_template = _template_or_404(template)
    if chosen_template.imports is None:
        raise Http404("This template cannot import connectors.")
    form_class = _import_form(chosen_template, membership.team)
    source = request.POST if request.method == "POST" else request.GET
    if "credential" in source:
        form = form_class(source)
    else:
        form = form_class(initial=_import_initial(form_class))
    context = {
        "membership": membership,
        "team": membership.team,
        "template": chosen_template,
        "form": form,
        "has_credentials": form_class.base_fields["credential"].queryset.exists(),
    }
    if not form.is_bound or not form.is_valid():
        return render(request, "connectors/import.html", context)
    inputs = {k: v for k, v in form.cleaned_data.items() if k != "credential"}
    common = {
        "team": membership.team,
        "user": request.user,
        "template": chosen_template,
        "credential": form.cleaned_data["credential"],
        "inputs": inputs,
        "request": request,
    }
    if request.method == "POST":
        ticked = list(dict.fromkeys(request.POST.getlist("remote_id")))
        chosen = set(ticked[:MAX_IMPORT])
        if not chosen:  # nothing to look up at the provider
            messages.warning(
                request, "Nothing was imported: pick at least one connector not recorded yet."
            )
            return redirect(f"{reverse('connectors:list', args=[team])}?template={template}")
        submission, imported, skipped = import_connectors(chosen=chosen, **common)
        if submission.outcome == Submission.Outcome.SUCCEEDED:
            count = len(imported)
            if count:
                messages.success(
                    request,
                    f"Imported {count} connector{pluralize(count)} from "
                    f"{chosen_template.provider.label}.",
                )
            if any(skipped.values()):
                messages.warning(request, _not_imported(skipped, chosen_template))
            left = len(ticked) - len(chosen)
            if left > 0:
                messages.warning(
                    request,
                    f"{left} more {pluralize(left, 'was,were')} ticked: at most {MAX_IMPORT} "
                    "are imported at a time. List them again to import the rest.",
                )
            return redirect(f"{reverse('connectors:list', args=[team])}?template={template}")
        context["submission"] = submission
        return render(request, "connectors/import.html", context)
    submission, listed = list_importable(**common)
    context.update(
        submission=submission,
        listed=listed,
        query=request.GET.urlencode(),
        # Said where some are found: what a provider keeps back (a key file) cannot be told.
        shows_carried=any(item.carries for item in listed),
    )
    return render(request, "connectors/import.html", context)
