"""Reading request bodies under a size cap, and the media type a request declares."""

from fastapi import Request

from kg.errors import TooLarge


def media_type(request: Request) -> str:
    """The request's Content-Type without parameters, lower case ('' if none)."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body; raises :class:`TooLarge` as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"the request body of {int(declared):,} bytes is over the limit of {limit:,} bytes")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"the request body is over the limit of {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def charset_of(request: Request) -> str | None:
    """The ``charset`` parameter of the request's Content-Type, lower case (``None`` if absent)."""
    for param in request.headers.get("content-type", "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None
