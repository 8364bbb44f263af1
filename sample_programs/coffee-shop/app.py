"""Coffee Shop: pick drinks from the menu, check out, pay on the host's payment sheet.

After paying, the shop asks (on the host's subscribe sheet) whether it may
tell you when the order is ready. Its merchant server (capsule.samples.
coffee_merchant) hears of the payment and sends "Your order is ready"; the
message opens the receipt page.
"""

import os

from capsule_sdk import App, CapabilityError, Page, PaymentCancelled, PaymentDeclined, handler, messages, payments, view as v

CURRENCY = "CNY"
#: item id -> (name, price in minor units: fen)
MENU = {
    "espresso": ("Espresso", 900),
    "flat-white": ("Flat white", 1250),
    "latte": ("Caffè latte", 1300),
    "croissant": ("Croissant", 800),
}

app = App()


@app.page("menu")
class Menu(Page):
    def on_load(self, query):
        self.cart = {}
        self.receipt = None
        self.problem = ""
        self.notice = ""

    def total(self):
        return sum(MENU[item][1] * count for item, count in self.cart.items())

    def render(self):
        if self.receipt is not None:
            paid = [
                v.text("Paid", style="title"),
                v.price(self.receipt.amount, self.receipt.currency, "Total"),
                v.text(f"Transaction {self.receipt.transaction_id}"),
                v.text(f"Order {self.receipt.order_id}", style="caption"),
            ]
            if self.notice:
                paid.append(v.text(self.notice))
            else:
                paid.append(v.button("Tell me when it's ready", "notify"))
            return v.page("Receipt", *paid, v.button("New order", "restart"))
        rows = [
            v.row(v.text(name), v.price(amount, CURRENCY), v.button("Add", "add", {"item": item}))
            for item, (name, amount) in MENU.items()
        ]
        cart = [v.text(f"{count} × {MENU[item][0]}") for item, count in self.cart.items()]
        children = [v.text("Menu", style="title"), *rows, v.divider()]
        children += cart or [v.text("Your cart is empty.")]
        if self.cart:
            children += [v.price(self.total(), CURRENCY, "Total"), v.button("Check out", "checkout", style="primary")]
        if self.problem:
            children.append(v.text(self.problem, style="error"))
        return v.page("Coffee Shop", *children)

    @handler
    def add(self, data):
        item = data.get("item")
        if item not in MENU:
            self.problem = f"There is no {item!r} on the menu."
            return
        self.cart[item] = self.cart.get(item, 0) + 1
        self.problem = ""

    @handler
    def checkout(self, data):
        if not self.cart:
            self.problem = "Add something to your cart first."
            return
        # A fresh order id per checkout; a retry of the same checkout reuses it.
        self.order_id = getattr(self, "order_id", None) or "cs-" + os.urandom(8).hex()
        items = [(MENU[item][0], count, MENU[item][1]) for item, count in self.cart.items()]
        description = ", ".join(f"{count} × {MENU[item][0]}" for item, count in self.cart.items())
        try:
            self.receipt = payments.request_payment(self.order_id, self.total(), CURRENCY, description[:128], items)
        except PaymentCancelled:
            self.problem = "Payment cancelled."
        except PaymentDeclined as declined:
            self.problem = f"Payment declined: {declined}"

    @handler
    def notify(self, data):
        """Ask (on the host's sheet) whether the shop may message when the order is ready."""
        try:
            chosen = messages.subscribe(["order-ready"])
        except CapabilityError as error:
            self.notice = f"Messages are not available: {error}"
            return
        if chosen.get("order-ready") in ("once", "always"):
            self.notice = "We will message you when it is ready."
        else:
            self.notice = "No message, then: collect it at the counter."

    @handler
    def restart(self, data):
        self.on_load({})
        self.order_id = None


@app.page("receipt")
class ReceiptPage(Page):
    """Where the "Your order is ready" message lands: the order, as the host's ledger has it."""

    def on_load(self, query):
        self.order_id = dict(query).get("order", "")
        try:
            self.order = payments.query_order(self.order_id) if self.order_id else None
        except CapabilityError:
            self.order = None

    def render(self):
        if self.order is None:
            return v.page("Receipt", v.text("No such order.", style="error"))
        return v.page(
            "Receipt",
            v.text("Your order is ready", style="title"),
            v.price(self.order.amount, self.order.currency, "Total"),
            v.text(f"Order {self.order.order_id}", style="caption"),
            v.text(f"Transaction {self.order.transaction_id}", style="caption"),
        )
