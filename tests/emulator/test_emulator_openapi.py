"""The OpenAPI document describes the served emulator: a property-based check.

Requests are generated from the document itself (valid bodies, mutated and arbitrary
ones, malformed JSON, parameters in and out of range, known and unknown ids, missing
keys). Every response's status must be documented for its operation, its body must
validate against the documented schema, and no request may yield a 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bytestack_sync import contract
from bytestack_sync.emulator.app import EmulatorApp, create_app
from bytestack_sync.emulator.control import CONTROL_PREFIX
from bytestack_sync.emulator.routing import API_PREFIX, ROUTES
from bytestack_sync.emulator.server import EmulatorServer

DOCUMENT_PATH = Path(__file__).resolve().parents[2] / "schemas" / "bytestack-api.openapi.yaml"
DOCUMENT: dict[str, Any] = yaml.safe_load(DOCUMENT_PATH.read_text(encoding="utf-8"))
COMPONENTS = DOCUMENT["components"]
KEY = "sk-openapi-check"
EXISTING = "<existing>"  # a path parameter replaced by a freshly created resource's id
MALFORMED = object()  # a body sent as bytes that are not JSON
METHODS = ("get", "post", "patch", "put", "delete")
OPERATIONS = [
    (path, method, operation)
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
    if method in METHODS
]


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        section, name = node["$ref"].removeprefix("#/components/").split("/")
        node = COMPONENTS[section][name]
    return node


def validate(instance: Any, schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator({**schema, "components": COMPONENTS}).validate(instance)


# --- strategies from schemas --------------------------------------------------------------
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 2000) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _string(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    low = schema.get("minLength", 0)
    generated = st.text(min_size=low, max_size=min(schema.get("maxLength", 30), low + 30))
    examples = schema.get("examples")
    return st.sampled_from(examples) | generated if examples else generated


def _object(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    properties = schema.get("properties", {})
    required = set(schema.get("required", ()))
    return st.fixed_dictionaries(
        {name: from_schema(sub) for name, sub in properties.items() if name in required},
        optional={
            name: from_schema(sub) for name, sub in properties.items() if name not in required
        },
    )


def from_schema(node: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values the schema allows (strings with ``examples`` also yield those examples)."""
    schema = resolve(node)
    for combinator in ("oneOf", "anyOf"):
        if combinator in schema:
            return st.one_of([from_schema(sub) for sub in schema[combinator]])
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([from_schema({**schema, "type": k}) for k in kind])
    if kind == "array":
        low = schema.get("minItems", 0)
        return st.lists(from_schema(schema["items"]), min_size=low, max_size=low + 3)
    simple: dict[Any, st.SearchStrategy[Any]] = {
        "null": st.none(),
        "boolean": st.booleans(),
        "integer": st.integers(schema.get("minimum", -(2**31)), schema.get("maximum", 2**31)),
        "string": _string(schema),
        "object": _object(schema),
    }
    return simple.get(kind, ANY_JSON)


def _mutated(body: Any) -> st.SearchStrategy[Any]:
    if not isinstance(body, dict) or not body:
        return ANY_JSON
    keys = sorted(body)
    dropped = st.sampled_from(keys).map(lambda k: {n: v for n, v in body.items() if n != k})
    retyped = st.tuples(st.sampled_from(keys), ANY_JSON).map(lambda kv: {**body, kv[0]: kv[1]})
    extra = st.tuples(st.text(min_size=1, max_size=8), ANY_JSON).map(
        lambda kv: {**body, **dict([kv])}
    )
    return dropped | retyped | extra


def body_strategy(operation: dict[str, Any]) -> st.SearchStrategy[Any]:
    if "requestBody" not in operation:
        return st.none()
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    valid = from_schema(schema)
    return st.one_of(valid, valid, valid.flatmap(_mutated), ANY_JSON, st.just(MALFORMED))


def _parameters(path: str, operation: dict[str, Any]) -> list[dict[str, Any]]:
    shared = DOCUMENT["paths"][path].get("parameters", [])
    return [resolve(p) for p in [*shared, *operation.get("parameters", [])]]


