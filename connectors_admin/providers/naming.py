"""Cloud storage naming rules, checked before anything is sent (and as the user leaves a field),
for every template that names a bucket."""

from __future__ import annotations

import re

from django import forms
from django.core.validators import RegexValidator

S3_BUCKET = re.compile(r"^(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
GCS_BUCKET = re.compile(r"^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$")
AWS_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")


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
