"""Errors as the OpenAI API gives them: a status code and {"error": {"message", "type", "param", "code"}}.

    raise ApiError(404, msg("serve.unknown_model", ...), code="model_not_found", param="model")

Every error the server answers with is one of these (app.py maps FastAPI's own validation errors, unknown
routes and any other exception to it): a client never gets a traceback in the body.
"""

from __future__ import annotations

TYPES = {400: "invalid_request_error", 401: "invalid_request_error", 404: "invalid_request_error",
         405: "invalid_request_error", 413: "invalid_request_error", 500: "server_error", 503: "server_error"}


class ApiError(Exception):
    def __init__(self, status: int, message: str, *, param: str | None = None, code: str | None = None,
                 type_: str | None = None):
        super().__init__(message)
        self.status, self.message, self.param, self.code = status, str(message), param, code
        self.type = type_ or TYPES.get(status, "invalid_request_error" if status < 500 else "server_error")

    def body(self) -> dict:
        return error_body(self.message, self.type, self.param, self.code)


def error_body(message: str, type_: str, param: str | None = None, code: str | None = None) -> dict:
    return {"error": {"message": str(message), "type": type_, "param": param, "code": code}}
