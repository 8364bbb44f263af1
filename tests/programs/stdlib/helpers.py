"""A module of the program that app.py imports only when a handler needs it."""


def shout(text: str) -> str:
    return text.upper() + "!"