def params_strategy(path: str, operation: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for parameter in _parameters(path, operation):
        typed = from_schema(parameter["schema"]).map(str)
        if parameter["in"] == "path":
            fields[parameter["name"]] = (
                st.sampled_from([EXISTING] * 3) | typed | st.text(max_size=12)
            )
        else:
            fields[parameter["name"]] = st.none() | typed | st.text(max_size=8)
    return st.fixed_dictionaries(fields)


AUTH = st.sampled_from(["valid"] * 8 + ["missing", "malformed"])


# --- the served emulator ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def served() -> Iterator[tuple[EmulatorApp, httpx.Client]]:
    app = create_app(query_delay=0)  # queries complete at once, so result files exist
    with EmulatorServer(app) as server, httpx.Client(base_url=server.url) as client:
        client.headers["Authorization"] = f"Bearer {KEY}"
        yield app, client
    app.close()


def _fresh_id(client: httpx.Client, parameter: str) -> str:
    """Create a resource for a path parameter so the success responses are exercised."""
    if parameter == "job_id":
        body = {"name": "n", "prompt": "p", "sources": ["x"], "schedule": "0 8 * * *"}
        return str(client.post("/jobs", json=body).json()["id"])
    if parameter == "webhook_id":
        return str(client.post("/webhooks", json={"url": "https://h.example.com"}).json()["id"])
    return str(client.post("/queries", json={"prompt": "p", "sources": ["x"]}).json()["id"])


def _served_path(path: str) -> str:
    """Where the server answers a documented path: the control API's own (their
    path item names its server) beside the API's, which are under /v1."""
    return path if path.startswith(CONTROL_PREFIX + "/") else API_PREFIX + path


def send(
    client: httpx.Client, path: str, method: str, params: dict[str, Any], body: Any, auth: str
) -> httpx.Response:
    url, query = path, {}
    if ("/" + path).startswith(CONTROL_PREFIX + "/"):
        url = str(client.base_url.copy_with(path="/" + path))
    for name, value in params.items():
        if f"{{{name}}}" in url:
            value = _fresh_id(client, name) if value == EXISTING else value
            # "." and ".." would be normalised away by the client as path segments.
            segment = quote(value, safe="").replace(".", "%2E")
            url = url.replace(f"{{{name}}}", segment)
        elif value is not None:
            query[name] = value
    headers = {
        "Authorization": {"valid": f"Bearer {KEY}", "missing": "", "malformed": "Token x"}[auth]
    }
    if body is MALFORMED:
        return client.request(method, url, params=query, content=b"{not json", headers=headers)
    content = None if body is None and method in ("get", "delete") else body
    return client.request(method, url, params=query, json=content, headers=headers)


def check(operation: dict[str, Any], response: httpx.Response) -> None:
    status = str(response.status_code)
    assert status in operation["responses"], f"undocumented {status}: {response.text}"
    assert response.status_code != 500, response.text
    documented = resolve(operation["responses"][status])
    for name, header in documented.get("headers", {}).items():
        if header.get("required"):
            validate(int(response.headers[name]), header["schema"])
    content = documented.get("content")
    if content is None:
        assert response.content == b""
        return
    assert response.headers["content-type"] == "application/json"
    validate(response.json(), content["application/json"]["schema"])


@pytest.mark.parametrize(
    ("path", "method", "operation"), OPERATIONS, ids=[op["operationId"] for _, _, op in OPERATIONS]
)
def test_every_response_is_documented(
    served: tuple[EmulatorApp, httpx.Client], path: str, method: str, operation: dict[str, Any]
) -> None:
    _, client = served

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(params=params_strategy(path, operation), body=body_strategy(operation), auth=AUTH)
    def run(params: dict[str, Any], body: Any, auth: str) -> None:
        check(operation, send(client, path.lstrip("/"), method, params, body, auth))

    run()


def test_injected_faults_are_documented_too(job_body: dict[str, Any]) -> None:
    app = create_app(fail_rate=0.3, rate_limit=40, seed=11, query_delay=0)
    operation = DOCUMENT["paths"]["/jobs"]["post"]
    statuses = set()
    with EmulatorServer(app) as server, httpx.Client(base_url=server.url) as client:
        for _ in range(60):
            response = client.post("/jobs", json=job_body, headers={"Authorization": "Bearer f"})
            statuses.add(response.status_code)
            assert str(response.status_code) in operation["responses"]
            if response.status_code != 500:
                check(operation, response)
            else:
                validate(response.json(), COMPONENTS["schemas"]["Error"])
    app.close()
    assert {201, 500} <= statuses


# --- the document agrees with the contract and the routes -------------------------------------
def test_every_route_and_method_is_documented() -> None:
    documented = {
        (_served_path(path).replace("{job_id}", "{id}").replace("{webhook_id}", "{id}")
         .replace("{query_id}", "{id}"), method.upper())
        for path, method, _ in OPERATIONS
    }  # fmt: skip
    served = set()
    for route in ROUTES:
        template = (
            route.pattern.pattern.strip("^$").replace("([^/]+)", "{id}").replace("(.+)", "{key}")
        )
        served |= {(template, method) for method in route.handlers}
    assert documented == served


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (
            COMPONENTS["schemas"]["Error"]["properties"]["code"]["enum"],
            contract.ERROR_CODES.values(),
        ),
        (COMPONENTS["schemas"]["Sources"]["items"]["enum"], contract.KNOWN_SOURCES),
        (COMPONENTS["schemas"]["Events"]["items"]["enum"], contract.EVENT_TYPES),
        (COMPONENTS["schemas"]["Job"]["properties"]["status"]["enum"], contract.JOB_STATUSES),
        (
            COMPONENTS["schemas"]["Query"]["properties"]["status"]["enum"],
            (
                contract.QUERY_QUEUED,
                contract.QUERY_RUNNING,
                contract.QUERY_COMPLETED,
                contract.QUERY_FAILED,
            ),
        ),
        (COMPONENTS["schemas"]["JobUpdate"]["properties"], contract.JOB.updatable),
        (COMPONENTS["schemas"]["JobCreate"]["properties"], contract.JOB.create_fields),
    ],
)
def test_document_enumerations_match_the_contract(schema: Any, expected: Any) -> None:
    assert sorted(schema) == sorted(expected)


