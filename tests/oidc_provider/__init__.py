"""A standalone OpenID Connect provider (django-oauth-toolkit) that the SSO tests run in a second
process on loopback: see serve.py for how it starts and tests/oidc_harness.py for the fixture."""
