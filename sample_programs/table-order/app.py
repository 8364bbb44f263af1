"""Table Order: launched from the QR code on a table, shows the table and takes the order.

Print a table's code with `capsule qr make dev.capsule.samples.tableorder
--page menu --param table=12 --out table-12.png`; scanning it opens this page
with `table=12` in the launch query.
"""

from capsule_sdk import App, Page, handler, storage, view as v

MENU = {"dumplings": "Dumplings", "noodles": "Beef noodles", "tea": "Jasmine tea"}

app = App()


@app.page("menu")
class Menu(Page):
    def on_load(self, query):
        table = query.get("table", "")
        # The code is the only source of the table number: accept digits only.
        self.table = table if table.isdigit() and len(table) <= 4 else ""
        self.order = storage.get_json(f"order/{self.table}", {}) if self.table else {}
        self.sent = False

    def render(self):
        if not self.table:
            return v.page("Table Order", v.text("Scan the code on your table to order.", style="title"))
        rows = [v.row(v.text(name), v.button("Add", "add", {"item": item})) for item, name in MENU.items()]
        lines = [v.text(f"{count} × {MENU[item]}") for item, count in sorted(self.order.items())]
        children = [v.text(f"Table {self.table}", style="title"), *rows, v.divider(), *(lines or [v.text("Nothing ordered yet.")])]
        if self.order and not self.sent:
            children.append(v.button("Send to kitchen", "send", style="primary"))
        if self.sent:
            children.append(v.text(f"Sent to the kitchen for table {self.table}.", style="caption"))
        return v.page("Table Order", *children)

    @handler
    def add(self, data):
        item = data.get("item")
        if self.table and item in MENU:
            self.order[item] = self.order.get(item, 0) + 1
            storage.set_json(f"order/{self.table}", self.order)
            self.sent = False

    @handler
    def send(self, data):
        self.sent = bool(self.order)
