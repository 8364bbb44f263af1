"""A small multilingual catalogue and labelled queries: (query, the program it should find first)."""

from __future__ import annotations

from capsule.runtime.search import SearchDocument

NOW = 1_800_000_000.0


def doc(app_id: str, category: str, names: dict[str, str], descriptions: dict[str, str], keywords: tuple[str, ...] | list[str] = ()) -> SearchDocument:
    return SearchDocument(
        app_id=app_id,
        version="1.0.0",
        category=category,
        names=tuple(names.values()),
        keywords=tuple(keywords),
        descriptions=" ".join(descriptions.values()),
        released_at=NOW - 30 * 86400,
        display=names,
    )


CATALOGUE = [
    doc("com.example.coffee", "food", {"en": "Corner Coffee", "nl": "Hoekkoffie", "zh-Hans": "街角咖啡"},
        {"en": "Order coffee and pastries ahead", "nl": "Bestel koffie en gebak vooraf", "de": "Kaffee und Gebäck vorbestellen", "fr": "Commandez café et viennoiseries"},
        ["coffee", "koffie", "kaffee", "café", "咖啡", "espresso"]),
    doc("com.example.taxi", "transport", {"en": "City Taxi", "de": "Stadttaxi", "zh-Hans": "城市出租车"},
        {"en": "Hail a taxi to anywhere in town", "de": "Rufen Sie ein Taxi", "fr": "Appelez un taxi", "nl": "Bestel een taxi"},
        ["taxi", "cab", "ride", "出租车", "打车"]),
    doc("com.example.tickets", "entertainment", {"en": "Ticket Booth", "fr": "Billetterie", "zh-Hans": "票务"},
        {"en": "Book tickets for concerts and cinema", "fr": "Réservez des billets de concert et de cinéma", "de": "Konzertkarten und Kinokarten buchen"},
        ["tickets", "concert", "cinema", "billets", "kaartjes", "电影票"]),
    doc("com.example.restaurant", "food", {"en": "Table Finder", "nl": "Tafelzoeker", "zh-Hans": "订餐厅"},
        {"en": "Reserve a restaurant table tonight", "nl": "Reserveer een tafel in een restaurant", "de": "Tisch im Restaurant reservieren", "fr": "Réservez une table au restaurant"},
        ["restaurant", "reservation", "餐厅", "订座"]),
    doc("com.example.menu", "food", {"en": "Scan Menu", "zh-Hans": "扫码点餐"},
        {"en": "Scan the QR code on the table menu and order food", "nl": "Scan de QR-code op het menu en bestel eten", "de": "QR-Code auf der Speisekarte scannen und Essen bestellen"},
        ["menu", "order food", "speisekarte", "点餐"]),
    doc("com.example.bills", "finance", {"en": "Utility Bills", "nl": "Rekeningen", "de": "Rechnungen", "zh-Hans": "生活缴费"},
        {"en": "Pay electricity and water bills", "nl": "Betaal je elektriciteit en water", "de": "Strom- und Wasserrechnung bezahlen", "fr": "Payer électricité et eau"},
        ["electricity", "water", "elektriciteit", "strom", "électricité", "电费", "水费"]),
    doc("com.example.split", "finance", {"en": "Go Dutch", "nl": "Samen Betalen", "zh-Hans": "AA制"},
        {"en": "Split a bill between friends", "nl": "Deel de rekening met vrienden", "de": "Rechnung unter Freunden teilen", "fr": "Partager l'addition entre amis"},
        ["split", "bill", "friends", "vrienden", "分账"]),
    doc("com.example.hongbao", "social", {"en": "Red Envelopes", "zh-Hans": "红包"},
        {"en": "Send lucky money to a group", "zh-Hans": "给群发红包", "de": "Glücksgeld an Freunde schicken"},
        ["lucky money", "hongbao", "红包", "envelope"]),
    doc("com.example.loyalty", "shopping", {"en": "Loyalty Stamps", "nl": "Spaarkaart", "de": "Treuekarte", "fr": "Carte de fidélité"},
        {"en": "Collect stamps and rewards at your favourite shops", "nl": "Spaar stempels bij je favoriete winkels", "de": "Stempel sammeln in Geschäften"},
        ["loyalty", "rewards", "stamps", "spaarkaart", "积分"]),
    doc("com.example.shop", "shopping", {"en": "Fashion Outlet", "fr": "Boutique Mode", "zh-Hans": "时尚商城"},
        {"en": "Shop clothes and shoes online", "fr": "Achetez vêtements et chaussures", "de": "Kleidung und Schuhe online kaufen", "nl": "Kleding en schoenen online"},
        ["clothes", "fashion", "shoes", "kleding", "kleidung", "vêtements", "服装"]),
    doc("com.example.weather", "utilities", {"en": "Weather Now", "de": "Wetter", "nl": "Het Weer", "zh-Hans": "天气"},
        {"en": "Forecast for your city", "de": "Wettervorhersage", "fr": "Prévisions météo", "nl": "Weersverwachting"},
        ["weather", "forecast", "météo", "天气预报"]),
    doc("com.example.bike", "transport", {"en": "Bike Share", "nl": "Deelfiets", "zh-Hans": "共享单车"},
        {"en": "Unlock a shared bicycle", "nl": "Ontgrendel een deelfiets", "de": "Leihfahrrad entsperren", "fr": "Vélo en libre service"},
        ["bicycle", "fiets", "fahrrad", "vélo", "单车"]),
    doc("com.example.pharmacy", "health", {"en": "Pharmacy", "nl": "Apotheek", "de": "Apotheke", "fr": "Pharmacie", "zh-Hans": "药店"},
        {"en": "Order medicine for pickup", "nl": "Bestel medicijnen", "de": "Medikamente bestellen", "fr": "Commander des médicaments"},
        ["medicine", "medicijnen", "medikamente", "药"]),
    doc("com.example.parking", "transport", {"en": "Park & Pay", "nl": "Parkeren", "de": "Parken"},
        {"en": "Pay for street parking by the minute", "nl": "Betaal parkeren per minuut", "de": "Parkgebühren minutengenau bezahlen", "fr": "Payer le stationnement"},
        ["parking", "parkeren", "parken", "stationnement", "停车"]),
    doc("com.example.bakery", "food", {"en": "Village Bakery", "nl": "Dorpsbakker", "de": "Dorfbäckerei", "fr": "Boulangerie du Village"},
        {"en": "Fresh bread every morning", "nl": "Elke ochtend vers brood", "de": "Frisches Brot jeden Morgen", "fr": "Pain frais chaque matin"},
        ["bread", "brood", "brot", "pain", "面包"]),
    doc("com.example.museum", "education", {"en": "Museum Guide", "nl": "Museumgids", "de": "Museumsführer", "fr": "Guide du Musée", "zh-Hans": "博物馆导览"},
        {"en": "Audio tours of the city museum", "fr": "Visites audio du musée"},
        ["museum", "musée", "博物馆", "tour"]),
]

