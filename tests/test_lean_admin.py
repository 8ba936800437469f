"""The admin's changelist rows rendered a column at a time (core/templatetags/lean_admin.py):
what needs no database. The rows themselves are compared with Django's in test_admin.py."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils.html import escape
from hypothesis import example, given, settings
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


@settings(max_examples=300, deadline=None)
@example(moment=datetime(2026, 1, 1, 12, 0, tzinfo=UTC), fmt="N j, Y, P", language="de")
@example(moment=datetime(2026, 1, 1, 0, 0, tzinfo=UTC), fmt="N j, Y, P", language="fr")
@example(moment=datetime(2026, 9, 1, 12, 5, tzinfo=UTC), fmt="N j, Y, P", language="en-us")
@given(
    moment=st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
    ),
    fmt=st.sampled_from(["N j, Y, P", r"d/m/y H:i \a\t g a", "F n Y G h f", r"\N\P jS"]),
    language=st.sampled_from(["en-us", "de", "fr"]),
)
def test_a_date_cell_reads_as_djangos_own_format(moment, fmt, language):
    """The admin's date cells, their words translated once a page, read as Django's format
    does for any moment, format and language (or fall back to it where a character is not
    covered, as S is)."""
    from django.utils import dateformat, translation

    from connectors_admin.core.templatetags.lean_admin import fast_datetime_format

    with translation.override(language):
        fast = fast_datetime_format(fmt)
        if "S" in fmt.replace("\\S", ""):
            assert fast is None
            return
        assert fast is not None
        assert fast(moment) == dateformat.format(moment, fmt)
