"""A JSON body nested past MAX_NESTING is refused before the decoder recurses toward the interpreter's
limit; brackets inside strings do not count, and anything within the limit decodes as before."""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.api import validation
from chalicelib.api.validation import MAX_NESTING, load_json
from chalicelib.errors import BadRequest
from tests.examples import examples


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_a_body_one_level_too_deep_never_reaches_the_decoder(monkeypatch):
    def decoder_must_not_run(_text):
        raise AssertionError("decoded")

    monkeypatch.setattr(validation.json, "loads", decoder_must_not_run)
    with pytest.raises(BadRequest) as refused:
        load_json(nested(MAX_NESTING + 1))
    assert refused.value.code == "invalid_json" and "aninhamento" in refused.value.message


def test_brackets_inside_strings_do_not_count():
    text = json.dumps({"note": "[" * 500 + "{" * 500 + '\\"' + "]" * 10})
    assert load_json(text.encode())["note"].startswith("[[[")


@settings(max_examples=examples(50))
@given(depth=st.integers(min_value=1, max_value=MAX_NESTING), key=st.text(max_size=5))
def test_within_the_limit_the_body_decodes_as_json_does(depth, key):
    body = json.dumps(json.loads(nested(depth)) if not key else {key: json.loads(nested(depth - 1 or 1))})
    assert load_json(body.encode()) == json.loads(body)
