"""Run the test OpenID Connect provider on 127.0.0.1 until killed.

    python -m tests.oidc_provider.serve --port 0 --db /tmp/x/provider.sqlite3 \
        --client-id ID --client-secret SECRET --redirect-uri URI [--redirect-uri URI2] \
        --username U --password PW --email E [--rsa-key-file PEM] [--watch-stdin]

Binds the port first (0 lets the OS choose a free one, with no race), migrates its own SQLite
database, creates the user and one confidential authorization-code client, then prints
`ready http://127.0.0.1:<port>` on stdout and serves. The issuer is that URL + "/o".
"""

import argparse
import contextlib
import os
import sys
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def generate_rsa_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def exit_when_stdin_closes() -> None:
    """The parent holds our stdin open: when it goes away (even killed), so do we."""
    sys.stdin.read()
    os._exit(0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--db", required=True, help="SQLite file (created if missing)")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--redirect-uri", action="append", required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--rsa-key-file", help="PEM private key (default: a fresh 2048-bit key)")
    parser.add_argument("--watch-stdin", action="store_true", help="exit when stdin closes")
    args = parser.parse_args(argv)

    server = ThreadingWSGIServer(("127.0.0.1", args.port), WSGIRequestHandler)
    base_url = f"http://127.0.0.1:{server.server_address[1]}"

    # Our settings read these; force the module, since pytest's environment names the app's.
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    os.environ["OIDC_PROVIDER_BASE_URL"] = base_url
    os.environ["OIDC_PROVIDER_DB"] = args.db
    if args.rsa_key_file:
        with open(args.rsa_key_file) as pem:
            os.environ["OIDC_PROVIDER_RSA_KEY"] = pem.read()
    else:
        os.environ["OIDC_PROVIDER_RSA_KEY"] = generate_rsa_key()

    import django

    django.setup()

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False, skip_checks=True)

    user, _ = get_user_model().objects.get_or_create(username=args.username)
    user.email = args.email
    user.set_password(args.password)
    user.save()

    Application.objects.filter(client_id=args.client_id).delete()
    Application.objects.create(
        name="loopback SSO tests",
        client_id=args.client_id,
        # Plain on create: DOT hashes client_secret when it saves (hash_client_secret=True).
        client_secret=args.client_secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(args.redirect_uri),
        skip_authorization=True,
        algorithm=Application.RS256_ALGORITHM,
    )

    server.set_app(get_wsgi_application())
    if args.watch_stdin:
        threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    print(f"ready {base_url}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C when run by hand
        server.serve_forever()


if __name__ == "__main__":
    main()
