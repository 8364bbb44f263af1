// Typed errors for capability calls that did not succeed (the WIT `error` and `payment-error` cases).

/** Base class: a capability call the host did not carry out. */
export class CapabilityError extends Error {
  get name() { return this.constructor.name; }
}
/** The user said no (now, or earlier and the host remembered). */
export class Refused extends CapabilityError {}
/** The manifest does not declare this capability or scope. */
export class NotDeclared extends CapabilityError {}
/** A quota, rate or size limit was reached. */
export class LimitExceeded extends CapabilityError {}
/** The host cannot serve this now. */
export class Unavailable extends CapabilityError {}
/** An argument was malformed; the message names it. */
export class InvalidArgument extends CapabilityError {}
/** The user cancelled the payment sheet, or let it time out. */
export class PaymentCancelled extends CapabilityError {}
/** Insufficient funds, or a limit. */
export class PaymentDeclined extends CapabilityError {}
/** The order id was already used with different terms. */
export class PaymentConflict extends CapabilityError {}

const BY_CASE = {
  "refused": Refused,
  "not-declared": NotDeclared,
  "limit-exceeded": LimitExceeded,
  "unavailable": Unavailable,
  "invalid-argument": InvalidArgument,
  "cancelled": PaymentCancelled,
  "declined": PaymentDeclined,
  "conflict": PaymentConflict,
};

/** The error for a WIT error value ({tag, val}); `failed` wraps the shared error. */
export function fromWit(value) {
  if (value && value.tag === "failed") return fromWit(value.val);
  const Kind = (value && BY_CASE[value.tag]) || CapabilityError;
  return new Kind(String(value && value.val !== undefined ? value.val : value));
}
