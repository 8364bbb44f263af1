// The code printed on a utility bill, and reading it.
//
// A bill's QR code carries one line of text:
//   CAPSULE-BILL/1?kind=electricity&biller=City%20Power&account=88-1024&period=2026-11&amount=23650&currency=CNY&due=2026-12-20
// The amount is in minor units (fen), the due date is a calendar day.

const PREFIX = "CAPSULE-BILL/1?";
const KINDS = { electricity: { en: "Electricity", zh: "电费" }, water: { en: "Water", zh: "水费" }, gas: { en: "Gas", zh: "燃气费" } };

class BillError extends Error {}

/** The bill in a scanned text, or a BillError saying what is wrong with it. */
function parseBill(text) {
  if (typeof text !== "string" || !text.startsWith(PREFIX)) {
    throw new BillError("This code is not a utility bill. Scan the code printed on your electricity or water bill.");
  }
  const fields = new URLSearchParams(text.slice(PREFIX.length));
  const get = (name) => {
    const value = fields.get(name);
    if (!value) throw new BillError(`The bill's code has no ${name}.`);
    return value.slice(0, 80);
  };
  const kind = get("kind");
  if (!KINDS[kind]) throw new BillError(`Bills of kind "${kind}" cannot be paid here.`);
  const amount = Number(get("amount"));
  if (!Number.isSafeInteger(amount) || amount <= 0 || amount > 10_000_000) throw new BillError("The bill's amount is not valid.");
  const due = get("due");
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(due);
  if (!match) throw new BillError("The bill's due date is not valid.");
  const currency = get("currency").toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) throw new BillError("The bill's currency is not valid.");
  return {
    kind,
    biller: get("biller"),
    account: get("account"),
    period: get("period"),
    amount,
    currency,
    due,
    dueAt: Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])),
  };
}

/** The merchant order id: the same bill always has the same one, so it is never paid twice. */
function orderId(bill) {
  return `bill-${bill.kind}-${bill.account}-${bill.period}`.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 64);
}

/** "Electricity" or "电费". */
function kindName(kind, locale) {
  return (KINDS[kind] || { en: kind, zh: kind })[locale.startsWith("zh") ? "zh" : "en"];
}

/** The bill's text for a code (the sample's own bills, and tests). */
function billText(fields) {
  return PREFIX + new URLSearchParams(fields).toString();
}

module.exports = { BillError, billText, kindName, orderId, parseBill };
