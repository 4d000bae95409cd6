"""Every refusal the gateway answers is an ``ErrorBody`` (English and Chinese, with the field or
the DOMAIN.md rule), under the HTTP status its kind means."""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from contracts.replies import ErrorBody, ErrorKind, line_refusal, validation_refusal

STATUS: dict[str, int] = {"validation": 422, "rule": 409, "conflict": 409, "forbidden": 403,
                          "not_found": 404, "unavailable": 503, "internal": 500}
# Documented on every route that can answer it.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text} for status, text in (
        (401, "Not signed in, or the session or token is no longer valid / 未登录或凭证已失效"),
        (403, "The signed-in user's roles may not do this / 当前用户的角色无权执行"),
        (404, "No such record / 记录不存在"),
        (422, "A field is wrong; `field` names it / 字段不合法"),
        (503, "NATS or the service did not answer in time / 服务暂时不可用"),
    )
}

# Commands and account changes: a rule (``rule`` names it) or the record as it stands refused it.
CHANGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    409: {"model": ErrorBody, "description": "A DOMAIN.md rule (`rule`) or the record as it "
                                             "stands (a conflict) refused it / 违反业务规则或冲突"},
    413: {"model": ErrorBody, "description": "The body is larger than 16 MB / 请求内容过大"},
}


class ApiError(Exception):
    """A refusal with its HTTP status."""

    def __init__(self, status: int, body: ErrorBody, headers: dict[str, str] | None = None
                 ) -> None:
        super().__init__(body.sentence())
        self.status, self.body, self.headers = status, body, headers

    @classmethod
    def of(cls, kind: ErrorKind, en: str, zh: str, *, status: int | None = None,
           field: str | None = None, headers: dict[str, str] | None = None) -> ApiError:
        body = ErrorBody(kind=kind, message_en=en, message_zh=zh, field=field)
        return cls(status or STATUS[kind], body, headers)


def not_signed_in(en: str = "sign in first (POST /session) or send a bearer token",
                  zh: str = "请先登录（POST /session）或提供 API 令牌") -> ApiError:
    return ApiError.of("forbidden", en, zh, status=401,
                       headers={"WWW-Authenticate": 'Bearer realm="salesflow"'})


def error_response(status: int, body: ErrorBody, headers: dict[str, str] | None = None
                   ) -> JSONResponse:
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


def validation(error: ValidationError, what_en: str, what_zh: str) -> ApiError:
    return ApiError(422, validation_refusal(error, what_en, what_zh, echo_input=False))


def install(app: FastAPI) -> None:
    """Answer FastAPI's own refusals (bad query parameters, unknown paths) in the same shape."""

    @app.exception_handler(ApiError)
    async def on_api_error(_: Request, error: ApiError) -> JSONResponse:
        return error_response(error.status, error.body, error.headers)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        first = dict(error.errors()[0])
        # FastAPI prefixes where the value came from ("query", "path", "body"): drop it.
        first["loc"] = tuple(first.get("loc", ()))[1:]
        return error_response(422, line_refusal(first, "request", "请求"))

    @app.exception_handler(Exception)
    async def on_bug(_: Request, error: Exception) -> JSONResponse:
        """A bug: one ``internal`` reply and one log line under the same reference."""
        from services.runtime.commands import unexpected_error

        return error_response(500, unexpected_error(error, "gateway request"))

    @app.exception_handler(StarletteHTTPException)
    async def on_http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        kind: ErrorKind = "not_found" if error.status_code in (404, 405) else "validation"
        zh = {404: "没有这个地址", 405: "该地址不支持此方法"}.get(error.status_code, "请求无效")
        return error_response(error.status_code, ErrorBody(
            kind=kind, message_en=str(error.detail), message_zh=zh))

