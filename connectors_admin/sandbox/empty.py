"""An answer with no body, as the providers' servers send one: `no_content(status)` gives
`status` with no body and so no Content-Type, where Multiwoven's `head :no_content` sends none
(Rack's spec forbids one on a 204), nor does Kafka Connect's Jersey on a response without an
entity (its 204s, and the 202 of pause, resume and stop), nor VideoVector on /auth/validate's
204. The app's own bodyless answers use the same helper."""

from __future__ import annotations

from connectors_admin.core.responses import no_content

__all__ = ["no_content"]
