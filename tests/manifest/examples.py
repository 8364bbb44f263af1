"""Manifests the tests share: one that uses every field, and ways to break it."""

from __future__ import annotations

import copy
from typing import Any

FULL: dict[str, Any] = {
    "$schema": "https://example.invalid/manifest.schema.json",
    "id": "com.example.coffee-shop",
    "version": "1.2.0-beta.1+build.7",
    "default_locale": "en",
    "name": {"en": "Coffee Shop", "nl": "Koffiebar", "zh-Hans-CN": "咖啡店"},
    "description": {"en": "Order coffee ahead and pay at the counter.", "nl": "Bestel vooraf."},
    "keywords": {"en": ["coffee", "order"], "nl": ["koffie"]},
    "category": "food",
    "icon": "assets/icons/cup.svg",
    "pages": [
        {"name": "index", "title": {"en": "Menu", "nl": "Menukaart"}},
        {"name": "order-details", "indexed": False},
        {"name": "receipt_view"},
    ],
    "permissions": {
        "storage": {"reason": "Remembers your usual order.", "quota_bytes": 1048576},
        "payments": {"reason": "Pays for your order.", "currencies": ["EUR", "CNY"]},
        "profile": {"reason": "Greets you by name.", "fields": ["nickname"]},
        "location": {"reason": "Finds the nearest shop.", "precision": "precise"},
        "media": {"reason": "Attach a photo to a review.", "kinds": ["image", "video"]},
        "qr": {"reason": "Scan the code on your table.", "scan": True},
        "network": {"reason": "Sends your order to the shop.", "hosts": ["api.coffee.example", "*.cdn.example:8443"]},
        "messages": {
            "reason": "Tells you when your order is ready.",
            "templates": [
                {
                    "id": "order-ready",
                    "title": {"en": "Your order is ready", "nl": "Je bestelling staat klaar"},
                    "fields": {"order": "code", "total": "amount"},
                    "reason": "So you know when to collect it.",
                }
            ],
            "follow": True,
            "chat": True,
            "share": True,
        },
    },
    "data_practices": {
        "collects": ["payment", "usage"],
        "shared_with_third_parties": False,
        "retention_days": 90,
        "privacy_policy_url": "https://coffee.example/privacy",
    },
    "min_host_version": "0.1.0",
    "developer": {"name": "Example Coffee", "email": "dev@coffee.example", "url": "https://coffee.example"},
}

MINIMAL: dict[str, Any] = {
    "id": "com.example.hello",
    "version": "1.0.0",
    "default_locale": "en",
    "name": {"en": "Hello"},
    "description": {"en": "Says hello."},
    "category": "tools",
    "pages": [{"name": "index"}],
}


def changed(base: dict[str, Any], path: str, value: Any = ..., *, delete: bool = False) -> dict[str, Any]:
    """A copy of `base` with the value at `path` ("a/b/0") replaced or deleted."""
    document = copy.deepcopy(base)
    *parents, last = path.split("/")
    target: Any = document
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    key: Any = int(last) if isinstance(target, list) else last
    if delete:
        del target[key]
    else:
        target[key] = value
    return document