_JSON_TYPES = {
    contract.Type.TEXT: "string",
    contract.Type.TEXT_SET: "array",
    contract.Type.TIMESTAMP: "string",
    contract.Type.FLAG: "boolean",
}


def _json_type(node: dict[str, Any]) -> str:
    """The one non-null JSON type a property's schema allows."""
    schema = resolve(node)
    branches = [resolve(sub) for sub in schema.get("oneOf", [schema])]
    types = {b["type"] for b in branches if b.get("type") != "null"}
    assert len(types) == 1, schema
    return str(types.pop())


@pytest.mark.parametrize(
    ("resource", "shown", "created"),
    [(contract.JOB, "Job", "JobCreate"), (contract.WEBHOOK, "Webhook", "WebhookCreate")],
    ids=["job", "webhook"],
)
def test_document_resources_match_the_field_table(
    resource: contract.Resource, shown: str, created: str
) -> None:
    form, create = COMPONENTS["schemas"][shown], COMPONENTS["schemas"][created]
    assert sorted(form["properties"]) == sorted(resource.api_fields)
    assert sorted(form["required"]) == sorted(resource.api_fields)  # shown even when null
    assert sorted(create["properties"]) == sorted(resource.create_fields)
    needed = [
        f.name for f in resource.fields if f.on_create and not f.optional and f.api_default is None
    ]
    assert sorted(create["required"]) == sorted(needed)
    for name in resource.api_fields:
        assert _json_type(form["properties"][name]) == _JSON_TYPES[resource.field(name).type]
    nullable = {
        name
        for name, node in {**form["properties"], **create["properties"]}.items()
        if any(resolve(sub).get("type") == "null" for sub in resolve(node).get("oneOf", []))
    }
    # A field that may be null is optional in the table (not every optional one is null).
    assert nullable <= {f.name for f in resource.fields if f.optional or f.api_default is not None}


def test_document_limits_match_the_contract() -> None:
    limit = COMPONENTS["parameters"]["Limit"]["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (
        contract.PAGE_LIMIT_MIN, contract.PAGE_LIMIT_MAX, contract.PAGE_LIMIT_DEFAULT,
    )  # fmt: skip
    name, prompt = COMPONENTS["schemas"]["Name"], COMPONENTS["schemas"]["Prompt"]
    assert (name["minLength"], name["maxLength"]) == (contract.NAME_MIN, contract.NAME_MAX)
    assert (prompt["minLength"], prompt["maxLength"]) == (contract.PROMPT_MIN, contract.PROMPT_MAX)
    assert f"{{{contract.ID_BODY_LENGTH}}}" in COMPONENTS["schemas"]["JobId"]["pattern"]
