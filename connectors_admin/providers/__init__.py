"""The provider registry: an explicit mapping from slug to provider, fixed at start-up.

Adding a provider means adding its module and one line here; views never change. `registered()`
adds one for the length of a block (tests declare made-up providers with it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import MappingProxyType

from . import aisquared, kafkaconnect, mixpanel, upstash, videovector
from .base import ConnectorTemplate, Provider

_PROVIDERS: dict[str, Provider] = {
    provider.slug: provider
    for provider in (
        mixpanel.PROVIDER,
        aisquared.PROVIDER,
        videovector.PROVIDER,
        upstash.PROVIDER,
        kafkaconnect.PROVIDER,
    )
}
_TEMPLATES: dict[str, ConnectorTemplate] = {
    template.slug: template for provider in _PROVIDERS.values() for template in provider.templates
}
PROVIDERS: MappingProxyType[str, Provider] = MappingProxyType(_PROVIDERS)
TEMPLATES: MappingProxyType[str, ConnectorTemplate] = MappingProxyType(_TEMPLATES)


def get_provider(slug: str) -> Provider:
    return PROVIDERS[slug]


def get_template(slug: str) -> ConnectorTemplate:
    return TEMPLATES[slug]


@contextmanager
def registered(provider: Provider) -> Iterator[Provider]:
    """The registry with `provider` added, for the length of a block."""
    if provider.slug in _PROVIDERS:
        raise ValueError(f"A provider {provider.slug!r} is registered already.")
    _PROVIDERS[provider.slug] = provider
    _TEMPLATES.update({t.slug: t for t in provider.templates})
    try:
        yield provider
    finally:
        del _PROVIDERS[provider.slug]
        for template in provider.templates:
            _TEMPLATES.pop(template.slug, None)
