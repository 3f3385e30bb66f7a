"""The desktop's answer models checked against the server's OpenAPI document, field by field.

``problems(document, OPERATIONS)`` lists, in words, everything the desktop reads that the
document does not promise; an empty list means every answer model fits. For each operation of
``counter_app.core.api.OPERATIONS``: the path and method exist, the status read is among the
answers, and each field of the model (``counter_app.core.answers``), nested models included:

* is a property of the server's answer;
* is required there, unless the model gives it a default;
* may be null there only if the model allows None;
* has a compatible type: text, whole number, number, true/false, date, moment (date-time), list,
  mapping, nested object; for an enumeration, the server's values and the model's are the same
  set (a value the model lacks fails parsing at a desk; one the server lacks is a rename).

Pure: it reads a document (a dict), so a test can hand it a copy with one field renamed.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from counter_app.core.api import Operation

Schema = Mapping[str, Any]


def problems(document: Schema, operations: Mapping[str, Operation]) -> list[str]:
    found: list[str] = []
    for name, operation in operations.items():
        found.extend(_operation_problems(document, name, operation))
    return found


def _operation_problems(document: Schema, name: str, operation: Operation) -> list[str]:
    where = f"{name} ({operation.method} {operation.path})"
    path_item = document.get("paths", {}).get(f"/api/v1{operation.path}")
    if path_item is None:
        return [f"{where}: the server has no such path"]
    described = path_item.get(operation.method.lower())
    if described is None:
        return [f"{where}: the server has no {operation.method} there"]
    response = described.get("responses", {}).get(str(operation.status))
    if response is None:
        return [f"{where}: the server never answers {operation.status}"]
    if operation.answer is None:
        return []
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return [f"{where}: the server's {operation.status} answer has no JSON body"]
    schema = _resolve(document, schema)
    if operation.many:
        if schema.get("type") != "array":
            return [f"{where}: a list expected, the server answers {_kind(schema)}"]
        schema = _resolve(document, schema.get("items", {}))
    return _model_problems(document, operation.answer, schema, where)


def _model_problems(
    document: Schema, model: type[BaseModel], schema: Schema, where: str
) -> list[str]:
    schema = _resolve(document, schema)
    properties = schema.get("properties")
    if schema.get("type") != "object" or not isinstance(properties, Mapping):
        return [f"{where}: {model.__name__} expected, the server answers {_kind(schema)}"]
    required = set(schema.get("required", ()))
    found: list[str] = []
    for field_name, field in model.model_fields.items():
        at = f"{where}: {model.__name__}.{field_name}"
        if field_name not in properties:
            found.append(f"{at} is not in the server's answer")
            continue
        if field.is_required() and field_name not in required:
            found.append(f"{at} is required here, but the server may leave it out")
        assert field.annotation is not None
        found.extend(_type_problems(document, field.annotation, properties[field_name], at))
    return found


def _type_problems(document: Schema, annotation: Any, schema: Schema, at: str) -> list[str]:
    schema = _resolve(document, schema)
    wanted, allows_none = _without_none(annotation)
    branches = _branches(document, schema)
    nullable = any(b.get("type") == "null" for b in branches)
    values = [b for b in branches if b.get("type") != "null"]
    found: list[str] = []
    if nullable and not allows_none:
        found.append(f"{at}: the server may send null, the model does not allow it")
    if len(values) != 1:
        if values or not nullable:
            found.append(f"{at}: the server answers one of several types ({_kind(schema)})")
        return found
    found.extend(_value_problems(document, wanted, values[0], at))
    return found


def _value_problems(document: Schema, wanted: Any, schema: Schema, at: str) -> list[str]:
    kind = schema.get("type")
    origin, args = typing.get_origin(wanted), typing.get_args(wanted)
    if isinstance(wanted, type) and issubclass(wanted, enum.Enum):
        server = schema.get("enum")
        if server is None:
            return [f"{at}: the model expects {wanted.__name__}, the server names no values"]
        ours = {member.value for member in wanted}
        found = []
        if missing := sorted(set(server) - ours):
            found.append(f"{at}: the server may send {missing}, unknown to {wanted.__name__}")
        if stale := sorted(ours - set(server)):
            found.append(f"{at}: {wanted.__name__} has {stale}, which the server never sends")
        return found
    if isinstance(wanted, type) and issubclass(wanted, BaseModel):
        return _model_problems(document, wanted, schema, at)
    if origin in (list, tuple):
        if kind != "array":
            return [f"{at}: a list expected, the server answers {_kind(schema)}"]
        item = args[0] if args else Any
        return _type_problems(document, item, schema.get("items", {}), f"{at}[]")
    if origin in (dict, Mapping):
        extra = schema.get("additionalProperties")
        if kind != "object" or not isinstance(extra, Mapping):
            return [f"{at}: a mapping expected, the server answers {_kind(schema)}"]
        return _type_problems(document, args[1], extra, f"{at}{{}}")
    expected = {
        str: ("string", None),
        bool: ("boolean", None),
        int: ("integer", None),
        datetime: ("string", "date-time"),
        date: ("string", "date"),
    }
    if wanted is float:
        if kind in ("number", "integer"):
            return []
        return [f"{at}: a number expected, the server answers {_kind(schema)}"]
    if wanted not in expected:
        return [f"{at}: the check does not know the model's type {wanted!r}"]
    json_type, json_format = expected[wanted]
    if kind != json_type or (json_format is not None and schema.get("format") != json_format):
        return [
            f"{at}: {_kind({'type': json_type, 'format': json_format})} expected, the server "
            f"answers {_kind(schema)}"
        ]
    return []


def _resolve(document: Schema, schema: Schema) -> Schema:
    """``schema`` with its ``$ref`` (and a lone ``allOf``) followed."""
    while True:
        if "$ref" in schema:
            target: Any = document
            for part in str(schema["$ref"]).removeprefix("#/").split("/"):
                target = target[part]
            schema = target
        elif "allOf" in schema and len(schema["allOf"]) == 1:
            schema = schema["allOf"][0]
        else:
            return schema


def _branches(document: Schema, schema: Schema) -> list[Schema]:
    """The alternatives of ``anyOf``/``oneOf``, or of a list of types (OpenAPI 3.1)."""
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return [_resolve(document, b) for b in schema[key]]
    kind = schema.get("type")
    if isinstance(kind, list):
        return [{**schema, "type": k} for k in kind]
    return [schema]


def _without_none(annotation: Any) -> tuple[Any, bool]:
    """(the annotation without ``None``, whether it allowed ``None``)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        allows = len(args) != len(typing.get_args(annotation))
        if len(args) == 1:
            return args[0], allows
        return typing.Union[tuple(args)], allows  # noqa: UP007
    return annotation, False


def _kind(schema: Schema) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    kind = schema.get("type")
    if kind is None:
        if "anyOf" in schema or "oneOf" in schema:
            return " or ".join(_kind(b) for b in schema.get("anyOf", schema.get("oneOf", [])))
        return "anything"
    if schema.get("format"):
        return f"{kind} ({schema['format']})"
    if kind == "object" and "properties" not in schema:
        return "an object of any shape"
    return str(kind)
