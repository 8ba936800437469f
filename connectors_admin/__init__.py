"""Connectors Admin: one place to create connectors on several SaaS platforms."""

__version__ = "0.1.0"
