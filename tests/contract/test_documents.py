"""The committed OpenAPI documents say what the code does, precisely enough for a generated client.

`make openapi-check` keeps the documents equal to the code; these tests keep them precise: response bodies are
typed (no `additionalProperties: true`), an enum that may be null lists its null, and every extension member a
service puts in a problem (`extra=` or `invalid_params=` where it raises) is described in the problem schema of a
response with that status.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from meldroute_common import problems

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake-api", "privacy-gateway")

#: Free-form by design: the detail of a history entry and of a verwerkingenlog row differ per kind of entry.
VRIJ = {
    ("intake-api", "HistorieRegel.details"),
    ("privacy-gateway", "VerwerkingUit.detail"),
}


def _document(service: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((ROOT / "openapi" / f"{service}.json").read_text(encoding="utf-8"))
    return document


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    ref = schema.get("$ref")
    if not isinstance(ref, str):
        return None, schema
    naam = ref.rsplit("/", 1)[-1]
    return naam, document["components"]["schemas"][naam]


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def _open_objects(document: dict[str, Any], schema: Any, where: str, seen: set[str]) -> Iterator[str]:
    """Every place below `schema` that allows any member (`additionalProperties: true`), references followed."""
    if isinstance(schema, list):
        for item in schema:
            yield from _open_objects(document, item, where, seen)
        return
    if not isinstance(schema, dict):
        return
    naam, resolved = _resolve(document, schema)
    if naam is not None:
        if naam in seen:
            return
        seen.add(naam)
        where = naam
    if resolved.get("additionalProperties") is True:
        yield where
    for key, value in resolved.items():
        if key == "properties" and isinstance(value, dict):
            for prop, sub in value.items():
                yield from _open_objects(document, sub, f"{where}.{prop}", seen)
        elif key in {"items", "anyOf", "oneOf", "allOf", "additionalProperties", "prefixItems"}:
            yield from _open_objects(document, value, where, seen)


def _nullable_enums_without_null(schema: Any, where: str = "") -> Iterator[str]:
    """Places where a value may be null but an enum beside it (or on the same node) leaves null out."""
    if isinstance(schema, list):
        for i, item in enumerate(schema):
            yield from _nullable_enums_without_null(item, f"{where}[{i}]")
        return
    if not isinstance(schema, dict):
        return
    nullable = schema.get("type") == "null" or (
        isinstance(schema.get("type"), list) and "null" in schema["type"]
    )
    nullable = nullable or any(
        isinstance(branch, dict) and branch.get("type") == "null" for branch in schema.get("anyOf", [])
    )
    if nullable and "enum" in schema and None not in schema["enum"]:
        yield where
    for key, value in schema.items():
        if key not in {"examples", "example", "default", "enum", "const"}:
            yield from _nullable_enums_without_null(value, f"{where}/{key}")


def _status_of(node: ast.ClassDef) -> int | None:
    """The `status` a class body sets: `status = 428`, `status: ClassVar[int] = 428` or `status, slug, ... = 428, ...`."""
    for statement in node.body:
        pairs: list[tuple[ast.expr, ast.expr | None]]
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            pairs = [(statement.target, statement.value)]
        elif isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Tuple):
            values = statement.value.elts if isinstance(statement.value, ast.Tuple) else []
            pairs = list(zip(statement.targets[0].elts, values, strict=False))
        elif isinstance(statement, ast.Assign):
            pairs = [(target, statement.value) for target in statement.targets]
        else:
            continue
        for target, value in pairs:
            if isinstance(target, ast.Name) and target.id == "status" and isinstance(value, ast.Constant):
                return value.value if isinstance(value.value, int) else None
    return None


def _problem_classes(trees: list[ast.Module]) -> dict[str, int]:
    """Problem subclasses by name with their status: the library's, and those the service defines itself."""
    classes = {
        naam: cls.status
        for naam, cls in vars(problems).items()
        if isinstance(cls, type) and issubclass(cls, problems.Problem)
    }
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                basis = {b.id for b in node.bases if isinstance(b, ast.Name)}
                status = _status_of(node)
                if basis & set(classes) and status is not None:
                    classes[node.name] = status
    return classes


