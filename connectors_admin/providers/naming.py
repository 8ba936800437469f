"""Cloud storage naming rules, checked before anything is sent (and as the user leaves a field),
for every template that names a bucket or an AWS region."""

from __future__ import annotations

import difflib
import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.html import format_html, format_html_join

S3_BUCKET = re.compile(r"^(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
GCS_BUCKET = re.compile(r"^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$")
AWS_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")

# Every AWS region a bucket can be in, by code, with the name AWS gives it in its list of regions
# (docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html): the commercial
# ones, GovCloud and China. A code that merely looks like one (us-east-9) is a typo, caught here
# before a provider refuses it. AWS opens a region or two a year: a release adds each one here,
# and until then an operator lets it through with AWS_EXTRA_REGIONS.
AWS_REGIONS: dict[str, str] = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "af-south-1": "Africa (Cape Town)",
    "ap-east-1": "Asia Pacific (Hong Kong)",
    "ap-east-2": "Asia Pacific (Taipei)",
    "ap-south-1": "Asia Pacific (Mumbai)",
    "ap-south-2": "Asia Pacific (Hyderabad)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
    "ap-northeast-2": "Asia Pacific (Seoul)",
    "ap-northeast-3": "Asia Pacific (Osaka)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)",
    "ap-southeast-3": "Asia Pacific (Jakarta)",
    "ap-southeast-4": "Asia Pacific (Melbourne)",
    "ap-southeast-5": "Asia Pacific (Malaysia)",
    "ap-southeast-6": "Asia Pacific (New Zealand)",
    "ap-southeast-7": "Asia Pacific (Thailand)",
    "ca-central-1": "Canada (Central)",
    "ca-west-1": "Canada West (Calgary)",
    "eu-central-1": "Europe (Frankfurt)",
    "eu-central-2": "Europe (Zurich)",
    "eu-west-1": "Europe (Ireland)",
    "eu-west-2": "Europe (London)",
    "eu-west-3": "Europe (Paris)",
    "eu-south-1": "Europe (Milan)",
    "eu-south-2": "Europe (Spain)",
    "eu-north-1": "Europe (Stockholm)",
    "il-central-1": "Israel (Tel Aviv)",
    "me-south-1": "Middle East (Bahrain)",
    "me-central-1": "Middle East (UAE)",
    "mx-central-1": "Mexico (Central)",
    "sa-east-1": "South America (São Paulo)",
    "us-gov-east-1": "AWS GovCloud (US-East)",
    "us-gov-west-1": "AWS GovCloud (US-West)",
    "cn-north-1": "China (Beijing)",
    "cn-northwest-1": "China (Ningxia)",
}


def aws_regions() -> dict[str, str]:
    """The regions a form accepts, code -> name: AWS_REGIONS, then those an operator added
    (AWS_EXTRA_REGIONS: "code" or "code=Name" entries) for a region opened since."""
    extra: dict[str, str] = {}
    for entry in getattr(settings, "AWS_EXTRA_REGIONS", ()):
        code, _, name = str(entry).partition("=")
        code = code.strip().lower()
        if code:
            extra[code] = name.strip() or code
    return {**AWS_REGIONS, **extra}


def _say(codes: list[str]) -> str:
    return codes[0] if len(codes) == 1 else f"{', '.join(codes[:-1])} or {codes[-1]}"


def _near(value: str, known: dict[str, str]) -> str:
    """The regions a mistyped code may have meant, in words ("" when none is near)."""
    area = value.rsplit("-", 1)[0] + "-"  # "us-east-" of us-east-9
    same_area = [code for code in known if code.startswith(area)]
    if len(same_area) > 3:
        numbers = sorted(
            (c.removeprefix(area) for c in same_area), key=lambda n: int(n) if n.isdigit() else 0
        )
        return f"AWS's {area[:-1]} regions are {area}{numbers[0]} to {area}{numbers[-1]}."
    near = same_area or difflib.get_close_matches(value, list(known), n=3, cutoff=0.7)
    return f"Did you mean {_say(near)}?" if near else ""


def check_aws_region(value: Any) -> None:
    """A region AWS has (or an operator added); a typo is told the regions it may have meant."""
    value = str(value)
    known = aws_regions()
    if value in known:
        return
    if not AWS_REGION.match(value):
        raise forms.ValidationError(
            # No example here: the field's help gives its own (us-east-1 beside a bucket there).
            "That is not an AWS region code: type a code as the help shows, or pick one from the "
            "list.",
            code="aws_region",
        )
    hint = _near(value, known) or "Pick one from the list."
    raise forms.ValidationError(
        f"AWS has no region {value}. {hint} (An operator can add a region newer than this list.)",
        code="aws_region",
    )


class AwsRegionInput(forms.TextInput):
    """A text input that suggests AWS's regions (a <datalist> of codes and names) while any
    code can still be typed: the list helps, `check_aws_region` decides."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id') or self.attrs.get('id') or name}-regions"
        field = super().render(name, value, {**attrs, "list": list_id}, renderer)
        options = format_html_join(
            "", '<option value="{}">{}</option>', sorted(aws_regions().items())
        )
        return format_html('{}<datalist id="{}">{}</datalist>', field, list_id, options)


class AwsRegionField(forms.CharField):
    """An AWS region code, as AWS spells it (lower case), checked against AWS's list."""

    default_validators = [check_aws_region]
    # The values it suggests, with their names: a record shows a region by its name too.
    suggestions = staticmethod(aws_regions)

    def to_python(self, value: Any) -> str:
        return super().to_python(value).lower()


def aws_region_field(example: str = "us-east-2", **kwargs: Any) -> forms.CharField:
    """An AWS region, checked against AWS's list, its regions suggested as it is typed."""
    kwargs.setdefault("label", "AWS region")
    kwargs.setdefault(
        "help_text",
        f"The bucket's region, such as {example}: type its code or pick it from the list.",
    )
    return AwsRegionField(max_length=30, widget=AwsRegionInput(), **kwargs)


def gcs_bucket_rules(bucket: str) -> None:
    """What Google refuses beyond the characters allowed."""
    if bucket.startswith("goog") or "google" in bucket:
        raise forms.ValidationError("Bucket names cannot start with “goog” or contain “google”.")
    if any(len(part) > 63 for part in bucket.split(".")):
        raise forms.ValidationError("Each dot-separated part can be at most 63 characters.")
    if "." not in bucket and len(bucket) > 63:
        raise forms.ValidationError("Without dots, a bucket name is at most 63 characters.")


def s3_bucket_field(**kwargs) -> forms.CharField:
    return forms.CharField(
        label="Bucket",
        max_length=63,
        validators=[
            RegexValidator(
                S3_BUCKET,
                "3 to 63 lowercase letters, digits, dots or hyphens, starting and ending "
                "with a letter or digit (not an IP address).",
            )
        ],
        **kwargs,
    )


def gcs_bucket_field(**kwargs) -> forms.CharField:
    return forms.CharField(
        label="Bucket",
        max_length=222,
        validators=[
            RegexValidator(
                GCS_BUCKET,
                "3 to 63 lowercase letters, digits, dots, hyphens or underscores, starting and "
                "ending with a letter or digit.",
            ),
            gcs_bucket_rules,
        ],
        **kwargs,
    )
