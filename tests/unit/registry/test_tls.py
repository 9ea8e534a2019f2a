"""The shared TLS context: CAs loaded once, and only for https or behind a proxy."""

from __future__ import annotations

import ssl

import pytest

from psystock.registry._tls import tls_context


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("https_proxy", "http_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def test_https_gets_one_verifying_context_with_the_ca_bundle() -> None:
    context = tls_context("https://registry.example.com")

    assert context is tls_context("https://other.example.com:8443/mlflow")
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0


def test_plain_http_gets_a_context_that_trusts_no_authority() -> None:
    context = tls_context("http://127.0.0.1:5000")

    assert context is not tls_context("https://registry.example.com")
    assert context.verify_mode == ssl.CERT_REQUIRED  # a handshake would fail, never pass
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "http_proxy", "ALL_PROXY"])
def test_plain_http_behind_a_proxy_verifies(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    monkeypatch.setenv(variable, "https://proxy.example.com:3128")

    assert tls_context("http://127.0.0.1:5000") is tls_context("https://registry.example.com")
