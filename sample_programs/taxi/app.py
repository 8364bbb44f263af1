"""Taxi: a pickup area from a fuzzy position, a fare estimate, the exact spot only to book."""

import math

from capsule_sdk import App, Page, Refused, handler, location, view as v

#: Base fare and price per km, in euro cents.
BASE, PER_KM = 350, 240
#: Where the sample's rides go: Amsterdam Centraal.
DESTINATION = (52.3791, 4.9003)

app = App()


def km(a, b):
    x = math.radians(b[1] - a[1]) * math.cos(math.radians((a[0] + b[0]) / 2))
    return 6371 * math.hypot(x, math.radians(b[0] - a[0]))


@app.page("ride")
class Ride(Page):
    def on_load(self, query):
        self.area = None
        self.pickup = None
        self.note = ""
        self.locate()

    def locate(self):
        try:
            p = location.get_position(precise=False)
            self.area = (p.latitude, p.longitude, p.accuracy_meters)
            self.note = ""
        except Refused:
            self.area = None
            self.note = "Without your area we cannot show taxis nearby."

    def render(self):
        children = [v.text("Taxi", style="title")]
        if self.area:
            lat, lon, accuracy = self.area
            distance = km((lat, lon), DESTINATION)
            children += [
                v.map_pin(lat, lon, "Your area"),
                v.text(f"Pickup area within {accuracy / 1000:.1f} km"),
                v.price(BASE + round(distance * PER_KM), "EUR", f"Estimate to Centraal ({distance:.1f} km)"),
            ]
        if self.pickup:
            children.append(v.text(f"Booked: pickup at {self.pickup[0]:.5f}, {self.pickup[1]:.5f}", style="title"))
        elif self.area:
            children.append(v.button("Book (shares your exact position)", "book", style="primary"))
        if not self.pickup:
            children.append(v.button("Update my area", "refresh"))
        if self.note:
            children.append(v.text(self.note, style="caption"))
        return v.page("Taxi", *children)

    @handler
    def refresh(self, data):
        self.locate()

    @handler
    def book(self, data):
        try:
            p = location.get_position(precise=True)
            self.pickup = (p.latitude, p.longitude)
            self.note = ""
        except Refused:
            self.note = "Booking needs your exact position; the estimate stays as it is."
