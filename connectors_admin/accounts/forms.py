from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from .models import Membership, Role, accounts_an_admin_means


def assignable_roles(acting: Membership) -> list[tuple[str, str]]:
    """The roles `acting` may give: only an owner makes owners."""
    if acting.role == Role.OWNER:
        return list(Role.choices)
    return [choice for choice in Role.choices if choice[0] != Role.OWNER]


class _TeamRoleForm(forms.Form):
    """A form that gives someone a role in a team, among the roles the acting member may give."""

    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args, team, acting: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["role"].choices = assignable_roles(acting)


class AddMemberForm(_TeamRoleForm):
    field_order = ["user", "role"]
    user = forms.CharField(
        label="Username or email",
        max_length=254,
        help_text=(
            "Someone with an account already (by username, or by an email they have confirmed); "
            "invite anyone else by email below."
        ),
    )

    def clean_user(self):
        value = self.cleaned_data["user"].strip()
        matches = list(accounts_an_admin_means(value)[:2])
        if not matches:
            raise forms.ValidationError(
                "No account has this username or confirmed email: send an invitation instead."
            )
        if len(matches) > 1:
            raise forms.ValidationError("Several accounts share this email: use the username.")
        user = matches[0]
        if Membership.objects.filter(team=self.team, user=user).exists():
            raise forms.ValidationError(f"{user.username} is already a member of this team.")
        return user


class InviteForm(_TeamRoleForm):
    field_order = ["email", "role"]
    prefix = "invite"  # its fields sit on the members page beside the add form's own
    email = forms.EmailField(
        label="Email", max_length=254, help_text="The invitation link is sent here."
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if Membership.objects.filter(team=self.team, user__email__iexact=email).exists():
            raise forms.ValidationError("Someone with this email is already a member.")
        return email


class JoinForm(forms.Form):
    """A new account, made while accepting an invitation."""

    username = forms.CharField(
        label="Username",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_username(self) -> str:
        from django.contrib.auth.validators import UnicodeUsernameValidator

        username = self.cleaned_data["username"].strip()
        UnicodeUsernameValidator()(username)
        if "@" in username:  # it would read as an email address wherever people are looked up
            raise forms.ValidationError("A username without @: your email is kept separately.")
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("This username is taken.")
        return username

    def clean(self):
        cleaned = super().clean()
        from django.contrib.auth import password_validation

        if cleaned.get("password") and cleaned.get("username"):
            user = get_user_model()(username=cleaned["username"])
            try:
                password_validation.validate_password(cleaned["password"], user)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned
