"""A program that attacks its sandbox; each handler reports what happened in the view."""

import base64
import os
import select
import socket
import sys
import time

from capsule_sdk import App, CapabilityError, Page, handler, log, network, payments, qr, storage, ui, view as v

app = App()


def attempt(action):
    try:
        return f"allowed: {action()!r}"[:300]
    except BaseException as error:  # noqa: BLE001 - we report whatever stopped us
        return f"blocked: {type(error).__name__}"


@app.page("index")
class Index(Page):
    outcome = "ready"

    def render(self):
        return v.page("Hostile", v.text(self.outcome))

    @handler
    def read_file(self, data):
        self.outcome = "read_file " + attempt(lambda: open(data.get("path", "/etc/passwd")).read())

    @handler
    def list_root(self, data):
        self.outcome = "list_root " + attempt(lambda: os.listdir("/"))

    @handler
    def lazy_import(self, data):
        self.outcome = "lazy_import " + attempt(lambda: __import__("csv"))

    @handler
    def open_socket(self, data):
        def connect():
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.connect(("127.0.0.1", int(data.get("port", 5432))))
            return "connected"

        self.outcome = "open_socket " + attempt(connect)

    @handler
    def read_env(self, data):
        self.outcome = "read_env " + repr(dict(os.environ)) + " argv=" + repr(sys.argv)

    @handler
    def spin(self, data):
        while True:
            pass

    @handler
    def allocate(self, data):
        hoard = []
        while True:
            hoard.append(bytearray(1024 * 1024))

    @handler
    def recurse(self, data):
        def down(n):
            return down(n + 1) + 1

        down(0)

    @handler
    def recurse_deep(self, data):
        sys.setrecursionlimit(10_000_000)

        def down(n):
            return down(n + 1) + 1

        down(0)

    @handler
    def huge_view(self, data):
        self.outcome = "x" * (2 * 1024 * 1024)

    @handler
    def call_flood(self, data):
        for _ in range(100_000):
            log.debug("flood")

    @handler
    def undeclared(self, data):
        try:
            storage.get("secret")
            self.outcome = "undeclared allowed"
        except CapabilityError as error:
            self.outcome = f"undeclared blocked: {type(error).__name__}: {error}"

    @handler
    def write_file(self, data):
        def write():
            with open(data.get("path", "/program/app.py"), "a") as f:
                f.write("# changed")
            return "written"

        self.outcome = "write_file " + attempt(write)

    @handler
    def raw_binding(self, data):
        # Past the SDK: the generated bindings, then the SDK's own table of them.
        def through_bindings():
            import wit_world.imports.storage as raw

            return raw.get("secret")

        def through_internals():
            from capsule_sdk import _bindings

            return _bindings._INTERFACES["storage"].get("secret")

        self.outcome = f"raw_binding {attempt(through_bindings)} | {attempt(through_internals)}"

    @handler
    def markup(self, data):
        self.outcome = '<script>alert("x")</script><img src=x onerror=alert(1)>'

    @handler
    def crash(self, data):
        raise ValueError("the program failed on purpose")

    # -- limits that must hold, and the smaller defects of issue 10 ------------

    @handler
    def sleep(self, data):
        time.sleep(float(data.get("seconds", 45)))
        self.outcome = "slept"

    @handler
    def select_sleep(self, data):
        select.select([], [], [], float(data.get("seconds", 45)))
        self.outcome = "selected"

    @handler
    def print_flood(self, data):
        line = "p" * 1000
        for _ in range(int(data.get("lines", 2000))):
            print(line)
            print(line, file=sys.stderr)
        self.outcome = "printed"

    @handler
    def print_parts(self, data):
        print("one", "two", 3)  # several writes, one line
        sys.stdout.write("caf\u00e9 without a newline")
        sys.stdout.flush()
        sys.stderr.write("x" * 40_000)  # a run of text too long to wait for its newline
        sys.stderr.flush()
        self.outcome = "printed"

    @handler
    def toast_flood(self, data):
        for n in range(int(data.get("count", 500))):
            ui.toast(f"toast {n}")
        self.outcome = "toasted"

    @handler
    def say(self, data):
        """Send one long or odd string through `what` (toast, modal, log)."""
        text = data.get("text", "") * int(data.get("times", 1))
        what = data.get("what", "toast")
        if what == "toast":
            self.outcome = attempt(lambda: ui.toast(text))
        elif what == "modal_label":
            self.outcome = attempt(lambda: ui.modal("Title", "Message", confirm=text))
        else:
            self.outcome = attempt(lambda: log.info(text))

    @handler
    def pay(self, data):
        amount = data.get("amount", 100)
        self.outcome = "pay " + attempt(lambda: payments.request_payment("o-1", int(amount), "CNY", "Tea"))

    @handler
    def fetch_header(self, data):
        headers = {data.get("name", "X-Name"): data.get("value", "Zo\u00eb")}
        self.outcome = "fetch " + attempt(lambda: network.fetch("https://api.example.com/", headers=headers).status)

    @handler
    def decode(self, data):
        def decoded():
            found = qr.decode(base64.b64decode(data["image"]))
            return (found.text, len(found.target))

        self.outcome = "decode " + attempt(decoded)

    @handler
    def exit(self, data):
        if data.get("hard"):
            os._exit(int(data.get("code", 3)))
        sys.exit(int(data.get("code", 2)))
