"""Who may write: the holder of ``VCGRAPH_ADMIN_TOKEN``, as ``Authorization: Bearer <token>``."""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request

from vcgraph.config import Settings
from vcgraph.http.errors import ApiError

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="vcgraph"'}


def require_admin(request: Request, settings: Settings, *, plain_text: bool = False) -> None:
    """Raise unless the request carries the admin token.

    403 when the deployment has no admin token (writes are disabled, whoever asks), 401 with a Bearer
    challenge when no credentials came, 403 when they are wrong. The comparison takes the same time
    whatever the token, so timing does not reveal how much of a guess was right.
    """
    if not settings.admin_token:
        raise ApiError(
            403, "writes_disabled", "writes are disabled: the server has no VCGRAPH_ADMIN_TOKEN", plain_text=plain_text
        )
    header = request.headers.get("authorization")
    if header is None:
        raise ApiError(
            401,
            "unauthorized",
            "this operation needs 'Authorization: Bearer <admin token>'",
            headers=_CHALLENGE,
            plain_text=plain_text,
        )
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise ApiError(
            401,
            "unauthorized",
            "only Bearer credentials are accepted: 'Authorization: Bearer <admin token>'",
            headers={"WWW-Authenticate": 'Bearer realm="vcgraph", error="invalid_request"'},
            plain_text=plain_text,
        )
    # Digests of equal length are compared, so neither the content nor the length of the token leaks by timing.
    offered = hashlib.sha256(credentials.strip().encode("utf-8")).digest()
    expected = hashlib.sha256(settings.admin_token.encode("utf-8")).digest()
    if not hmac.compare_digest(offered, expected):
        raise ApiError(403, "forbidden", "the token is not the admin token", plain_text=plain_text)
