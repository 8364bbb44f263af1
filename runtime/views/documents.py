"""What Capsule's JSON documents (views and manifests) share.

The schema generator, the markers that keep pydantic and the published schema
in agreement, plain-word descriptions of patterns, and the helpers messages
use. It lives in `views` because that package imports nothing else of the
runtime, so the manifest, the capability sections and the views can all
import it without a cycle.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler, StringConstraints
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

DRAFT = "https://json-schema.org/draft/2020-12/schema"


class CapsuleJsonSchema(GenerateJsonSchema):
    """pydantic's generator, adjusted so the schema says what the models mean.

    - A field that may be left out but not set to null has a `None` default
      in Python; `"default": null` in the schema would suggest null is fine.
    - Field titles repeat the field names; the descriptions say more.
    - A dict with constrained keys becomes `propertyNames` plus
      `additionalProperties`: pydantic's `patternProperties` would let keys
      that miss the pattern through unchecked.
    - A union told apart by a tag (`type`) becomes one `if`/`then` per tag.
      A plain `oneOf` makes validators try every branch, and every branch
      descends into the children, so checking nested views took time
      exponential in their depth; `discriminator` is an OpenAPI keyword
      that JSON Schema validators ignore.
    """

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        if schema.get("default", ...) is None:
            return self.generate_inner(schema["schema"])
        return super().default_schema(schema)

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def tagged_union_schema(self, schema: core_schema.TaggedUnionSchema) -> JsonSchemaValue:
        json_schema = super().tagged_union_schema(schema)
        discriminator = json_schema.pop("discriminator", None)
        if not discriminator or "mapping" not in discriminator:
            return json_schema
        tag, mapping = discriminator["propertyName"], discriminator["mapping"]
        return {
            "type": "object",
            "required": [tag],
            "properties": {tag: {"enum": sorted(mapping)}},
            "allOf": [
                {"if": {"properties": {tag: {"const": value}}}, "then": {"$ref": ref}}
                for value, ref in sorted(mapping.items())
            ],
        }

    def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
        json_schema = super().dict_schema(schema)
        patterns = json_schema.pop("patternProperties", None)
        if patterns:
            ((pattern, values),) = patterns.items()
            json_schema["propertyNames"] = {**json_schema.get("propertyNames", {}), "pattern": pattern}
            json_schema["additionalProperties"] = values
        return json_schema


@dataclass(frozen=True)
class NotNull:
    """Marks an `X | None = None` field whose key may be left out but not be null.

    Defaults are not validated, so `None` still means "absent" in Python, while
    an explicit JSON null is refused by pydantic and by the schema alike.
    """

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        schema = handler(source)
        return schema["schema"] if schema["type"] == "nullable" else schema


@dataclass(frozen=True)
class UniqueItems:
    """A list in which no item appears twice (`uniqueItems` in the schema)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(_refuse_duplicates, handler(source))

    def __get_pydantic_json_schema__(self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {**handler(schema), "uniqueItems": True}


def _refuse_duplicates(items: list[Any]) -> list[Any]:
    for index, item in enumerate(items):
        if item in items[:index]:
            # `at` extends the error's location down to the repeated item.
            raise PydanticCustomError(
                "duplicate_item",
                "expected each item once; {item} is already item {first}",
                {"item": json.dumps(item, ensure_ascii=False), "first": items.index(item), "at": f"/{index}"},
            )
    return items


#: Regular expression -> what it accepts, in plain words (for error messages).
_PATTERN_WORDS: dict[str, str] = {}


def text_pattern(regex: str, words: str, **constraints: Any) -> StringConstraints:
    """String constraints with `regex`, remembering `words` for error messages.

    Keep `regex` portable: no lookaround, so pydantic's Rust engine, Python's
    `re` (jsonschema) and JavaScript validators all read it the same way.
    """
    _PATTERN_WORDS[regex] = words
    return StringConstraints(pattern=regex, **constraints)


def pattern_words(regex: str) -> str:
    """What `regex` accepts, in plain words (the regex itself if unknown)."""
    return _PATTERN_WORDS.get(regex) or f"text matching the pattern {regex}"


#: How much of an offending value a message quotes.
QUOTE_CHARS = 60


def json_pointer(path: Any) -> str:
    """RFC 6901 pointer for a path of keys and indexes ("" is the whole document)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def describe_value(value: Any) -> str:
    """A short rendering of an offending value for an error message."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'' if len(value) == 1 else 's'}"
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("utf-8", "replace")
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 4] + '..."'


def publish(schema: dict[str, Any], *, schema_id: str, title: str, description: str) -> dict[str, Any]:
    """Put the draft, the id, a title and a description in front of `schema`."""
    schema = dict(schema)
    schema.pop("title", None)
    schema.pop("description", None)
    return {"$schema": DRAFT, "$id": schema_id, "title": title, "description": description, **schema}
