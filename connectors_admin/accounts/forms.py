from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from .models import Membership, Role


class AddMemberForm(forms.Form):
    user = forms.CharField(
        label="Username or email",
        max_length=254,
        help_text="The person needs an account already; operators create accounts.",
    )
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args, team, acting: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        if acting.role != Role.OWNER:
            self.fields["role"].choices = [c for c in Role.choices if c[0] != Role.OWNER]

    def clean_user(self):
        value = self.cleaned_data["user"].strip()
        users = get_user_model().objects.filter(
            Q(username__iexact=value) | (Q(email__iexact=value) & ~Q(email=""))
        )
        matches = list(users[:2])
        if not matches:
            raise forms.ValidationError("No account has this username or email.")
        if len(matches) > 1:
            raise forms.ValidationError("Several accounts share this email: use the username.")
        user = matches[0]
        if Membership.objects.filter(team=self.team, user=user).exists():
            raise forms.ValidationError(f"{user.username} is already a member of this team.")
        return user
