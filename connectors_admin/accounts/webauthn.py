"""allauth's WebAuthn machinery, loaded by the first request that uses it, not by every worker.

allauth imports `allauth.mfa.webauthn.internal.auth` from its login stages, which every URL
configuration loads, and that module imports python-fido2 (which parses the whole public-suffix
list as it is imported) and the asymmetric-key half of cryptography: about 3.6 MB in each worker
for passkeys and security keys, which few requests use. Every allauth module that needs it
imports the module object (`from allauth.mfa.webauthn.internal import auth`) and reads its
attributes inside functions, so importlib's LazyLoader can stand in for it: the module, and
fido2 with it, is executed when one of its attributes is first read (a passkey sign-in, the
security-key pages, a WebAuthn form). Should a later allauth read one at import time, the module
is simply loaded then, as before.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys

MODULE = "allauth.mfa.webauthn.internal.auth"


def defer_webauthn() -> None:
    if MODULE in sys.modules:
        return  # imported already: there is nothing left to defer
    spec = importlib.util.find_spec(MODULE)
    if spec is None or spec.loader is None:
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE] = module
    spec.loader.exec_module(module)
    # As an import would: `from allauth.mfa.webauthn.internal import auth` then finds the
    # attribute on the package instead of importing it (which would read the module's spec,
    # and so load it).
    package, _, name = MODULE.rpartition(".")
    setattr(importlib.import_module(package), name, module)
