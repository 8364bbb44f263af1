"""Property tests: random sequences of payments, refunds, transfers and claims keep the books."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from capsule.runtime.capabilities import InvalidArgument
from capsule.runtime.capabilities.payments import Charge, PaymentConflict, PaymentDeclined

from .invariants import assert_books_hold

USERS = ["ann", "ben", "cai", "dee"]
user = st.sampled_from(USERS)
money = st.integers(min_value=1, max_value=3000)
operation = st.one_of(
    st.tuples(st.just("topup"), user, money),
    st.tuples(st.just("pay"), user, st.integers(0, 5), money),
    st.tuples(st.just("refund"), st.integers(0, 5), st.integers(0, 3), money),
    st.tuples(st.just("transfer"), user, user, money),
    st.tuples(st.just("envelope"), user, money, st.integers(1, 4)),
    st.tuples(st.just("claim"), st.integers(0, 3), user),
)


# database=None: no example store written into the working tree.
@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(operation, max_size=30))
def test_random_sequences_keep_the_books(provider, signer, ops):
    run = uuid.uuid4().hex[:8]  # each example its own users and program in the shared database
    app = f"dev.example.p{run}"
    envelopes: list[str] = []
    for op in ops:
        try:
            if op[0] == "topup":
                provider.topup(f"{op[1]}{run}", op[2], "CNY")
            elif op[0] == "pay":
                provider.charge(Charge(app, f"{op[1]}{run}", op[1], f"o{op[2]}", op[3], "CNY", "test"))
            elif op[0] == "refund":
                provider.refund(app, f"o{op[1]}", f"r{op[1]}-{op[2]}", op[3], "")
            elif op[0] == "transfer" and op[1] != op[2]:
                provider.transfer(app, f"{op[1]}{run}", op[1], f"{op[2]}{run}", op[2], op[3], "CNY", "", None)
            elif op[0] == "envelope" and op[2] >= op[3]:
                envelopes.append(provider.create_envelope(app, f"{op[1]}{run}", op[2], "CNY", op[3], "", 3600, None).envelope_id)
            elif op[0] == "claim" and op[1] < len(envelopes):
                provider.claim_envelope(app, envelopes[op[1]], f"{op[2]}{run}")
        except (PaymentDeclined, PaymentConflict, InvalidArgument):
            pass  # refused movements must leave no trace, which the invariants check
    assert_books_hold(provider, signer.public_key_b64)
