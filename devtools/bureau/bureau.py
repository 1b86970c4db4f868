"""The bureau's side of PROTOCOL.md, independent of any HTTP server.

`Bureau.handle` takes a request as it came over the wire (method, request-target exactly
as sent, headers, raw body) and returns the answer, plus whether to delay it or drop the
connection instead of answering. Handling is synchronous and runs on one event loop, so
"look up the key, then store the filing" can never interleave with another request:
two copies of one filing racing each other get one 201 and one 200.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote

from devtools.bureau import rules, signing
from devtools.bureau.checks import Errors, Json, district
from devtools.bureau.control import handle_control
from devtools.bureau.messages import Answer, Request, error, is_loopback, json_answer
from devtools.bureau.state import Enterprise, Filing, State
from devtools.bureau.statistics import statistics_errors

BEIJING = timezone(timedelta(hours=8))
VALIDATORS: dict[str, Callable[[Json], Errors]] = {
    "contract": rules.contract_errors,
    "amendment": rules.amendment_errors,
    "cancellation": rules.cancellation_errors,
    "group": rules.group_errors,
    "statistics": statistics_errors,
    "guide_assignment": rules.guide_assignment_errors,
}
RECEIPT_PREFIX = {
    "contract": "HT",
    "amendment": "BG",
    "cancellation": "JC",
    "group": "TD",
    "statistics": "TJ",
    "guide_assignment": "DY",
}
COLLECTIONS = {
    "contracts": "contract",
    "groups": "group",
    "statistics": "statistics",
    "guide-assignments": "guide_assignment",
}
CONTRACT_ACTIONS = {"amendments": "amendment", "cancellation": "cancellation"}
FAULT_CODES = {429: "too_many_requests", 503: "unavailable"}
SIGNED_HEADERS = ("x-enterprise-code", "x-timestamp", "x-nonce", "x-signature")


class Bureau:
    def __init__(self) -> None:
        self.state = State()
        self.sequence = 0  # receipt numbers never repeat within a run, even across resets
        self.clock_offset = 0.0
        self.dirty = False
        self._stamp: tuple[int, str, str] = (-1, "", "")

    def now(self) -> float:
        return time.time() + self.clock_offset

    def reset(self) -> None:
        self.state = State()
        self.clock_offset = 0.0
        self.dirty = True

    def handle(self, req: Request) -> Answer:
        if req.target == "/_sim" or req.target.startswith("/_sim/"):
            if not is_loopback(req.client):
                return error(404, "not_found", "未找到")
            return handle_control(self, req)
        counters, faults = self.state.counters, self.state.faults
        counters.requests += 1
        answer = self._fault()
        if answer is None:
            answer = self._serve(req)
            if faults.drop_next > 0:
                faults.drop_next -= 1
                counters.dropped += 1
                answer.drop = True
        else:
            counters.faulted += 1
        answer.delay = faults.delay_seconds
        status = str(answer.status)
        counters.by_status[status] = counters.by_status.get(status, 0) + 1
        return answer

    def _fault(self) -> Answer | None:
        faults = self.state.faults
        if faults.down:
            answer = error(503, "unavailable", "系统维护中，请稍后再试")
            answer.drop = faults.down_how == "close"
            return answer
        if faults.fail_next <= 0:
            return None
        faults.fail_next -= 1
        status = faults.fail_status
        answer = error(status, FAULT_CODES.get(status, "server_error"), "系统繁忙，请稍后再试")
        if faults.retry_after is not None:
            answer.headers.append(("retry-after", str(faults.retry_after)))
        return answer

    def _serve(self, req: Request) -> Answer:
        counters = self.state.counters
        authenticated = self._authenticate(req)
        if isinstance(authenticated, Answer):
            counters.rejected += 1
            return authenticated
        answer = self._route(authenticated, req)
        if answer.status == 201:
            counters.accepted += 1
        elif answer.status == 200 and req.method == "POST":
            counters.replayed += 1
        elif answer.status >= 400:
            counters.rejected += 1
        return answer

    def _authenticate(self, req: Request) -> Enterprise | Answer:
        """401 for anything that does not prove the enterprise sent this exact request
        just now and for the first time; 403 when it may not file at all."""
        h = req.headers
        missing = [name for name in SIGNED_HEADERS if not h.get(name)]
        if missing:
            return error(401, "missing_header", "缺少签名请求头：" + ", ".join(missing))
        ent = self.state.enterprises.get(h["x-enterprise-code"])
        if ent is None:
            return error(401, "unknown_enterprise", "企业未在本系统登记")
        stamp, nonce = h["x-timestamp"], h["x-nonce"]
        if not signing.TIMESTAMP.match(stamp):
            return error(401, "invalid_timestamp", "X-Timestamp 应为整数秒的 Unix 时间")
        if abs(self.now() - int(stamp)) > signing.WINDOW_SECONDS:
            return error(401, "timestamp_out_of_window", "请求时间与系统时间相差超过300秒")
        if not signing.NONCE.match(nonce):
            return error(401, "invalid_nonce", "X-Nonce 应为16～64位字母、数字或连字符")
        message = signing.canonical(req.method, req.target, stamp, nonce, req.body)
        if not signing.signature_matches(ent.secret, message, h["x-signature"]):
            return error(401, "invalid_signature", "签名验证失败")
        if not self.state.use_nonce(ent.code, nonce, self.now()):
            return error(401, "nonce_reused", "X-Nonce 在24小时内已使用过")
        self.dirty = True
        if ent.suspended:
            return error(403, "enterprise_suspended", "企业备案资格已暂停")
        return ent

    def _route(self, ent: Enterprise, req: Request) -> Answer:
        parts = req.target.split("?", 1)[0].split("/")
        if len(parts) == 3 and parts[1] == "v1" and parts[2] in COLLECTIONS:
            return self._post_only(req) or self._file(ent, req, COLLECTIONS[parts[2]], None)
        if len(parts) == 5 and parts[1:3] == ["v1", "contracts"] and parts[4] in CONTRACT_ACTIONS:
            kind = CONTRACT_ACTIONS[parts[4]]
            return self._post_only(req) or self._file(ent, req, kind, unquote(parts[3]))
        if len(parts) == 4 and parts[1:3] == ["v1", "receipts"]:
            if req.method != "GET":
                return _not_allowed("GET")
            return self._receipt(ent, unquote(parts[3]))
        return error(404, "not_found", "接口不存在")

    @staticmethod
    def _post_only(req: Request) -> Answer | None:
        return None if req.method == "POST" else _not_allowed("POST")

    def _receipt(self, ent: Enterprise, receipt_no: str) -> Answer:
        filing = self.state.receipts.get(receipt_no)
        if filing is None or filing.enterprise_code != ent.code:
            return error(404, "not_found", "回执不存在")
        return json_answer(
            200,
            {
                "receipt_no": filing.receipt_no,
                "received_at": filing.received_at,
                "kind": filing.kind,
                "key": filing.key,
                "status": "accepted",
            },
        )

    def _file(self, ent: Enterprise, req: Request, kind: str, e_number: str | None) -> Answer:
        key = req.headers.get("idempotency-key", "")
        if not key or len(key) > 255 or not key.isprintable() or not key.isascii():
            return error(
                400,
                "invalid",
                "缺少或无效的 Idempotency-Key",
                [
                    {
                        "field": "Idempotency-Key",
                        "code": "required",
                        "message": "POST 请求必须带幂等键",
                    }
                ],
            )
        path = req.target.split("?", 1)[0]
        earlier = self.state.filing_for_key(ent.code, key, self.now())
        if earlier is not None:
            if earlier.path == path and earlier.raw == req.body:
                return Answer(200, earlier.answer, [("content-type", "application/json")])
            return error(409, "idempotency_conflict", "同一幂等键已用于内容不同的备案")
        body = _parse_json(req)
        if isinstance(body, Answer):
            return body
        if "enterprise_code" in body and body["enterprise_code"] != ent.code:
            return error(403, "not_own_code", "不能为其他企业备案")
        errs = VALIDATORS[kind](body)
        district(errs, body)
        if errs:
            return error(400, "invalid", "备案内容不符合要求", errs)
        subject = e_number if e_number is not None else _subject(kind, body)
        refused = self._conflict(ent, kind, subject, body)
        if refused is not None:
            return refused
        return self._accept(ent, kind, key, path, subject, req.body, body)

    def _conflict(self, ent: Enterprise, kind: str, subject: str, body: Json) -> Answer | None:
        """What depends on earlier filings: PROTOCOL's 409s, and re-filed periods."""
        state, where = self.state, (ent.code, subject)
        if kind == "contract" and where in state.contracts:
            return error(409, "duplicate_e_number", "该电子合同号已备案")
        if kind in CONTRACT_ACTIONS.values():
            contract = state.contracts.get(where)
            if contract is None:
                return error(409, "unknown_e_number", "该电子合同号未备案")
            if contract.cancelled:
                return error(409, "already_cancelled", "该合同已解除")
            if kind == "amendment":
                errs = rules.changed_contract_errors(contract.body, body["changes"])
                if errs:
                    return error(400, "invalid", "变更后的合同不符合要求", errs)
        if kind == "group" and where in state.groups:
            return _field_error("group_no", "duplicate", "该团号已报备")
        if kind == "statistics" and where in state.revisions and (body.get("revision") or 1) < 2:
            return _field_error(
                "revision", "revision_required", "该报告期已报送；更正数据请注明 revision（≥2）"
            )
        return None

    def _accept(
        self, ent: Enterprise, kind: str, key: str, path: str, subject: str, raw: bytes, body: Json
    ) -> Answer:
        now = self.now()
        self.sequence += 1
        day, received_at = self._moment(int(now))
        receipt_no = f"CQ{RECEIPT_PREFIX[kind]}{day}{self.sequence:06d}"
        answer = json_answer(201, {"receipt_no": receipt_no, "received_at": received_at})
        filing = Filing(
            kind, key, ent.code, path, subject, raw, body, receipt_no, received_at, now, answer.body
        )
        self.state.apply(filing)
        self.dirty = True
        return answer

    def _moment(self, second: int) -> tuple[str, str]:
        """The bureau's date (for receipt numbers) and RFC 3339 time, Beijing time;
        formatted once per second."""
        if self._stamp[0] != second:
            moment = datetime.fromtimestamp(second, BEIJING)
            self._stamp = (second, f"{moment:%Y%m%d}", moment.isoformat())
        return self._stamp[1], self._stamp[2]


def _subject(kind: str, body: Json) -> str:
    if kind == "contract":
        return str(body["e_number"])
    if kind in ("group", "guide_assignment"):
        return str(body["group_no"])
    if kind == "statistics":
        return f"{body['report_type']}/{body['period']}"
    return ""


def _parse_json(req: Request) -> Json | Answer:
    kind = req.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        return _field_error("Content-Type", "unsupported_media_type", "请求体应为 application/json")
    try:
        body = json.loads(req.body.decode("utf-8"), parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError):
        return error(400, "invalid_json", "请求体不是有效的 UTF-8 JSON")
    if not isinstance(body, dict):
        return error(400, "invalid_json", "请求体应为 JSON 对象")
    return body


def _no_constants(name: str) -> None:
    raise ValueError(name)


def _field_error(field_name: str, code: str, message: str) -> Answer:
    return error(400, "invalid", message, [{"field": field_name, "code": code, "message": message}])


def _not_allowed(allowed: str) -> Answer:
    answer = error(405, "method_not_allowed", "不支持该请求方法")
    answer.headers.append(("allow", allowed))
    return answer
