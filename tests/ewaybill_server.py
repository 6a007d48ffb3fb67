"""A local e-waybill aggregator for tests, speaking the Kdniao-style protocol of shared/design/CARRIERS.md: form
POST (RequestType, EBusinessID, RequestData, DataType=2, DataSign), DataSign = base64(md5 hex(RequestData + AppKey)),
JSON replies with Success / ResultCode / Reason; 106 for a repeated OrderCode with the original number; business
errors as HTTP 200 with Success false; and a mode that answers too late (a time-out).

The signature is computed here on its own (not with the server's code), so a wrong signing fails the tests."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BUSINESS_ID = "1234567"
APP_KEY = "00000000-0000-0000-0000-000000000000"


def sign(request_data: str, app_key: str = APP_KEY) -> str:
    return base64.b64encode(hashlib.md5((request_data + app_key).encode()).hexdigest().encode()).decode()


class FakeAggregator:
    def __init__(self, *, prefix: str = "7730") -> None:
        self.prefix = prefix
        self.requests: list[dict[str, str]] = []
        self.orders: dict[str, str] = {}  # OrderCode -> LogisticCode
        self.traces: dict[str, dict[str, Any]] = {}  # LogisticCode -> {"State": .., "Traces": [...]}
        self.fail_next: str | None = None  # a Reason: the next request is refused (Success false, 105)
        self.slow_next = 0.0  # seconds the next answer waits
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length).decode("ascii")
                form = {k: v[0] for k, v in urllib.parse.parse_qs(raw, keep_blank_values=True).items()}
                fake.requests.append(form)
                reply = fake.answer(form)
                if fake.slow_next:
                    wait, fake.slow_next = fake.slow_next, 0.0
                    time.sleep(wait)
                body = json.dumps(reply, ensure_ascii=False).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (time-out test)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api/dist"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, form: dict[str, str]) -> dict[str, Any]:
        base = {"EBusinessID": form.get("EBusinessID", "")}
        missing = [k for k in ("RequestType", "EBusinessID", "RequestData", "DataSign") if not form.get(k)]
        if missing or form.get("DataType") != "2":
            return {**base, "Success": False, "ResultCode": "101", "Reason": f"missing {missing or 'DataType'}"}
        if form["EBusinessID"] != BUSINESS_ID:
            return {**base, "Success": False, "ResultCode": "104", "Reason": "unknown user"}
        if form["DataSign"] != sign(form["RequestData"]):
            return {**base, "Success": False, "ResultCode": "102", "Reason": "verification failed"}
        if self.fail_next:
            reason, self.fail_next = self.fail_next, None
            return {**base, "Success": False, "ResultCode": "105", "Reason": reason}
        data = json.loads(form["RequestData"])
        if form["RequestType"] == "1007":
            code = data.get("OrderCode", "")
            if not code or not data.get("ShipperCode") or not data.get("Receiver", {}).get("Name"):
                return {**base, "Success": False, "ResultCode": "103", "Reason": "format"}
            if code in self.orders:
                number, result = self.orders[code], "106"
            else:
                number, result = f"{self.prefix}{len(self.orders) + 1:08d}", "100"
                self.orders[code] = number
            return {
                **base,
                "Success": True,
                "ResultCode": result,
                "Reason": "",
                "Order": {
                    "OrderCode": code,
                    "ShipperCode": data["ShipperCode"],
                    "LogisticCode": number,
                    "SortingCode": "521-A01",
                },
                "PrintTemplate": f"<html><body>{number}</body></html>",
            }
        if form["RequestType"] in ("8001", "1002"):
            number = data.get("LogisticCode", "")
            t = self.traces.get(number, {"State": "0", "Traces": []})
            return {**base, "Success": True, "LogisticCode": number, "ShipperCode": data.get("ShipperCode"), **t}
        return {**base, "Success": False, "ResultCode": "105", "Reason": "unknown RequestType"}


def push(endpoint: str, items: list[dict[str, Any]], *, app_key: str = APP_KEY) -> tuple[int, dict[str, Any]]:
    """Send a tracking push to ``endpoint`` as the platform does (form POST, signed); (status, JSON reply)."""
    data = json.dumps(
        {"EBusinessID": BUSINESS_ID, "PushTime": "2026-11-28 12:00:00", "Count": len(items), "Data": items},
        ensure_ascii=False,
    )
    form = urllib.parse.urlencode(
        {
            "RequestType": "101",
            "EBusinessID": BUSINESS_ID,
            "RequestData": data,
            "DataType": "2",
            "DataSign": sign(data, app_key),
        }
    ).encode()
    req = urllib.request.Request(endpoint, data=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())
