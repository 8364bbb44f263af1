"""Coffee Shop: pick drinks from the menu, check out, pay on the host's payment sheet."""

import os

from capsule_sdk import App, Page, PaymentCancelled, PaymentDeclined, handler, payments, view as v

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

    def total(self):
        return sum(MENU[item][1] * count for item, count in self.cart.items())

    def render(self):
        if self.receipt is not None:
            return v.page(
                "Receipt",
                v.text("Paid", style="title"),
                v.price(self.receipt.amount, self.receipt.currency, "Total"),
                v.text(f"Transaction {self.receipt.transaction_id}"),
                v.text(f"Order {self.receipt.order_id}", style="caption"),
                v.button("New order", "restart"),
            )
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
    def restart(self, data):
        self.on_load({})
        self.order_id = None
