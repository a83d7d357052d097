"""The ingest service's ``ObjectStore`` on S3: a size limit checked before any byte is read."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from newsfacet.errors import ObjectNotFoundError, ObjectTooLargeError, StorageError
from newsfacet.models.document import ObjectRef

_CHUNK = 1024 * 1024


class S3ObjectStore:
    """The ingest path's view of S3: one GET per object, streamed, bounded."""

    def __init__(self, s3_client: Any) -> None:
        self.s3 = s3_client

    def read(self, ref: ObjectRef, *, limit: int) -> tuple[bytes, ObjectRef]:
        if ref.size is not None and ref.size > limit:
            raise ObjectTooLargeError(key=ref.key, size=ref.size, limit=limit)
        kwargs: dict[str, str] = {"Bucket": ref.bucket, "Key": ref.key}
        if ref.version_id:
            kwargs["VersionId"] = ref.version_id
        try:
            response = self.s3.get_object(**kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code in {"NoSuchKey", "404", "NoSuchVersion"}:
                raise ObjectNotFoundError(key=ref.key, bucket=ref.bucket) from exc
            raise StorageError(f"S3 GetObject failed ({code})", key=ref.key) from exc
        except BotoCoreError as exc:
            raise StorageError(f"S3 GetObject failed ({exc})", key=ref.key) from exc
        size = int(response.get("ContentLength", 0))
        if size > limit:
            response["Body"].close()
            raise ObjectTooLargeError(key=ref.key, size=size, limit=limit)
        # Read in chunks and stop at the limit even if the length header lied.
        body = response["Body"]
        chunks: list[bytes] = []
        total = 0
        try:
            for chunk in iter(lambda: body.read(_CHUNK), b""):
                total += len(chunk)
                if total > limit:
                    body.close()
                    raise ObjectTooLargeError(key=ref.key, size=total, limit=limit)
                chunks.append(chunk)
        except (BotoCoreError, OSError) as exc:
            raise StorageError(f"S3 read interrupted ({exc})", key=ref.key) from exc
        completed = ref.model_copy(
            update={
                "size": total,
                "etag": (response.get("ETag") or ref.etag or "").strip('"') or None,
                "version_id": response.get("VersionId") or ref.version_id,
                "last_modified": response.get("LastModified") or ref.last_modified,
                "metadata": {**response.get("Metadata", {}), **ref.metadata},
            }
        )
        return b"".join(chunks), completed
