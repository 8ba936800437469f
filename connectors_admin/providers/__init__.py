"""The provider registry: an explicit, fixed mapping from slug to provider.

Adding a provider means adding its module and one line here; views never change.
"""

from __future__ import annotations

from types import MappingProxyType

from . import aisquared, mixpanel, upstash, videovector
from .base import ConnectorTemplate, Provider

PROVIDERS: MappingProxyType[str, Provider] = MappingProxyType(
    {
        provider.slug: provider
        for provider in (
            mixpanel.PROVIDER,
            aisquared.PROVIDER,
            videovector.PROVIDER,
            upstash.PROVIDER,
        )
    }
)
TEMPLATES: MappingProxyType[str, ConnectorTemplate] = MappingProxyType(
    {template.slug: template for provider in PROVIDERS.values() for template in provider.templates}
)


def get_provider(slug: str) -> Provider:
    return PROVIDERS[slug]


def get_template(slug: str) -> ConnectorTemplate:
    return TEMPLATES[slug]