#: (query, expected first result). Typos, prefixes, Chinese, Dutch, German, French.
QUERIES: list[tuple[str, str]] = [
    # English, exact and prefix
    ("coffee", "com.example.coffee"), ("cof", "com.example.coffee"), ("taxi", "com.example.taxi"),
    ("tick", "com.example.tickets"), ("concert tickets", "com.example.tickets"), ("restaurant table", "com.example.restaurant"),
    ("menu", "com.example.menu"), ("electricity bill", "com.example.bills"), ("split bill", "com.example.split"),
    ("red envelope", "com.example.hongbao"), ("loyal", "com.example.loyalty"), ("shoes", "com.example.shop"),
    ("weather", "com.example.weather"), ("bicy", "com.example.bike"), ("pharm", "com.example.pharmacy"),
    ("parking", "com.example.parking"), ("bread", "com.example.bakery"), ("museum", "com.example.museum"),
    # typos (words of 5+ letters)
    ("cofee", "com.example.coffee"), ("coffe", "com.example.coffee"), ("restaurnat", "com.example.restaurant"),
    ("tickest", "com.example.tickets"), ("wether", "com.example.weather"), ("bicyle", "com.example.bike"),
    ("pharmcy", "com.example.pharmacy"), ("electricty", "com.example.bills"), ("musuem", "com.example.museum"),
    ("fashon", "com.example.shop"), ("parkign", "com.example.parking"),
    # Dutch
    ("koffie", "com.example.coffee"), ("koff", "com.example.coffee"), ("deelfiets", "com.example.bike"),
    ("apotheek", "com.example.pharmacy"), ("brood", "com.example.bakery"), ("spaarkaart", "com.example.loyalty"),
    ("rekening vrienden", "com.example.split"), ("parkeren", "com.example.parking"), ("kofie", "com.example.coffee"),
    # German
    ("kaffee", "com.example.coffee"), ("fahrrad", "com.example.bike"), ("apotheke", "com.example.pharmacy"),
    ("wetter", "com.example.weather"), ("speisekarte", "com.example.menu"), ("bäckerei", "com.example.bakery"),
    ("dorfbackerei", "com.example.bakery"), ("kleidung", "com.example.shop"),
    # French
    ("café", "com.example.coffee"), ("cafe", "com.example.coffee"), ("billets", "com.example.tickets"),
    ("pharmacie", "com.example.pharmacy"), ("boulangerie", "com.example.bakery"), ("vélo", "com.example.bike"),
    ("météo", "com.example.weather"), ("musée", "com.example.museum"), ("stationnement", "com.example.parking"),
    # Chinese
    ("咖啡", "com.example.coffee"), ("咖", "com.example.coffee"), ("出租车", "com.example.taxi"), ("打车", "com.example.taxi"),
    ("红包", "com.example.hongbao"), ("天气", "com.example.weather"), ("单车", "com.example.bike"), ("药店", "com.example.pharmacy"),
    ("点餐", "com.example.menu"), ("博物馆", "com.example.museum"), ("停车", "com.example.parking"), ("面包", "com.example.bakery"),
]
