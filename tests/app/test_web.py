from sqlalchemy.ext.asyncio import create_async_engine

from app.db.engine import Database


class TestHealth:
    async def test_healthy_when_the_database_answers(self, client):
        response = await client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok"}

    async def test_503_when_the_database_is_down(self, settings):
        import httpx

        from app.main import create_app

        dead = create_async_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
        app = create_app(settings, database=Database(dead, None))  # type: ignore[arg-type]
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            response = await c.get("/healthz")
        await dead.dispose()
        assert response.status_code == 503
        assert response.json()["database"] == "unavailable"


class TestErrors:
    async def test_api_errors_are_json_with_code_and_message(self, client):
        response = await client.get("/api/v1/does-not-exist")
        assert response.status_code == 404
        assert set(response.json()) >= {"code", "message"}

    async def test_console_errors_are_friendly_pages_in_chinese(self, client):
        response = await client.get("/console/no-such-page")
        assert response.status_code == 404
        assert "找不到该页面" in response.text
        assert "application/json" not in response.headers["content-type"]

    async def test_every_response_carries_a_request_id(self, client):
        response = await client.get("/healthz")
        assert len(response.headers["x-request-id"]) >= 8

    async def test_a_sane_incoming_request_id_is_kept(self, client):
        response = await client.get("/", headers={"X-Request-ID": "trace-12345678"})
        assert response.headers["x-request-id"] == "trace-12345678"


class TestSchema:
    async def test_openapi_json_is_published(self, client):
        response = await client.get("/schema/openapi.json")
        assert response.status_code == 200
        assert response.json()["info"]["title"] == "Zhilv API"


class TestProxyHeaders:
    async def _client_ip_seen(self, settings, database, trusted: str) -> str:
        import httpx

        from app.main import create_app

        settings = settings.model_copy(update={"forwarded_allow_ips": trusted})
        app = create_app(settings, database=database)
        seen: list[str] = []

        from litestar import Request, get

        @get("/_probe", opt={"access": "public"})
        async def probe(request: Request) -> str:
            seen.append(request.client.host if request.client else "")
            return "ok"

        app.register(probe)
        transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            await c.get("/_probe", headers={"X-Forwarded-For": "198.51.100.7"})
        return seen[0]

    async def test_forwarded_for_is_believed_from_a_trusted_proxy(self, settings, database):
        assert await self._client_ip_seen(settings, database, "10.0.0.0/8") == "198.51.100.7"

    async def test_forwarded_for_is_ignored_from_anyone_else(self, settings, database):
        assert await self._client_ip_seen(settings, database, "") == "10.1.2.3"
        assert await self._client_ip_seen(settings, database, "192.0.2.1") == "10.1.2.3"
