from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from connectors_admin.accounts.access import get_membership
from connectors_admin.accounts.models import Membership
from connectors_admin.audit.log import record
from connectors_admin.audit.models import Action
from connectors_admin.core.crypto import DecryptionError
from connectors_admin.core.htmx import htmx_partial
from connectors_admin.core.paging import CappedPaginator, count_label
from connectors_admin.core.tasks import enqueue_on_commit
from connectors_admin.providers import TEMPLATES

from .forms import add_form, compare_form, edit_form, label_is_taken, rotate_form
from .kinds import KINDS, PROVIDER_GROUP, STORAGE_GROUP
from .models import Credential, usage_counts
from .tasks import verify_credential
from .testing import last_recorded, run_test

LABEL_TAKEN = "Your team already has a credential of this kind with this label."


def _credential(
    request: HttpRequest, team: str, pk: int, capability: str = "view"
) -> tuple[Membership, Credential]:
    membership = get_membership(request, team, capability)
    credential = get_object_or_404(
        Credential.objects.select_related("secret_set_by", "created_by"),
        team=membership.team,
        pk=pk,
    )
    return membership, credential


def _context(membership: Membership, **extra) -> dict:
    return {"membership": membership, "team": membership.team, **extra}


@login_required
def credential_list(request: HttpRequest, team: str) -> HttpResponse:
    membership = get_membership(request, team)
    credentials = (
        Credential.objects.filter(team=membership.team)
        .select_related("secret_set_by")
        .annotate(**usage_counts())
    )
    for credential in credentials:
        credential.connector_count = count_label(credential.using + credential.embedding)
    groups = [
        (
            "Provider API credentials",
            [c for c in credentials if KINDS[c.kind].group == PROVIDER_GROUP],
        ),
        ("Storage secrets", [c for c in credentials if KINDS[c.kind].group == STORAGE_GROUP]),
    ]
    return render(request, "credentials/list.html", _context(membership, groups=groups))


def _others(count: int, shown: int) -> str:
    """Those of `count` (read up to the lists' cap) that a page does not list, as it says them:
    "other 96", "other 9,900+" past the cap; "" when it lists them all."""
    cap = settings.LIST_COUNT_CAP
    if count <= shown:
        return ""
    if count <= cap:
        return f"other {count - shown:,}"
    return f"other {cap - shown:,}+" if cap > shown else "others"


@login_required
def credential_new(request: HttpRequest, team: str) -> HttpResponse:
    membership = get_membership(request, team, "manage_credentials")
    kinds = {
        "Provider API credentials": [k for k in KINDS.values() if k.group == PROVIDER_GROUP],
        "Storage secrets": [k for k in KINDS.values() if k.group == STORAGE_GROUP],
    }
    return render(request, "credentials/new.html", _context(membership, kinds=kinds))


