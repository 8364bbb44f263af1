"""Proof of possession for a signing key: the registry hands out a challenge,
the developer signs it with the key being registered, the registry checks.

Without it anyone could register someone else's public key to their own
account first, and every package that key signs would then count as theirs.
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .countersign import signed_by

_PREFIX = b"capsule-registry-key-proof-v1\n"
#: How long a challenge can be answered, in seconds.
CHALLENGE_SECONDS = 300
#: Unanswered challenges one account may hold at once (older ones are dropped).
MAX_OPEN_CHALLENGES = 16


def proof_message(registry: str, account: str, challenge: str) -> bytes:
    """What the key signs: which registry (its key id), which account, which challenge.

    The prefix keeps a proof from passing for a package signature or a
    countersignature, and naming registry and account keeps one proof from
    registering the key anywhere else.
    """
    return _PREFIX + f"{registry}\n{account}\n{challenge}".encode()


def sign_proof(key: Ed25519PrivateKey, registry: str, account: str, challenge: str) -> str:
    """The base64 signature a client sends with the key it registers."""
    return base64.b64encode(key.sign(proof_message(registry, account, challenge))).decode("ascii")


def proof_holds(public_key: str, registry: str, account: str, challenge: str, signature: object) -> bool:
    """Whether `signature` is the signature of `public_key` (base64) over that challenge."""
    if not isinstance(signature, str) or len(signature) > 200:
        return False
    return signed_by(public_key, proof_message(registry, account, challenge), signature)
