"""The content of a document a command files in the object store (a customer file's document,
an order's process instructions): sent base64, checked and hashed by the service."""
from __future__ import annotations

from collections.abc import Callable
from typing import Self

from pydantic import BaseModel, Field, PrivateAttr

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# base64 of MAX_DOCUMENT_BYTES, so an oversized document is refused before it is decoded
MAX_BASE64_CHARS = 4 * ((MAX_DOCUMENT_BYTES + 2) // 3)


class DocumentContent(BaseModel):
    """Mixed into a command that files a document.

    Clients send the content; the service checks it, computes its hash and size, and stores it
    in the object store only once the record's rules accepted the document. A hash sent without
    the content is refused.
    """

    filename: str = Field(min_length=1, max_length=200, description="File name / 文件名")
    media_type: str = Field(default="application/octet-stream", max_length=120,
                            pattern=r"^[\w.+-]+/[\w.+-]+$", description="Media type, e.g. application/pdf / 文件类型")
    content_base64: str | None = Field(
        default=None, min_length=1, max_length=MAX_BASE64_CHARS,
        description=f"The document, base64; at most {MAX_DOCUMENT_BYTES // 2**20} MB decoded / "
                    f"文件内容（base64），解码后最多 {MAX_DOCUMENT_BYTES // 2**20} MB")
    content_sha256: str | None = Field(
        default=None, max_length=64, pattern=r"^[0-9a-f]{64}$",
        description="Optional check: hex SHA-256 the content must have; set by the service / "
                    "可选校验：内容的 SHA-256（十六进制），由服务填写")
    size: int | None = Field(default=None, ge=0, le=MAX_DOCUMENT_BYTES,
                             description="Set by the service: bytes stored / 由服务填写：文件字节数")

    # Not on the wire: set only on the copy the service made after checking the content.
    _store_content: Callable[[], None] | None = PrivateAttr(default=None)

    @property
    def content_checked(self) -> bool:
        """True only on the copy the service made after checking the content itself."""
        return self._store_content is not None

    def with_checked_content(self, sha256: str, size: int, store: Callable[[], None]) -> Self:
        """The copy the use case goes on with: the hash and size the service computed, and the
        step that stores the content, which the use case runs once the rules accepted it."""
        checked = self.model_copy(update={"content_base64": None, "content_sha256": sha256,
                                          "size": size})
        checked._store_content = store
        return checked

    def store_content(self) -> None:
        """Store the checked content (blocking; called from the use case's thread)."""
        if self._store_content is None:
            raise RuntimeError("the content was not checked by the service")
        self._store_content()