def raised_extensions(service: str) -> set[tuple[int, str]]:
    """(status, member) for every extension member the service's code puts into a problem it raises.

    Reads the source: a problem class called with `extra={...}` (literal keys) or `invalid_params=`."""
    paths = sorted((ROOT / "services" / service / "src").glob("**/*.py"))
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in paths}
    classes = _problem_classes(list(trees.values()))
    found: set[tuple[int, str]] = set()
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in classes
            ):
                continue
            status = classes[node.func.id]
            for keyword in node.keywords:
                if keyword.arg == "invalid_params":
                    found.add((status, "invalidParams"))
                elif keyword.arg == "extra":
                    assert isinstance(keyword.value, ast.Dict), f"{path.name}: extra= must be a literal dict"
                    for key in keyword.value.keys:
                        assert isinstance(key, ast.Constant), f"{path.name}: extra= keys must be literals"
                        found.add((status, str(key.value)))
    return found


def described_extensions(document: dict[str, Any]) -> set[tuple[int, str]]:
    """(status, member) for every member of a problem schema some response with that status declares."""
    basis = set(document["components"]["schemas"]["ProblemDetails"]["properties"])
    found: set[tuple[int, str]] = set()
    for _, _, operation in _operations(document):
        for code, response in operation["responses"].items():
            for media, content in response.get("content", {}).items():
                if media == problems.PROBLEM_JSON:
                    _, schema = _resolve(document, content["schema"])
                    found |= {(int(code), member) for member in set(schema.get("properties", {})) - basis}
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_response_bodies_are_typed(service: str) -> None:
    document = _document(service)
    open_places = set()
    for path, method, operation in _operations(document):
        for code, response in operation["responses"].items():
            for content in response.get("content", {}).values():
                for where in _open_objects(
                    document, content.get("schema", {}), f"{method} {path} {code}", set()
                ):
                    if (service, where) not in VRIJ:
                        open_places.add(where)
    assert not open_places, f"untyped response members: {sorted(open_places)}"


@pytest.mark.parametrize("service", SERVICES)
def test_nullable_enums_list_their_null(service: str) -> None:
    assert not list(_nullable_enums_without_null(_document(service)))


@pytest.mark.parametrize("service", SERVICES)
def test_every_raised_problem_extension_is_described(service: str) -> None:
    raised = raised_extensions(service)
    assert raised, "the scan found no problem extensions at all: it no longer sees the code"
    missing = raised - described_extensions(_document(service))
    assert not missing, f"problem members raised but not described (status, member): {sorted(missing)}"


@pytest.mark.parametrize("service", SERVICES)
def test_every_400_describes_invalid_params(service: str) -> None:
    """Any operation with input can answer a validation 400, so each 400 names `invalidParams`."""
    document = _document(service)
    for path, method, operation in _operations(document):
        response = operation["responses"].get("400")
        assert response is not None, f"{method} {path}"
        _, schema = _resolve(document, response["content"][problems.PROBLEM_JSON]["schema"])
        assert "invalidParams" in schema["properties"], f"{method} {path}"


def test_the_checks_can_fail() -> None:
    """The checks find what they look for (a document without these faults passes for the right reason)."""
    document = {
        "components": {"schemas": {"Los": {"type": "object", "additionalProperties": True}}},
    }
    assert list(_open_objects(document, {"$ref": "#/components/schemas/Los"}, "x", set())) == ["Los"]
    fout = {"anyOf": [{"type": "string"}, {"type": "null"}], "enum": ["a", "b"]}
    goed = {"anyOf": [{"type": "string", "enum": ["a", "b"]}, {"type": "null"}]}
    assert list(_nullable_enums_without_null(fout)) == [""]
    assert not list(_nullable_enums_without_null(goed))
    assert (409, "huidigeStatus") in raised_extensions("intake-api")
    assert (403, "reden") in raised_extensions("privacy-gateway")
    klasse = ast.parse("class Nodig(Problem):\n    status: ClassVar[int] = 428\n")
    assert _problem_classes([klasse])["Nodig"] == 428
