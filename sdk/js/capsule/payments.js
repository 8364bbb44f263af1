// Payments the user confirms on the host's payment sheet. Amounts are integer minor units.
//
// Every function throws PaymentCancelled, PaymentDeclined, PaymentConflict or
// one of the shared errors (InvalidArgument, NotDeclared, ...).
import { call } from "./_bindings.js";
import { U32, plain, text, u64, whole } from "./_checks.js";

/**
 * Ask the user to pay `amount` minor units of `currency`; the host's signed receipt.
 * `items` are {name, quantity, unitAmount} and must add up to `amount`.
 */
export function requestPayment({ orderId, amount, currency, description = "", items = [] }) {
  const lines = items.map((item, i) => ({
    name: text(item.name, `items[${i}].name`),
    quantity: whole(item.quantity, `items[${i}].quantity`, U32),
    unitAmount: u64(item.unitAmount, `items[${i}].unitAmount`),
  }));
  const request = {
    orderId: text(orderId, "orderId"),
    amount: u64(amount, "amount"),
    currency: text(currency, "currency"),
    description: text(description, "description"),
    items: lines,
  };
  return plain(call("payments", "requestPayment", request));
}

/** The paid order with this id ({amount, refunded, state, ...}), or null. */
export function queryOrder(orderId) {
  const found = call("payments", "queryOrder", text(orderId, "orderId"));
  return found.length ? plain(found[0]) : null;
}

/** Give back `amount` of a paid order; idempotent by `refundId`. */
export function refund(orderId, refundId, amount, reason = "") {
  return plain(call("payments", "refund", text(orderId, "orderId"), text(refundId, "refundId"), u64(amount, "amount"), text(reason, "reason")));
}

/** Pay another user of this program, named by the id profile.userId() gave them. */
export function transfer(toUser, amount, currency, note = "") {
  return plain(call("payments", "transfer", text(toUser, "toUser"), u64(amount, "amount"), text(currency, "currency"), text(note, "note")));
}

/** Put `total` in escrow, cut at random into `shares`. */
export function createRedEnvelope(total, currency, shares, { note = "", expiresInSeconds = 86400 } = {}) {
  return plain(call("payments", "createRedEnvelope", u64(total, "total"), text(currency, "currency"),
    whole(shares, "shares", U32), text(note, "note"), whole(expiresInSeconds, "expiresInSeconds", U32)));
}

/** Claim one share (once per user); the minor units received. */
export function claimRedEnvelope(envelopeId) {
  return Number(call("payments", "claimRedEnvelope", text(envelopeId, "envelopeId")));
}
