"""AI Squared (open-source Multiwoven): source and destination connectors — providers.md §2."""

from __future__ import annotations

from connectors_admin.providers.base import (
    CHECK,
    CHECK_FAILED,
    CONNECTED,
    DELETE,
    REFRESH,
    Provider,
)
from connectors_admin.providers.forms import NoInputs

from .client import INSTANCES, AISquaredClient, AISquaredCredentialForm
from .forms import AISquaredConnectorForm, CatalogTemplate

SOURCE = CatalogTemplate(
    slug="aisquared-source",
    label="AI Squared: Source connector",
    description="A data source (database, warehouse, storage, API) from AI Squared's catalogue.",
    form_class=AISquaredConnectorForm,
    provider_slug="aisquared",
    short_label="Source",
    checks_connection=True,
    actions=(REFRESH, CHECK, DELETE),
    pushes_secrets=True,
    connector_type="source",
    imports=NoInputs,
    import_column=("Connector", "Connector"),
)
DESTINATION = CatalogTemplate(
    slug="aisquared-destination",
    label="AI Squared: Destination connector",
    description="A destination (CRM, messaging, database, spreadsheet) from AI Squared's catalogue.",
    form_class=AISquaredConnectorForm,
    provider_slug="aisquared",
    short_label="Destination",
    checks_connection=True,
    actions=(REFRESH, CHECK, DELETE),
    pushes_secrets=True,
    connector_type="destination",
    imports=NoInputs,
    import_column=("Connector", "Connector"),
)

PROVIDER = Provider(
    slug="aisquared",
    label="AI Squared",
    description="Source and destination connectors on AI Squared or a self-hosted Multiwoven.",
    notice="",
    credential_form=AISquaredCredentialForm,
    templates=(SOURCE, DESTINATION),
    client_class=AISquaredClient,
    empty_status="not checked",
    instances=INSTANCES,
    statuses=(CONNECTED, CHECK_FAILED),
    failing_statuses=frozenset({CHECK_FAILED}),
)
