from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from connectors_admin.accounts.access import get_membership
from connectors_admin.providers import PROVIDERS

from .forms import label_is_taken, save_credential
from .models import Credential


@login_required
def credential_list(request: HttpRequest, team: str) -> HttpResponse:
    membership = get_membership(request, team)
    credentials = Credential.objects.filter(team=membership.team).select_related("secret_set_by")
    return render(
        request,
        "credentials/list.html",
        {
            "membership": membership,
            "team": membership.team,
            "credentials": credentials,
            "providers": PROVIDERS.values(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def credential_add(request: HttpRequest, team: str, provider: str) -> HttpResponse:
    membership = get_membership(request, team, "manage_credentials")
    if provider not in PROVIDERS:
        raise Http404("No such provider.")
    provider_obj = PROVIDERS[provider]
    form = provider_obj.credential_form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if label_is_taken(membership.team, provider, form.cleaned_data["label"]):
            form.add_error("label", "Your team already has a credential with this label.")
        else:
            credential = save_credential(
                form, team=membership.team, provider=provider, user=request.user
            )
            return redirect("credentials:detail", team=team, pk=credential.pk)
    return render(
        request,
        "credentials/add.html",
        {"membership": membership, "team": membership.team, "provider": provider_obj, "form": form},
    )


@login_required
def credential_detail(request: HttpRequest, team: str, pk: int) -> HttpResponse:
    membership = get_membership(request, team)
    credential = get_object_or_404(
        Credential.objects.select_related("secret_set_by", "created_by"),
        team=membership.team,
        pk=pk,
    )
    connectors = credential.connectors.select_related("created_by").order_by("-created_at")[:20]
    return render(
        request,
        "credentials/detail.html",
        {
            "membership": membership,
            "team": membership.team,
            "credential": credential,
            "public_fields": _public_fields(credential),
            "connectors": connectors,
        },
    )


def _public_fields(credential: Credential) -> list[tuple[str, str]]:
    form = credential.provider_obj.credential_form()
    rows = []
    for name, value in credential.public.items():
        field = form.fields.get(name)
        label = field.label if field else name
        choices = dict(getattr(field, "choices", []) or [])
        rows.append((label, choices.get(value, value)))
    return rows
