"""The same bureau in-process, as an ASGI app (for unit tests that want no subprocess)."""

from __future__ import annotations

import httpx
import pytest

from devtools.bureau.asgi import AnswerDropped, create_app
from tests.bureau_sim.conftest import CODE, SECRET, Filer, encode
from tests.bureau_sim.payloads import statistics


async def test_in_process_bureau_files_replays_and_drops():
    transport = httpx.ASGITransport(app=create_app())
    signer = Filer("http://bureau.test")
    async with httpx.AsyncClient(transport=transport, base_url="http://bureau.test") as client:
        await client.post(
            "/_sim/enterprises", json={"enterprise_code": CODE, "filing_secret": SECRET}
        )
        body = encode(statistics())

        async def post() -> httpx.Response:
            headers = {
                **signer.headers("POST", "/v1/statistics?x=1", body),
                "Idempotency-Key": "k",
                "Content-Type": "application/json",
            }
            return await client.post("/v1/statistics?x=1", content=body, headers=headers)

        first = await post()
        assert first.status_code == 201
        assert (await post()).content == first.content
        await client.post("/_sim/faults", json={"drop_next": 1})
        with pytest.raises(AnswerDropped):
            await post()
        assert (await client.get("/_sim/stats")).json()["replayed"] == 2
    signer.http.close()
