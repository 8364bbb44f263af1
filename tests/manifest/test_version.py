"""Semantic versions: strict parsing and semver precedence."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from capsule.runtime.manifest import Version


@pytest.mark.parametrize("text", ["0.1.0", "1.0.0", "10.20.30", "1.0.0-alpha", "1.0.0-0.3.7", "1.0.0-x.7.z.92", "1.0.0+20130313144700", "1.0.0-beta+exp.sha.5114f85"])
def test_valid_versions_round_trip(text: str):
    assert str(Version.parse(text)) == text


@pytest.mark.parametrize("text", ["1", "1.0", "v1.0.0", "01.0.0", "1.02.0", "1.0.0-", "1.0.0-01", "1.0.0+", "1.0.0-a..b", " 1.0.0", "1.0.0\n", "1.0.0.0", "١.0.0"])
def test_invalid_versions_are_refused_with_the_rule(text: str):
    with pytest.raises(ValueError, match="semantic version"):
        Version.parse(text)


def test_precedence_follows_semver():
    ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0"]
    versions = [Version.parse(text) for text in ordered]
    assert sorted(reversed(versions)) == versions
    assert all(a < b for a, b in zip(versions, versions[1:]))


def test_build_metadata_is_ignored_when_comparing():
    assert Version.parse("1.0.0+a") == Version.parse("1.0.0+b")
    assert hash(Version.parse("1.0.0+a")) == hash(Version.parse("1.0.0"))
    assert Version.parse("0.2.0") >= Version.parse("0.1.0")


def test_version_in_a_model_is_text_in_json():
    class Holder(BaseModel):
        version: Version

    holder = Holder.model_validate_json('{"version": "2.0.0-rc.1"}')
    assert holder.version == Version(2, 0, 0, ("rc", "1"))
    assert Holder.model_validate({"version": Version(1, 0, 0)}).version == Version(1, 0, 0)
    assert holder.model_dump(mode="json") == {"version": "2.0.0-rc.1"}
    assert Holder.model_json_schema()["properties"]["version"]["type"] == "string"
