"""Schemathesis over the distribution API's own operations with a key a distributor really
holds (the suite-wide run uses a key no distributor holds, which stops at 403): generated
bodies, queries and headers reach the booking service, and none answers a server error."""

from __future__ import annotations

from schemathesis.checks import not_a_server_error

from tests.modules.distribution.test_api import _ota
from tests.test_schemathesis import BASE_URL, generated_cases

API = "/api/v1/distribution"


async def test_generated_requests_get_no_server_error(app, client, db):
    ota = await _ota(db)
    raw = (await client.get("/schema/openapi.json")).json()
    raw["paths"] = {p: ops for p, ops in raw["paths"].items() if p.startswith(API)}
    cases = generated_cases(raw)
    assert len(cases) > 20
    failures = []
    for case in cases:
        kwargs = case.as_transport_kwargs(base_url=BASE_URL)
        headers = {
            k: v for k, v in (kwargs.get("headers") or {}).items() if k.lower() != "authorization"
        }
        kwargs["headers"] = {**headers, **ota.headers}
        kwargs.pop("cookies", None)
        async with db.begin_nested():  # each request's refusal rolls back on its own
            response = await client.request(**kwargs)
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except Exception as problem:
            failures.append(f"{case.method} {case.formatted_path}: {problem}")
    assert not failures, "\n".join(failures[:20])
