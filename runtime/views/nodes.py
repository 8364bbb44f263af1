"""The view vocabulary: one model per node type, told apart by `type`.

A view is a tree of JSON objects. The root is a `page`; containers hold
`children` (a list's rows are its `items`). Every string is plain text.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from .documents import NotNull
from .fields import Amount, CurrencyCode, Dimension, Gap, Identifier, ImageSource, Latitude, Longitude, PlainText
from .limits import MAX_QR_CHARS


class ViewNode(BaseModel):
    """Shared settings of every node."""

    # Unknown keys are errors (a misspelt field would otherwise vanish);
    # strict: JSON types are taken as they are, "5" is not a number.
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class Text(ViewNode):
    """A paragraph of text."""

    type: Literal["text"]
    text: PlainText = Field(description="The text, shown as it is (markup is not interpreted).")
    style: Literal["body", "title", "subtitle", "caption", "error"] = Field("body", description="How the text is set.")


class Image(ViewNode):
    """A picture from the package or the host's media store."""

    type: Literal["image"]
    src: ImageSource = Field(description='"assets/..." in the package or "/media/..." from the host\'s media store.')
    alt: PlainText = Field(description="What the image shows, for screen readers and text-only hosts.")
    width: Annotated[Dimension | None, NotNull(), Field(description="Width in pixels.")] = None
    height: Annotated[Dimension | None, NotNull(), Field(description="Height in pixels.")] = None


class Button(ViewNode):
    """Tapping it sends an event to `handler` with `data`."""

    type: Literal["button"]
    label: PlainText = Field(description="The button's text.")
    handler: Identifier = Field(description="The handler the tap is sent to.")
    data: Annotated[
        dict[str, Any] | None, NotNull(), Field(description="A JSON object sent with the event, as it is.")
    ] = None
    style: Literal["primary", "secondary", "danger"] = Field("secondary", description="The button's emphasis.")
    disabled: bool = Field(False, description="A disabled button is shown but sends nothing.")


class Input(ViewNode):
    """A field the user types into; its value travels with the enclosing form."""

    type: Literal["input"]
    name: Identifier = Field(description="The key of this input's value in events.")
    label: PlainText = Field(description="The field's label.")
    kind: Literal["text", "number", "email", "tel", "password", "multiline"] = Field(
        "text", description="What is typed: picks the keyboard and how the value is shown."
    )
    value: Annotated[PlainText | None, NotNull(), Field(description="The current value.")] = None
    placeholder: Annotated[PlainText | None, NotNull(), Field(description="Shown while the field is empty.")] = None
    handler: Annotated[
        Identifier | None, NotNull(), Field(description='Sent {"<name>": value} whenever the value changes.')
    ] = None


class Divider(ViewNode):
    """A horizontal rule."""

    type: Literal["divider"]


class Spacer(ViewNode):
    """Empty space that pushes its neighbours apart."""

    type: Literal["spacer"]


class Price(ViewNode):
    """An amount of money: integer minor units and an ISO 4217 currency."""

    type: Literal["price"]
    amount: Amount = Field(description="Minor units (cents, fen): 1250 with CNY is 12.50 CNY.")
    currency: CurrencyCode = Field(description="ISO 4217 code; it decides where the decimal point goes.")
    label: Annotated[PlainText | None, NotNull(), Field(description="What the amount is for.")] = None


class Qr(ViewNode):
    """A QR code the host draws from `text`."""

    type: Literal["qr"]
    text: Annotated[str, Field(min_length=1, max_length=MAX_QR_CHARS, description="The text the code carries.")]
    label: Annotated[PlainText | None, NotNull(), Field(description="A caption under the code.")] = None


class MapPin(ViewNode):
    """A place on a map (WGS-84 unless the host says otherwise)."""

    type: Literal["map_pin"]
    latitude: Latitude = Field(description="Degrees north, -90 to 90.")
    longitude: Longitude = Field(description="Degrees east, -180 to 180.")
    label: PlainText = Field(description="What is at the pin.")


class Column(ViewNode):
    """Children from top to bottom."""

    type: Literal["column"]
    children: list[Node] = Field(default_factory=list, description="The nodes inside, in order.")
    gap: Annotated[Gap | None, NotNull(), Field(description="Space between children (0 to 64).")] = None


class Row(ViewNode):
    """Children side by side."""

    type: Literal["row"]
    children: list[Node] = Field(default_factory=list, description="The nodes inside, in order.")
    gap: Annotated[Gap | None, NotNull(), Field(description="Space between children (0 to 64).")] = None


class Form(ViewNode):
    """Inputs submitted together: `handler` receives every input's value by name."""

    type: Literal["form"]
    handler: Identifier = Field(description='Sent {"<input name>": value, ...} on submit.')
    children: list[Node] = Field(default_factory=list, description="The nodes inside, in order.")
    submit_label: Annotated[PlainText | None, NotNull(), Field(description='The submit button\'s text (host default: "Submit").')] = None


class List(ViewNode):
    """Rows of nodes; tapping row i sends {"index": i} to `handler`."""

    type: Literal["list"]
    items: list[Node] = Field(default_factory=list, description="One node per row.")
    handler: Annotated[Identifier | None, NotNull(), Field(description='Sent {"index": i} when row i is tapped.')] = None


#: Any node but the page, chosen by its `type`.
Node = Annotated[
    Union[Text, Image, Button, Input, Form, Column, Row, List, Divider, Spacer, Price, Qr, MapPin],
    Field(discriminator="type"),
]


class Page(ViewNode):
    """The root of every view."""

    type: Literal["page"]
    title: PlainText = Field(description="The page's title, shown in the host's title bar.")
    name: Annotated[
        Identifier | None,
        NotNull(),
        Field(description="The manifest page this view belongs to; capsule_sdk fills it in. Events from the view go to it."),
    ] = None
    children: list[Node] = Field(default_factory=list, description="The nodes on the page, in order.")


for _model in (Column, Row, Form, List, Page):
    _model.model_rebuild()

#: Node type -> model, the page included.
NODE_MODELS: dict[str, type[ViewNode]] = {
    model.model_fields["type"].annotation.__args__[0]: model  # type: ignore[union-attr]
    for model in (Page, Text, Image, Button, Input, Form, Column, Row, List, Divider, Spacer, Price, Qr, MapPin)
}
#: Fields whose value is a list of nodes.
CONTAINER_FIELDS = ("children", "items")
