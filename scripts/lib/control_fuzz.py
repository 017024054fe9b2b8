#!/usr/bin/env python3
"""Control-character fuzz over every operation of the gateway's /openapi.json.

Schemathesis rarely puts NUL or other control characters where they hurt
(a filter, a name, a nested JSON key), so this pass does only that: for each
operation, for each query/path parameter and each string property of a JSON
body (at any depth the schema names, plus an extra key), it sends values
holding control characters, chosen by a seeded generator, and fails on any
5xx. Usage: control_fuzz.py BASE_URL TOKEN [ROUNDS] [SEED]
"""
import json
import random
import sys
import urllib.error
import urllib.parse
import urllib.request

CONTROLS = [chr(c) for c in range(0x20)] + ["\x7f"]
SKIP = ("/evaluate", "/deploy")


def hostile(rng):
    """A string with 1-3 control characters (NUL half the time) among letters."""
    parts = [rng.choice("abcxyz") for _ in range(rng.randint(0, 4))]
    for _ in range(rng.randint(1, 3)):
        parts.insert(rng.randint(0, len(parts)), "\x00" if rng.random() < 0.5 else rng.choice(CONTROLS))
    return "".join(parts)


def resolve(schema, spec):
    while isinstance(schema, dict) and "$ref" in schema:
        node = spec
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema or {}


def sample(schema, spec, rng, depth=0):
    """A plausible value of the schema: strings are where the hostile text goes."""
    schema = resolve(schema, spec)
    kind = schema.get("type")
    if "enum" in schema:
        return rng.choice(schema["enum"])
    if kind == "object" or "properties" in schema:
        out = {}
        for name, sub in (schema.get("properties") or {}).items():
            if depth < 3:
                out[name] = sample(sub, spec, rng, depth + 1)
        return out
    if kind == "array":
        return [sample(schema.get("items", {}), spec, rng, depth + 1)]
    if kind == "integer":
        return rng.randint(1, 5)
    if kind == "number":
        return 0.5
    if kind == "boolean":
        return True
    return "value"


def string_paths(value, path=()):
    """Every path to a string in a sampled body."""
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for key, sub in value.items():
            yield from string_paths(sub, path + (key,))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from string_paths(sub, path + (index,))


def with_value(value, path, new):
    if not path:
        return new
    copy = json.loads(json.dumps(value))
    node = copy
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = new
    return copy


def send(base, token, method, path, query, body):
    url = base + path + ("?" + urllib.parse.urlencode(query) if query else "")
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method.upper())
    request.add_header("Authorization", "Bearer " + token)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(2000)
    except urllib.error.HTTPError as error:
        return error.code, error.read(2000)


def main():
    base, token = sys.argv[1].rstrip("/"), sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 20261206)
    with urllib.request.urlopen(base + "/openapi.json", timeout=30) as response:
        spec = json.load(response)
    sent, failures, codes = 0, [], {}
    for route, operations in spec["paths"].items():
        if route.endswith(SKIP):
            continue
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            params = [resolve(p, spec) for p in operation.get("parameters", [])]
            body_schema = (((operation.get("requestBody") or {}).get("content") or {}).get("application/json") or {}).get("schema")
            base_body = sample(body_schema, spec, rng) if body_schema is not None else None
            targets = [("param", p) for p in params if p.get("in") in ("query", "path")]
            if isinstance(base_body, dict):
                targets += [("body", p) for p in string_paths(base_body)] + [("key", ())]
            for kind, target in targets:
                for _ in range(rounds):
                    path_values = {p["name"]: "1" for p in params if p.get("in") == "path"}
                    query, body = {}, base_body
                    text = hostile(rng)
                    if kind == "param":
                        (path_values if target["in"] == "path" else query)[target["name"]] = text
                    elif kind == "body":
                        body = with_value(base_body, target, text)
                    else:
                        body = dict(base_body, **{text: "value"})
                    concrete = route
                    for name, value in path_values.items():
                        concrete = concrete.replace("{" + name + "}", urllib.parse.quote(value, safe=""))
                    status, answer = send(base, token, method, concrete, query, body)
                    sent += 1
                    codes[status] = codes.get(status, 0) + 1
                    if status >= 500:
                        failures.append(f"{method.upper()} {route} {kind} {target if kind != 'param' else target['name']!r} "
                                        f"value={text!r}: {status} {answer[:300]!r}")
    print(f"control fuzz: {sent} requests over {len(spec['paths'])} paths, status counts {dict(sorted(codes.items()))}")
    for failure in failures[:30]:
        print("  5xx:", failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
