"""Redaction and the curl commands shown to users, including the multipart shape VideoVector needs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors_admin.core.redaction import (
    REDACTED,
    SHORT_SECRET,
    Redactor,
    curl_command,
    redact_data,
    redact_headers,
    redact_text,
)
from connectors_admin.providers.base import Call, ProviderClient

SECRET = "redaction-secret-4455"


def test_redact_data_masks_secret_keys_and_secret_substrings():
    data = {"password": "x", "nested": [{"note": f"token {SECRET} here"}], "n": 3, "empty": ""}
    assert redact_data(data, [SECRET], ["password", "empty"]) == {
        "password": REDACTED,
        "nested": [{"note": f"token {REDACTED} here"}],
        "n": 3,
        "empty": "",
    }


def test_sensitive_headers_are_masked_whatever_their_case():
    headers = redact_headers(
        {"authorization": "Basic abc", "X-API-Key": SECRET, "Accept": "x"}, [SECRET]
    )
    assert headers == {"authorization": REDACTED, "X-API-Key": REDACTED, "Accept": "x"}


def test_json_curl_keeps_options_with_their_values():
    command = curl_command(
        "POST", "https://h/p", {"Content-Type": "application/json"}, {"a": 1}, user="u:$S"
    )
    lines = command.splitlines()
    assert lines[0] == "curl --request POST \\"
    assert '--user u:"$S"' in command
    # A stored username is data, never shell: only the placeholder after the colon expands.
    hostile = curl_command("GET", "https://h/p", {}, user="$(touch pwned):$S")
    assert "--user '$(touch pwned)':\"$S\"" in hostile
    assert "--data '{" in command


class _Client(ProviderClient):
    label = "Example"


def test_multipart_call_is_recorded_without_file_content_or_secrets():
    client = _Client({}, {"api_key": SECRET})
    key_file = b'{"private_key": "' + SECRET.encode() + b'"}'
    call = Call(
        "POST",
        "https://h/api/v2/connectors/gcs",
        form=[("name", "Archive"), ("scopes", "import"), ("scopes", "export")],
        files={"credentials_file": ("key.json", key_file, "application/json")},
        headers={"X-API-Key": SECRET},
    )
    recorded = client.redacted_request(call)
    assert SECRET not in str(recorded)
    assert recorded["headers"]["X-API-Key"] == REDACTED
    assert recorded["body"]["files"] == {
        "credentials_file": f"<key.json: {len(key_file)} bytes, application/json>"
    }
    assert "--form-string scopes=import" in recorded["curl"]
    assert "--form-string scopes=export" in recorded["curl"]
    assert "--form 'credentials_file=@key.json;type=application/json'" in recorded["curl"]
    assert "multipart/form-data" not in recorded["curl"]


def test_secrets_escaped_inside_json_are_redacted_too():
    import json

    from connectors_admin.core.redaction import redact_text

    for secret in ['pa"ss-word-1', "pässwörd-123", "back\\slash-12", "a&b<c>-1234"]:
        ascii_body = json.dumps({"x": secret})
        unicode_body = json.dumps({"x": secret}, ensure_ascii=False)
        html_safe = (
            ascii_body.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
        )
        for body in (ascii_body, unicode_body, html_safe):
            assert redact_text(body, [secret]) == '{"x": "[redacted]"}', (secret, body)


def test_a_short_secret_is_masked_where_it_stands_alone_not_inside_other_words():
    redactor = Redactor(values=["connect"])
    kept = [
        "http://127.0.0.1:8000/sandbox/kafka-connect/connectors",
        "io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector",
        "connectors_admin",
    ]
    assert [redactor.text(text) for text in kept] == kept
    assert redactor.text("password connect rejected.") == "password [redacted] rejected."
    assert redactor.text("sasl://user:connect@broker") == "sasl://user:[redacted]@broker"
    assert redactor.text('{"password": "connect"}') == '{"password": "[redacted]"}'
    assert redactor.text("jdbc:x?password=connect;ssl=1") == "jdbc:x?password=[redacted];ssl=1"


SECRET_CHARS = st.characters(
    categories=("L", "N"), include_characters="!#$%^&*+=@:.,/", codec="ascii"
)


@given(st.text(SECRET_CHARS, min_size=1, max_size=40))
def test_a_secret_standing_alone_is_always_masked(secret):
    assert redact_text(f"said: {secret} (done)", [secret]) == f"said: {REDACTED} (done)"


@given(st.text(SECRET_CHARS, min_size=SHORT_SECRET, max_size=40))
def test_a_long_secret_is_masked_even_inside_a_word(secret):
    assert redact_text(f"ab{secret}cd", [secret]) == f"ab{REDACTED}cd"


@pytest.mark.parametrize(
    "text",
    [
        '{"error": "bad password:\\nhunter22"}',
        "secret\\u003dhunter22",
        "\\u0027hunter22\\u0027",
        "\\u0022hunter22\\u0022",
        "password%3Dhunter22",
        "postgresql%3A%2F%2Fapp%3Ahunter22%40db",
        "at line 3:\\thunter22",
    ],
)
def test_a_short_secret_right_after_an_escape_stands_alone(text):
    assert "hunter22" not in redact_text(text, ["hunter22"])


@given(st.text(SECRET_CHARS, min_size=1, max_size=40), st.sampled_from(["\\n", "\\u003d", "%3A"]))
def test_a_secret_after_an_escape_is_always_masked(secret, escape):
    assert redact_text(f"said{escape}{secret} ", [secret]) == f"said{escape}{REDACTED} "


def test_a_call_described_again_says_the_cookies_its_session_now_sends():
    """A provider's answer may set a cookie (a load balancer's sticky session): the session
    sends it with the next call, so the call's record says so, as it says every header sent."""
    from connectors_admin.providers.http import HttpClient

    client = HttpClient({}, {"secret": SECRET})
    call = Call("POST", "https://provider.example/connectors", json={"name": "x"})
    before = client.redacted_request(call)
    assert "Cookie" not in before["headers"]
    client.session.cookies.set("AWSALB", "sticky-1234", domain="provider.example")
    sent = call.prepare(client.session).headers
    assert "AWSALB=sticky-1234" in sent["Cookie"]
    assert client.redacted_request(call)["headers"]["Cookie"] == REDACTED
