"""Streaming a CSV download: cells a spreadsheet will not run as formulas, rows written as
they are read (an export of tens of thousands of rows never sits in memory)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone


def cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, dict | list):
        text = json.dumps(value, sort_keys=True, default=str)
    elif hasattr(value, "isoformat"):
        text = value.isoformat()
    else:
        text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_download(name: str, header: list[str], rows: Iterable[Iterable[Any]]):
    """A streamed CSV file named `name`-<timestamp>.csv."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([cell(value) for value in row])

    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response
