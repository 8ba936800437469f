"""What screen readers rely on in every main page: ids that are unique, labels that point at
something, and a question (a legend) for each group of radio buttons or checkboxes."""

from __future__ import annotations

import itertools
import re
from collections import Counter

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def pages(credential) -> list[str]:
    return [
        reverse("connectors:dashboard", args=["acme"]),
        reverse("connectors:list", args=["acme"]),
        reverse("connectors:pick", args=["acme"]),
        reverse("connectors:create", args=["acme", "mixpanel-s3"]),
        reverse("connectors:create", args=["acme", "videovector-s3"]),
        reverse("connectors:create", args=["acme", "kafka-connect"]),
        reverse("credentials:list", args=["acme"]),
        reverse("credentials:detail", args=["acme", credential.pk]),
        reverse("accounts:members", args=["acme"]),
        reverse("audit:list", args=["acme"]),
    ]


def test_ids_are_unique_and_labels_point_at_something(owner_client, credential, vv, kc):
    for url in pages(credential):
        html = owner_client.get(url).content.decode()
        ids = Counter(re.findall(r'\sid="([^"]+)"', html))
        assert not [i for i, n in ids.items() if n > 1], url
        for target in re.findall(r'<label[^>]*\sfor="([^"]*)"', html):
            assert target and target in ids, (url, target)


def test_groups_of_choices_ask_their_question_in_a_legend(owner_client, vv):
    for template, question in (
        ("videovector-s3", "Scopes"),
        ("videovector-s3", "Import mode"),
    ):
        html = owner_client.get(reverse("connectors:create", args=["acme", template])).text
        group = re.search(rf'<fieldset class="field choices"[^>]*>\s*<legend>{question}', html)
        assert group, question


def test_headings_go_down_one_level_at_a_time(owner_client, credential, vv, kc):
    # Screen-reader users move by headings: a level skipped (an h1, then h3s) reads as a
    # section missing its title.
    for url in pages(credential):
        html = owner_client.get(url).content.decode()
        levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]
        assert levels and levels[0] == 1, (url, levels)
        skips = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
        assert not skips, (url, skips)


def test_no_template_comment_spans_lines():
    # Django's {# #} comment ends on its own line: one spanning two is printed on the page.
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "templates"
    open_ended = [
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "{#" in line and "#}" not in line.split("{#", 1)[1]
    ]
    assert open_ended == []
