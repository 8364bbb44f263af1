// Bill Pay: scan the code on an electricity or water bill, check the amount
// and the due date, pay with your payment PIN, keep the receipt.
const { App, view: v, qr, payments, storage, PaymentCancelled, PaymentDeclined, Refused } = require("capsule");
const { BillError, kindName, orderId, parseBill } = require("./bill");

const app = new App();
const HISTORY = "paid-bills";
const DAY_MS = 24 * 60 * 60 * 1000;

function dueText(bill, now) {
  const date = new Intl.DateTimeFormat("en-US", { dateStyle: "long", timeZone: "UTC" }).format(bill.dueAt);
  const days = Math.ceil((bill.dueAt - now) / DAY_MS);
  if (days < 0) return `Due ${date}: ${-days} ${-days === 1 ? "day" : "days"} overdue`;
  if (days === 0) return `Due ${date}: today`;
  return `Due ${date}: in ${days} ${days === 1 ? "day" : "days"}`;
}

app.page("index", {
  data: { problem: "" },
  render() {
    const paid = storage.getJSON(HISTORY, []);
    const children = [
      v.text("Pay a utility bill", "title"),
      v.text("Scan the QR code printed on your electricity or water bill."),
      v.button("Scan a bill", "scan", undefined, { style: "primary" }),
    ];
    if (this.data.problem) children.push(v.text(this.data.problem, "error"));
    if (paid.length) {
      children.push(v.divider(), v.text("Paid bills", "subtitle"));
      children.push(v.list(paid.slice(-5).reverse().map((p) =>
        v.row([v.text(`${kindName(p.kind, "en")} · ${p.biller} · ${p.period}`), v.price(p.amount, p.currency)]))));
    }
    return v.page("Bill Pay", ...children);
  },
  handlers: {
    scan() {
      this.data.problem = "";
      let scanned;
      try {
        scanned = qr.scan();
      } catch (error) {
        if (error instanceof Refused) return; // the user closed the scanner
        throw error;
      }
      try {
        const bill = parseBill(scanned.text);
        this.navigate("bill", { code: scanned.text });
        return bill;
      } catch (error) {
        if (!(error instanceof BillError)) throw error;
        this.data.problem = error.message;
      }
    },
  },
});

app.page("bill", {
  data(query) {
    return { bill: parseBill(query.code), problem: "" };
  },
  render() {
    const { bill, problem } = this.data;
    const children = [
      v.text(`${kindName(bill.kind, "en")} bill`, "title"),
      v.text(bill.biller),
      v.text(`Account ${bill.account} · period ${bill.period}`),
      v.price(bill.amount, bill.currency, "Amount due"),
      v.text(dueText(bill, Date.now())),
      v.button("Pay with PIN", "pay", undefined, { style: "primary" }),
      v.button("Back", "back"),
    ];
    if (problem) children.push(v.text(problem, "error"));
    return v.page("Bill", ...children);
  },
  handlers: {
    pay() {
      const { bill } = this.data;
      this.data.problem = "";
      let receipt;
      try {
        receipt = payments.requestPayment({
          orderId: orderId(bill),
          amount: bill.amount,
          currency: bill.currency,
          description: `${kindName(bill.kind, "en")} ${bill.period}, ${bill.biller}, account ${bill.account}`,
          items: [{ name: `${kindName(bill.kind, "en")} ${bill.period}`, quantity: 1, unitAmount: bill.amount }],
        });
      } catch (error) {
        if (error instanceof PaymentCancelled) { this.data.problem = "Not paid: you cancelled."; return; }
        if (error instanceof PaymentDeclined) { this.data.problem = `Not paid: ${error.message}`; return; }
        throw error;
      }
      const paid = storage.getJSON(HISTORY, []);
      if (!paid.some((p) => p.transactionId === receipt.transactionId)) {
        paid.push({ ...bill, transactionId: receipt.transactionId, paidAt: receipt.paidAt });
        storage.setJSON(HISTORY, paid.slice(-50));
      }
      this.app.back();
      this.navigate("receipt", { transaction: receipt.transactionId });
    },
    back() {
      this.back();
    },
  },
});

app.page("receipt", {
  render() {
    const paid = storage.getJSON(HISTORY, []);
    const entry = paid.find((p) => p.transactionId === this.query.transaction);
    if (!entry) return v.page("Receipt", v.text("No such payment."), v.button("Done", "done"));
    const when = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "Asia/Shanghai" }).format(entry.paidAt);
    return v.page(
      "Receipt",
      v.text("Paid", "title"),
      v.price(entry.amount, entry.currency, `${kindName(entry.kind, "en")} ${entry.period}`),
      v.text(`${entry.biller} · account ${entry.account}`),
      v.text(`Paid ${when} (Beijing time)`),
      v.text(`Transaction ${entry.transactionId}`),
      v.button("Done", "done", undefined, { style: "primary" }),
    );
  },
  handlers: {
    done() {
      this.back();
    },
  },
});
