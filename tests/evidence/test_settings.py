"""The storage settings a host reads from its environment (README, 配置): S3 when a bucket is named."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT = (
    "import json; from config.settings import base; "
    "print(json.dumps([base.STORAGES['default'], base.EVIDENCE_MAX_BYTES, base.EVIDENCE_MAX_PER_PROJECT]))"
)


def settings_with(**env) -> list:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("STORAGE_S3_", "EVIDENCE_"))}
    done = subprocess.run(
        [sys.executable, "-c", PRINT],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_without_a_bucket_the_local_disk():
    storage, max_bytes, max_count = settings_with()
    assert storage == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert max_bytes == 20 * 1024 * 1024 and max_count == 50


def test_a_bucket_makes_the_default_storage_s3():
    storage, max_bytes, max_count = settings_with(
        STORAGE_S3_BUCKET="perfeval",
        STORAGE_S3_ENDPOINT_URL="http://minio.internal:9000",
        STORAGE_S3_REGION="cn-north-1",
        STORAGE_S3_ACCESS_KEY="key",
        STORAGE_S3_SECRET_KEY="secret",
        STORAGE_S3_PREFIX="yantai",
        EVIDENCE_MAX_BYTES="1048576",
        EVIDENCE_MAX_PER_PROJECT="10",
    )
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "perfeval"
    assert options["endpoint_url"] == "http://minio.internal:9000"
    assert options["region_name"] == "cn-north-1"
    assert (options["access_key"], options["secret_key"]) == ("key", "secret")
    assert options["location"] == "yantai"
    assert options["default_acl"] is None and options["file_overwrite"] is False
    assert (max_bytes, max_count) == (1048576, 10)
