"""Go Dutch: split a bill among friends (each pays a share by transfer) and send red envelopes.

A share request travels as launch parameters (in a QR code, a link, or a
message to one of the user's contacts through `messages.share`, the host's
contact picker): page "pay" with `to` (the organizer's id in this program) and
`amount` (minor units). A red envelope travels the same way: page "envelope"
with `id`.
"""

from capsule_sdk import (
    App,
    InvalidArgument,
    Page,
    PaymentCancelled,
    PaymentConflict,
    PaymentDeclined,
    CapabilityError,
    handler,
    messages,
    payments,
    profile,
    view as v,
)

CURRENCY = "CNY"
APP_ID = "dev.capsule.samples.godutch"
PAYMENT_ERRORS = (PaymentCancelled, PaymentDeclined, PaymentConflict, InvalidArgument)

app = App()


def share_to_contact(title, page, **params):
    """Send this page to a contact the user picks (the program never sees who); a note for the view."""
    try:
        sent = messages.share(title, page, params)
    except CapabilityError as error:
        return f"Not sent: {error}"
    return "" if sent else "Not sent: no contact was chosen."


def to_minor(text):
    """ "12.5" -> 1250, without floats; None when it is not an amount."""
    whole, _, fraction = str(text).strip().partition(".")
    if not whole.isdigit() or (fraction and not fraction.isdigit()) or len(fraction) > 2:
        return None
    return int(whole) * 100 + int((fraction + "00")[:2])


def shares_of(total, people):
    """`total` split into `people` integer shares that add up exactly (the first ones get the extra cent)."""
    base, extra = divmod(total, people)
    return [base + (1 if i < extra else 0) for i in range(people)]


def launch_link(page, **query):
    params = "&".join(f"{key}={value}" for key, value in query.items())
    return f"capsule://{APP_ID}/{page}?{params}"


@app.page("split")
class Split(Page):
    def on_load(self, query):
        self.shares = []
        self.problem = ""
        self.me = profile.user_id()

    def render(self):
        children = [
            v.text("Split a bill", style="title"),
            v.form(
                "split",
                v.input("total", "Total (CNY)", kind="number", placeholder="120.00"),
                v.input("people", "People, you included", kind="number", placeholder="4"),
                submit_label="Split",
            ),
        ]
        if self.shares:
            mine, *theirs = self.shares
            children += [v.price(mine, CURRENCY, "Your share")]
            for n, amount in enumerate(theirs, start=1):
                link = launch_link("pay", to=self.me, amount=amount)
                children += [
                    v.price(amount, CURRENCY, f"Friend {n} pays"),
                    v.qr(link, f"Friend {n}: scan to pay"),
                    v.button(f"Send friend {n}'s share to a contact", "send_share", {"amount": amount}),
                ]
        if self.problem:
            children.append(v.text(self.problem, style="error"))
        children.append(v.button("Send a red envelope", "envelopes"))
        return v.page("Go Dutch", *children)

    @handler
    def split(self, data):
        total = to_minor(data.get("total", ""))
        people = str(data.get("people", "")).strip()
        if not total or not people.isdigit() or not 2 <= int(people) <= 20:
            self.problem = "Enter a total such as 120.00 and 2 to 20 people."
            return
        if total < int(people):
            self.problem = "The total is too small to split."
            return
        self.shares = shares_of(total, int(people))
        self.problem = ""

    @handler
    def send_share(self, data):
        amount = int(data.get("amount", 0) or 0)
        if amount not in self.shares[1:]:
            self.problem = "That is not one of the shares."
            return
        self.problem = share_to_contact("Your share of the bill", "pay", to=self.me, amount=str(amount))

    @handler
    def envelopes(self, data):
        self.navigate("envelope")


@app.page("pay")
class Pay(Page):
    def on_load(self, query):
        self.to = query.get("to", "")
        self.amount = int(query.get("amount", "0") or 0)
        self.receipt = None
        self.problem = ""

    def render(self):
        if self.receipt is not None:
            return v.page(
                "Paid",
                v.text("Paid", style="title"),
                v.price(self.receipt.amount, CURRENCY, "Your share"),
                v.text(f"Transaction {self.receipt.transaction_id}"),
            )
        children = [v.text("Pay your share", style="title"), v.price(self.amount, CURRENCY, "Your share")]
        children.append(v.button("Pay my share", "pay", style="primary", disabled=not (self.to and self.amount > 0)))
        if self.problem:
            children.append(v.text(self.problem, style="error"))
        return v.page("Pay your share", *children)

    @handler
    def pay(self, data):
        try:
            self.receipt = payments.transfer(self.to, self.amount, CURRENCY, "Go Dutch share")
        except PAYMENT_ERRORS as error:
            self.problem = f"Not paid: {error}"


@app.page("envelope")
class Envelope(Page):
    def on_load(self, query):
        self.envelope_id = query.get("id", "")
        self.sent = None
        self.got = None
        self.problem = ""

    def render(self):
        children = [v.text("Red envelope", style="title")]
        if self.envelope_id and self.sent is None:
            children.append(v.button("Open the red envelope", "claim", style="primary"))
        if self.got is not None:
            children.append(v.price(self.got, CURRENCY, "You got"))
        if self.sent is not None:
            children += [
                v.text(f"Envelope {self.sent.envelope_id}: {self.sent.shares} shares"),
                v.qr(launch_link("envelope", id=self.sent.envelope_id), "Friends scan to open"),
                v.button("Send it to a contact", "send_envelope"),
            ]
        if not self.envelope_id:
            children.append(
                v.form(
                    "send",
                    v.input("total", "Total (CNY)", kind="number", placeholder="88.88"),
                    v.input("shares", "Shares", kind="number", placeholder="5"),
                    submit_label="Send",
                )
            )
        if self.problem:
            children.append(v.text(self.problem, style="error"))
        return v.page("Red envelope", *children)

    @handler
    def send(self, data):
        total = to_minor(data.get("total", ""))
        shares = str(data.get("shares", "")).strip()
        if not total or not shares.isdigit() or int(shares) < 1:
            self.problem = "Enter a total such as 88.88 and a number of shares."
            return
        try:
            self.sent = payments.create_red_envelope(total, CURRENCY, int(shares), "Go Dutch red envelope", 86400)
            self.problem = ""
        except PAYMENT_ERRORS as error:
            self.problem = f"Not sent: {error}"

    @handler
    def send_envelope(self, data):
        if self.sent is not None:
            self.problem = share_to_contact("A red envelope for you", "envelope", id=self.sent.envelope_id)

    @handler
    def claim(self, data):
        try:
            self.got = payments.claim_red_envelope(self.envelope_id)
            self.problem = ""
        except PAYMENT_ERRORS as error:
            self.problem = f"Not opened: {error}"
