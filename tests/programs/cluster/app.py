"""Cluster probe: pays the order id it is sent (so a retry can reuse one) and reads the position."""

from capsule_sdk import App, CapabilityError, Page, PaymentCancelled, PaymentDeclined, handler, location, payments, view as v

app = App()


@app.page("index")
class Index(Page):
    outcome = "ready"

    def render(self):
        return v.page("Cluster probe", v.text(self.outcome))

    @handler
    def pay(self, data):
        try:
            receipt = payments.request_payment(str(data["order"]), int(data["amount"]), "CNY", "Tea")
            self.outcome = f"paid {receipt.order_id} {receipt.transaction_id}"
        except PaymentCancelled:
            self.outcome = "cancelled"
        except PaymentDeclined as declined:
            self.outcome = f"declined {declined}"

    @handler
    def where(self, data):
        try:
            location.get_position(precise=False)
            self.outcome = "position"
        except CapabilityError as error:
            self.outcome = f"refused {type(error).__name__}"
