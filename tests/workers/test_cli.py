"""`zhilv worker`, the task registry and the worker's connection settings."""

from __future__ import annotations

import re

from click.testing import CliRunner
from psycopg.conninfo import conninfo_to_dict

from app.cli import main
from workers.app import build_app, connector

TASK_NAME = re.compile(r"^[a-z_]+\.[a-z_]+$")


class TestCommand:
    def test_worker_command_is_part_of_zhilv(self):
        result = CliRunner().invoke(main, ["worker", "--help"])
        assert result.exit_code == 0
        assert "--concurrency" in result.output and "--queue" in result.output


class TestConnection:
    def test_unix_socket_url_of_the_embedded_server_works_for_psycopg(self):
        pool_args = connector(
            "postgresql+asyncpg://zhilv_app@/zhilv?host=/srv/zhilv/run"
        )._pool_args
        parsed = conninfo_to_dict(pool_args["conninfo"])
        assert parsed == {"user": "zhilv_app", "dbname": "zhilv", "host": "/srv/zhilv/run"}

    def test_tcp_url_with_a_password_keeps_it(self):
        pool_args = connector("postgresql://zhilv_app:p%40ss@db.internal:6432/zhilv")._pool_args
        parsed = conninfo_to_dict(pool_args["conninfo"])
        assert parsed["password"] == "p@ss" and parsed["port"] == "6432"


class TestRegistry:
    def test_every_package_task_is_registered_under_its_module_verb_name(self):
        names = {
            n
            for n in build_app("postgresql://u@/db").tasks
            if not n.startswith(("builtin:", "procrastinate."))
        }
        assert {
            "notifications.send",
            "notifications.mark_stuck",
            "tenants.purge_expired",
            "jobs.retry_stalled",
            "jobs.remove_old",
        } <= names
        assert all(TASK_NAME.match(n) for n in names), names

    def test_send_retries_with_exponential_backoff(self):
        send = build_app("postgresql://u@/db").tasks["notifications.send"]
        strategy = send.retry_strategy
        assert strategy is not None and strategy.max_attempts == 6
        assert [strategy.delay(n) for n in range(3)] == [3, 9, 27]