@login_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def credential_add(request: HttpRequest, team: str, kind: str) -> HttpResponse:
    membership = get_membership(request, team, "manage_credentials")
    if kind not in KINDS:
        raise Http404("No such kind of credential.")
    kind_obj = KINDS[kind]
    form = add_form(kind_obj, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if label_is_taken(membership.team, kind, form.cleaned_data["label"]):
            form.add_error("label", LABEL_TAKEN)
        else:
            credential = Credential(
                team=membership.team,
                kind=kind,
                label=form.cleaned_data["label"],
                public=form.public_data(),
                created_by=request.user,
            )
            credential.set_secrets(form.secret_data(), request.user, form)
            if not _saved_unless_label_taken(credential, form):
                return render(
                    request, "credentials/add.html", _context(membership, kind=kind_obj, form=form)
                )
            enqueue_on_commit(verify_credential, credential.pk)
            record(
                Action.CREDENTIAL_ADDED,
                request=request,
                team=membership.team,
                target=credential,
                after=credential.audit_state(),
            )
            messages.success(
                request,
                f"“{credential.label}” is stored."
                # An optional secret left empty (a cluster without auth): nothing was encrypted.
                + (
                    " Its secret is encrypted." if credential.has_secret else " It holds no secret."
                ),
            )
            return redirect("credentials:detail", team=team, pk=credential.pk)
    return render(request, "credentials/add.html", _context(membership, kind=kind_obj, form=form))


# What an edit writes, and what a rotation writes: never the whole row, which would put back
# what another request changed meanwhile (a credential disabled while it was edited, enabled
# again; a secret rotated meanwhile, replaced by the old one). The last test's fields only
# where it is forgotten: otherwise what the request read would be put back over the result
# of a background test that ended meanwhile.
CHECK_FIELDS = list(Credential.CHECK_FIELDS)
EDITED_FIELDS = ["label", "public", "updated_at"]
ROTATED_FIELDS = [
    "public",
    "secret_ciphertext",
    "secret_hints",
    "secret_set_by",
    "secret_set_at",
    *CHECK_FIELDS,
    "updated_at",
]


def _stored_public(credential: Credential) -> dict:
    """The credential's stored fields as they are now, its row locked until the transaction
    ends: an edit and a rotation each write the whole field, so each starts from what the
    other wrote, not from what it read before (a rotated key's host put back, say)."""
    stored = (
        Credential.objects.select_for_update()
        .filter(pk=credential.pk)
        .values_list("public", flat=True)
        .first()
    )
    return credential.public if stored is None else stored


def _saved_unless_label_taken(
    credential: Credential, form, fields: list[str] | None = None
) -> bool:
    """Save (an existing credential: `fields` only); False, with the label's error on the form,
    when another request took the label between the check and the save (two tabs, a double
    click)."""
    try:
        with transaction.atomic():
            credential.save(update_fields=fields if credential.pk else None)
    except IntegrityError:
        form.add_error("label", LABEL_TAKEN)
        return False
    except Credential.NotUpdated:  # no row to update: deleted meanwhile, and not made again
        raise Http404("This credential was deleted meanwhile.") from None
    return True


USAGE_PAGE = 25
USAGE_CONNECTOR_FIELDS = ("name", "remote_id", "template", "remote_status", "created_at")
USAGE_CALL_FIELDS = (
    "created_at",
    "action",
    "template",
    "provider",
    "connector_id",
    "outcome",
    "response_status",
    "user__username",
)


def _detail_context(
    request: HttpRequest, membership: Membership, credential: Credential, **extra
) -> dict:
    # What the two lists show, without the records, requests and answers the rows carry.
    connectors = credential.connectors.only(*USAGE_CONNECTOR_FIELDS).order_by("-created_at", "-pk")
    return _context(
        membership,
        credential=credential,
        kind=credential.kind_obj,
        public_fields=_public_fields(credential),
        # Each list pages on its own (?connectors=N, ?calls=N), however long the usage grows.
        connectors=CappedPaginator(connectors, USAGE_PAGE).get_page(request.GET.get("connectors")),
        embedded=_embedded_copies(credential, request.GET.get("embedded")),
        **_calls(request, credential),
        compare=compare_form(credential.kind_obj),
        last_test=last_recorded(credential),
        **extra,
    )


def _calls(request: HttpRequest, credential: Credential) -> dict:
    """The page of calls made with it, newest first. Background refreshes that found nothing
    new are left out unless asked for (?routine=1)."""
    routine = request.GET.get("routine") == "1"
    calls = (
        credential.submissions.all() if routine else credential.submissions.filter(routine=False)
    )
    calls = calls.select_related("user").only(*USAGE_CALL_FIELDS).order_by("-created_at", "-pk")
    page = CappedPaginator(calls, USAGE_PAGE).get_page(request.GET.get("calls"))
    # The page's query, which its links keep: without the test panel's poll, when it asks.
    query = request.GET.copy()
    query.pop("poll", None)
    return {"submissions": page, "routine": routine, "page_query": query}


@login_required
def credential_detail(request: HttpRequest, team: str, pk: int) -> HttpResponse:
    membership, credential = _credential(request, team, pk)
    if htmx_partial(request) and request.GET.get("poll") == "check":
        # The test panel polls while the background test of a new secret is still to come.
        context = _context(
            membership,
            credential=credential,
            just_tested=not credential.check_pending,
            polled=True,
            last_test=last_recorded(credential),
        )
        # Announced, not focused: the user may be typing elsewhere on the page.
        response = render(request, "credentials/detail.html#check-panel", context)
        if not credential.check_pending:
            # The test is done: the list of calls beside it shows it too (out of band), as the
            # page had it (the poll carries the page's query), its links made for the page.
            context.update(_calls(request, credential), oob=True)
            calls = render_to_string("credentials/detail.html#calls-panel", context, request)
            response.content += calls.encode()
        return response
    context = _detail_context(request, membership, credential)
    return render(request, "credentials/detail.html", context)


def _pushable_templates() -> list[str]:
    """Templates whose provider can replace a connector's configuration (a rotated secret can
    be pushed into their connectors)."""
    return [slug for slug, template in TEMPLATES.items() if template.pushes_secrets]


def _embedded_copies(credential: Credential, page: str | None = None) -> dict:
    """Live connectors that carry this credential's secret in their configuration, a page at a
    time, each marked with whether it carries the current secret or one from before a rotation;
    and how many carry an old one, of which how many can be updated at their provider.

    Reverse relations only (`embedded_in`): this app never imports the connectors app."""
    current = credential.fingerprints()
    pushable = set(_pushable_templates())
    live = credential.embedded_in.filter(connector__deleted_at=None)
    old = ~Q(fingerprints=current)
    counts = live.aggregate(
        total=Count("pk"),
        outdated=Count("pk", filter=old),
        pushable=Count("pk", filter=old & Q(connector__template__in=pushable)),
    )
    rows = live.select_related("connector").order_by("-connector__created_at", "-pk")
    paginator = Paginator(rows if counts["total"] else [], USAGE_PAGE)
    paginator.count = counts["total"]  # counted above, with the rest, in one query
    links = paginator.get_page(page)
    for link in links.object_list:
        link.outdated = link.fingerprints != current
        link.pushable = link.connector.template in pushable
    return {
        "page": links,
        "outdated": counts["outdated"],
        "pushable": counts["pushable"],
        "not_pushable": counts["outdated"] - counts["pushable"],
    }


def _public_fields(credential: Credential) -> list[tuple[str, object]]:
    form = credential.kind_obj.form_class()
    rows = []
    for name, value in credential.public.items():
        field = form.fields.get(name)
        if value in ("", None) and not (field and field.required):
            continue  # an optional field left empty (a cluster without a user): nothing to say
        label = field.label if field and field.label else name.replace("_", " ").capitalize()
        choices = dict(getattr(field, "choices", []) or [])
        rows.append((label, choices.get(value, value)))
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def credential_edit(request: HttpRequest, team: str, pk: int) -> HttpResponse:
    membership, credential = _credential(request, team, pk, "manage_credentials")
    form = edit_form(credential.kind_obj, credential, request.POST or None)
    if request.method == "POST" and form.is_valid():
        label = form.cleaned_data["label"]
        if label_is_taken(membership.team, credential.kind, label, exclude=credential.pk):
            form.add_error("label", LABEL_TAKEN)
        else:
            edited = {k: v for k, v in form.cleaned_data.items() if k != "label"}
            with transaction.atomic():
                credential.public = _stored_public(credential)  # a rotation's, meanwhile
                before = credential.audit_state()
                credential.label = label
                public = {**credential.public, **edited}
                # Another user, host or project: the last test said nothing of these.
                retest = public != credential.public
                credential.public = public
                if retest:
                    credential.forget_check()
                saved = _saved_unless_label_taken(
                    credential, form, [*EDITED_FIELDS, *CHECK_FIELDS] if retest else EDITED_FIELDS
                )
            if not saved:
                return render(
                    request,
                    "credentials/edit.html",
                    _context(membership, credential=credential, form=form),
                )
            credential.cache.all().delete()  # catalogues fetched with the old settings
            if retest:
                enqueue_on_commit(verify_credential, credential.pk)
            record(
                Action.CREDENTIAL_EDITED,
                request=request,
                team=membership.team,
                target=credential,
                before=before,
                after=credential.audit_state(),
            )
            # Connectors carry these values too (an AWS key id, an Azure tenant).
            copies = credential.mark_copies_old() if retest else 0
            messages.success(
                request,
                "Saved. The secret was not changed."
                + (
                    f" {copies} connector{'s carry' if copies != 1 else ' carries'} the old "
                    f"values inside {'their' if copies != 1 else 'its'} configuration: see below."
                    if copies
                    else ""
                ),
            )
            return redirect("credentials:detail", team=team, pk=credential.pk)
    return render(
        request, "credentials/edit.html", _context(membership, credential=credential, form=form)
    )


@login_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def credential_rotate(request: HttpRequest, team: str, pk: int) -> HttpResponse:
    membership, credential = _credential(request, team, pk, "manage_credentials")
    form = rotate_form(credential.kind_obj, credential, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            credential.public = _stored_public(credential)  # an edit's, meanwhile
            before = credential.audit_state()
            credential.public = {**credential.public, **form.public_data()}
            credential.set_secrets(form.secret_data(), request.user, form)
            credential.forget_check()
            try:
                credential.save(update_fields=ROTATED_FIELDS)
            except Credential.NotUpdated:  # no row to update: deleted meanwhile
                raise Http404("This credential was deleted meanwhile.") from None
        credential.cache.all().delete()
        enqueue_on_commit(verify_credential, credential.pk)
        record(
            Action.CREDENTIAL_ROTATED,
            request=request,
            team=membership.team,
            target=credential,
            before=before,
            after=credential.audit_state(),
        )
        copies = _embedded_copies(credential)["outdated"]
        messages.success(
            request,
            "The secret is replaced."
            + (
                " Connectors created with this credential use the new one from their next call."
                if credential.is_provider
                else ""
            )
            + (
                f" {copies} connector{'s carry' if copies != 1 else ' carries'} the old "
                f"secret inside {'their' if copies != 1 else 'its'} configuration: see below."
                if copies
                else ""
            ),
        )
        return redirect("credentials:detail", team=team, pk=credential.pk)
    return render(
        request,
        "credentials/rotate.html",
        _context(
            membership,
            credential=credential,
            form=form,
            embedded=_embedded_copies(credential, request.GET.get("embedded")),
        ),
    )


@login_required
@require_POST
def credential_test(request: HttpRequest, team: str, pk: int) -> HttpResponse:
    membership, credential = _credential(request, team, pk, "manage_credentials")
    result = run_test(credential, request)
    if htmx_partial(request):
        return render(
            request,
            "credentials/detail.html#check-panel",
            _context(
                membership,
                credential=credential,
                just_tested=True,
                last_test=last_recorded(credential),
            ),
        )
    (messages.success if result.ok else messages.error)(request, result.message)
    return redirect("credentials:detail", team=team, pk=credential.pk)


@login_required
@require_POST
def credential_toggle(request: HttpRequest, team: str, pk: int) -> HttpResponse:
    membership, credential = _credential(request, team, pk, "manage_credentials")
    # The state asked for, not a flip: a double click on "Disable" leaves it disabled.
    wanted = request.POST.get("enabled")
    if wanted not in ("0", "1"):
        return HttpResponseBadRequest("Say whether the credential is to be enabled.")
    if credential.enabled == (wanted == "1"):
        state = "enabled" if credential.enabled else "disabled"
        messages.info(request, f"“{credential.label}” is {state} already.")
        return redirect("credentials:detail", team=team, pk=credential.pk)
    credential.enabled = wanted == "1"
    if credential.enabled:
        # A test while it was disabled said only that: it is tested again.
        credential.forget_check()
        enqueue_on_commit(verify_credential, credential.pk)
    # Disabled, it keeps its last test as it is in the row now (one may have just ended).
    credential.save(
        update_fields=["enabled", "updated_at", *(CHECK_FIELDS if credential.enabled else [])]
    )
    record(
        Action.CREDENTIAL_ENABLED if credential.enabled else Action.CREDENTIAL_DISABLED,
        request=request,
        team=membership.team,
        target=credential,
        after={"enabled": credential.enabled},
    )
    state = "enabled" if credential.enabled else "disabled: no new connector can use it"
    messages.success(request, f"“{credential.label}” is {state}.")
    return redirect("credentials:detail", team=team, pk=credential.pk)


@login_required
@require_http_methods(["GET", "POST"])
def credential_delete(request: HttpRequest, team: str, pk: int) -> HttpResponse:
    membership, credential = _credential(request, team, pk, "manage_credentials")
    if request.method == "POST":
        with transaction.atomic():
            # Held until deleted: a create or a lookup that records it meanwhile waits, then
            # finds it gone, rather than being missed by the checks below.
            if not Credential.objects.select_for_update().filter(pk=credential.pk).exists():
                messages.info(request, f"“{credential.label}” is deleted already.")
                return redirect("credentials:list", team=team)
            return _delete_unless_used(request, membership, credential)
    return _delete_unless_used(request, membership, credential)


IN_USE_SHOWN = 100  # connectors the refusal lists; the rest are counted


def _in_use(credential: Credential) -> tuple[list[tuple[Any, str]], int]:
    """The live connectors that keep a credential from being deleted, newest first (those
    created with it, then those that carry its secret inside them), as many as the page
    lists; and how many there are in all, counted up to the lists' cap past a full page."""
    created = credential.connectors.filter(deleted_at=None)
    carried = credential.embedded_in.filter(connector__deleted_at=None).exclude(
        connector__credential=credential  # counted once, as created with it
    )
    shown = min(IN_USE_SHOWN, settings.LIST_COUNT_CAP)
    in_use = [
        (connector, "created with it") for connector in created.order_by("-created_at")[:shown]
    ]
    room = shown - len(in_use)
    links = carried.select_related("connector").order_by("-connector__created_at", "connector")
    links = list(links[:room]) if room else []
    listed = {connector.pk for connector, _ in in_use}
    for link in links:
        if link.connector_id not in listed:  # a connector may carry it in two places
            listed.add(link.connector_id)
            in_use.append((link.connector, "carries its secret in its configuration"))
    if room and len(links) < room:  # all of them read: they are their own count
        return in_use, len(in_use)
    cap = settings.LIST_COUNT_CAP + 1
    carrying = carried.order_by().values("connector").distinct()[:cap].count()
    return in_use, created.order_by().values("pk")[:cap].count() + carrying


def _delete_unless_used(request: HttpRequest, membership: Membership, credential: Credential):
    team = membership.team.slug
    in_use, in_use_count = _in_use(credential)
    # Creates that may have made a connector with it, not settled yet: their lookup needs it.
    unsettled = credential.creates_in_flight()
    if request.method == "POST" and not in_use and not unsettled:
        before = credential.audit_state()
        record(
            Action.CREDENTIAL_DELETED,
            request=request,
            team=membership.team,
            target=credential,
            before=before,
        )
        credential.delete()
        messages.success(request, f"“{before['label']}” is deleted.")
        return redirect("credentials:list", team=team)
    return render(
        request,
        "credentials/delete.html",
        _context(
            membership,
            credential=credential,
            in_use=in_use,
            in_use_count=in_use_count,
            in_use_label=count_label(in_use_count),
            others=_others(in_use_count, len(in_use)),
            unsettled=unsettled,
        ),
        status=409 if request.method == "POST" else 200,
    )


@login_required
@sensitive_post_parameters()
@require_POST
def credential_compare(request: HttpRequest, team: str, pk: int) -> HttpResponse:
    membership, credential = _credential(request, team, pk, "manage_credentials")
    form = compare_form(credential.kind_obj, request.POST)
    form.is_valid()
    kind_form = credential.kind_obj.form_class()
    answers = []
    undecryptable = False
    try:
        for name, field in form.fields.items():
            value = form.cleaned_data.get(name) or ""
            if value:
                same = credential.matches(name, kind_form.normalize_secret(name, value))
                answers.append((field.label, same))
    except DecryptionError:
        answers, undecryptable = [], True
    context = _detail_context(request, membership, credential, answers=answers, compared=True)
    context["undecryptable"] = undecryptable
    context["compare"] = form
    name = (
        "credentials/detail.html#compare-panel"
        if htmx_partial(request)
        else "credentials/detail.html"
    )
    return render(request, name, context)
