"""What the connector services announce, so that background work can follow up without the
services knowing the tasks (tasks.py listens)."""

from __future__ import annotations

from django.dispatch import Signal

# A create may have reached the provider but its answer was lost: `submission` (saved, pending).
create_unclear = Signal()
# A connector was recorded from a provider's answer: `connector`.
connector_recorded = Signal()
# An action left a connector in a state its provider moves out of by itself (a restart, say).
status_unsettled = Signal()
# An action on a connector may have changed it at its provider, but its answer was lost:
# `connector` (its refresh then says what happened).
action_unclear = Signal()
