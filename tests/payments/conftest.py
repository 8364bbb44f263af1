"""Fixtures: an embedded payments provider on each database kind."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from capsule.runtime.capabilities.payments import EmbeddedProvider, ReceiptSigner


@pytest.fixture
def signer() -> ReceiptSigner:
    return ReceiptSigner(Ed25519PrivateKey.generate())


@pytest.fixture
def provider(database, signer) -> EmbeddedProvider:
    return EmbeddedProvider(database, signer)
