"""Where the documents commands file live: the JetStream Object Store, one object per content.

Objects are named by the hex SHA-256 of their content, so the same document filed twice is
stored once and an event's hash is all a reader needs to fetch it. Any command that mixes in
``contracts.commands.documents.DocumentContent`` (a customer file's document, an order's process
instructions) is checked by ``check_content`` and stores its content the same way.
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import dataclasses
import hashlib
import logging
from typing import Any, TypeVar

from nats.js.api import ObjectStoreConfig, StorageType
from nats.js.errors import BucketNotFoundError, ObjectNotFoundError
from nats.js.object_store import ObjectStore

from contracts.commands.documents import MAX_DOCUMENT_BYTES, DocumentContent
from services.domain import DomainError
from services.runtime.settings import Settings

log = logging.getLogger(__name__)

# One bucket for every department's documents: objects are named by their hash, so they cannot
# collide. It keeps the name it had when it held only the customer file, so the documents filed
# before engineering used it stay where their events say they are.
BUCKET = "salesflow-customer-files"
STREAM = f"OBJ_{BUCKET}"  # the stream nats-py keeps a bucket in
# Up to 10 MB in 128 KB chunks, each acknowledged; generous on a loaded machine.
STORE_TIMEOUT_SECONDS = 60.0

D = TypeVar("D", bound=DocumentContent)


class BadContent(DomainError):
    """The document content is missing, not base64, too large, or does not match its hash."""

    kind = "validation"


class StoreUnavailable(DomainError):
    """The object store did not take the content; nothing was filed."""

    kind = "unavailable"


def content_of(command: DocumentContent) -> bytes:
    """The decoded content, or a refusal naming the field in English and Chinese."""
    if command.content_base64 is None:
        if command.content_sha256 is not None:
            raise BadContent(None, "content_sha256 without the content is refused: send "
                             "content_base64, the service computes the hash itself",
                             "不能只提供 content_sha256：请提供文件内容 content_base64，"
                             "哈希值由系统计算", field="content_sha256")
        raise BadContent(None, "content_base64 is required: the document itself, base64",
                         "缺少文件内容 content_base64（base64 编码）", field="content_base64")
    try:
        content = base64.b64decode(command.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise BadContent(None, "content_base64 is not valid base64", "content_base64 不是合法的 "
                         "base64 编码", field="content_base64") from None
    if not content:
        raise BadContent(None, "the document is empty", "文件内容为空", field="content_base64")
    if len(content) > MAX_DOCUMENT_BYTES:
        limit = MAX_DOCUMENT_BYTES // 2**20
        raise BadContent(None, f"the document is larger than {limit} MB",
                         f"文件超过 {limit} MB", field="content_base64")
    return content


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def checked(command: DocumentContent) -> tuple[str, int]:
    """The hash and size ``check_content`` computed, for the use case to record.

    A command that did not pass through ``check_content`` (a service wired without its
    preparer) is refused: its hash would name content nobody checked or stored."""
    if not command.content_checked or command.content_sha256 is None or command.size is None:
        content_of(command)  # refuses a hash sent without its content
        raise StoreUnavailable(
            None, "the document content was not stored; this service has no document store",
            "文件内容未存储：本服务没有配置文件存储", field="content_base64")
    return command.content_sha256, command.size


async def bucket(js: Any, replicas: int = 1) -> ObjectStore:
    """The documents bucket, created on first use with ``replicas`` copies (the streams'
    replication: losing one NATS node must not make documents unreadable)."""
    try:
        store: ObjectStore = await js.object_store(BUCKET)
    except BucketNotFoundError:
        config = ObjectStoreConfig(description="Documents (customer files R-S2, process "
                                   "instructions R-O2), named by SHA-256",
                                   storage=StorageType.FILE, replicas=replicas)
        try:
            return await js.create_object_store(BUCKET, config=config)  # type: ignore[no-any-return]
        except Exception:  # noqa: BLE001 - another service instance created it first
            return await js.object_store(BUCKET)  # type: ignore[no-any-return]
    if replicas > 1:
        await _replicated(js, replicas)
    return store


async def _replicated(js: Any, replicas: int) -> None:
    """A bucket made with fewer copies (before replicas were configured) gets them now."""
    info = await js.stream_info(STREAM)
    if info.config.num_replicas < replicas:
        log.info("documents bucket: %d -> %d replicas", info.config.num_replicas, replicas)
        await js.update_stream(dataclasses.replace(info.config, num_replicas=replicas))


async def put(js: Any, content: bytes, replicas: int = 1) -> str:
    """Store the content under its hash (once) and return the hash."""
    sha256 = digest(content)
    store = await bucket(js, replicas)
    try:
        info = await store.get_info(sha256)
        if info.size == len(content) and not info.deleted:
            return sha256
    except ObjectNotFoundError:
        pass
    await store.put(sha256, content)
    return sha256


async def fetch(js: Any, sha256: str) -> bytes:
    """The content stored under a hash (an event's ``sha256``)."""
    result = await (await bucket(js)).get(sha256)
    return bytes(result.data or b"")


async def check_content(js: Any, command: D, settings: Settings | None = None) -> D:
    """Preparer of a command filing a document: decode and check the content, hash it, and hand
    the use case the step that stores it. Nothing is stored here: the use case stores the
    content only after the record's rules accepted the document, so a refused command leaves
    nothing in the object store."""
    content = content_of(command)
    sha256 = digest(content)
    if command.content_sha256 is not None and command.content_sha256 != sha256:
        raise BadContent(None, f"the content's SHA-256 is {sha256}, not the content_sha256 sent",
                         f"文件内容的 SHA-256 为 {sha256}，与提供的 content_sha256 不符",
                         field="content_sha256")
    replicas = (settings or Settings()).stream_replicas
    loop = asyncio.get_running_loop()

    def store() -> None:  # runs in the use case's thread, the object store on the event loop
        future = asyncio.run_coroutine_threadsafe(put(js, content, replicas), loop)
        try:
            future.result(timeout=STORE_TIMEOUT_SECONDS)
        except Exception as error:  # noqa: BLE001 - any store failure refuses the command whole
            future.cancel()
            log.warning("could not store document %s (%s)", sha256, command.filename,
                        exc_info=True)
            raise StoreUnavailable(None, f"the document store did not take the file "
                                   f"({type(error).__name__}: {error}); please retry",
                                   "文件存储暂不可用，资料未归档，请重试") from error

    return command.with_checked_content(sha256, len(content), store)
