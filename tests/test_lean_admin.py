"""The admin's changelist rows rendered a column at a time (core/templatetags/lean_admin.py):
what needs no database. The rows themselves are compared with Django's in test_admin.py."""

from __future__ import annotations

import pytest
from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from connectors_admin.core.paging import CappedPaginator
from connectors_admin.core.templatetags.lean_admin import SLOT, _key

KEYS = st.one_of(
    st.integers(min_value=0),
    st.uuids(),
    st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1),
)


@given(KEYS)
def test_a_rows_key_goes_into_its_change_url_as_reverse_puts_it(pk):
    expected = reverse("admin:connectors_connector_change", args=(quote(pk),))
    slotted = reverse("admin:connectors_connector_change", args=(SLOT,))
    assert escape(expected) == escape(slotted).replace(SLOT, _key(pk))


def test_a_capped_list_takes_no_orphans():
    with pytest.raises(ValueError, match="orphans"):
        CappedPaginator(list(range(12)), 5, orphans=2)
