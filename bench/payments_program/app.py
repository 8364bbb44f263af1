"""The program `capsule bench` pays from: one request-payment per tap."""

import os

from capsule_sdk import App, Page, handler, payments, view as v

app = App()


@app.page("index")
class Index(Page):
    paid = 0

    def render(self):
        return v.page("Bench payments", v.text(f"paid {self.paid}"), v.button("Pay", "pay"))

    @handler
    def pay(self, data):
        payments.request_payment("b-" + os.urandom(8).hex(), 100, "CNY", "bench")
        self.paid += 1
