"""S3 as it is run on AWS: server-side encryption and the checksums Object Lock buckets require.

MinIO stands in for S3: it encrypts with SSE-S3 (AES256) and SSE-KMS (aws:kms) once it has a
KMS key (MINIO_KMS_SECRET_KEY), stores the x-amz-checksum-sha256 of each object and verifies it
on upload. boto3 is the independent reader: HeadObject reports the encryption and the stored
checksum, which must be the SHA-256 of the bytes ticklake meant to send.
"""
import base64
import hashlib
import json
import secrets
import subprocess
import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import BINARY, produce_sim, sink_args
from minio import MinioServer, list_keys


@pytest.fixture(scope="module")
def kms_minio():
    server = MinioServer(kms=True).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def kms_s3(kms_minio):
    return kms_minio.client()


@pytest.fixture
def bucket(kms_s3):
    name = "tl-" + uuid.uuid4().hex[:12]
    kms_s3.create_bucket(Bucket=name)
    return name


def ticklake(minio, args, tmp_path, check=True):
    proc = subprocess.run([str(BINARY), *args], capture_output=True, text=True, timeout=600,
                          env=minio.ticklake_env(tmpdir=tmp_path / "tmp"))
    if check and proc.returncode != 0:
        raise AssertionError(f"ticklake {' '.join(args)} exited {proc.returncode}\n"
                             f"stderr:\n{minio.redact(proc.stderr[-4000:])}")
    return proc


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def multipart_checksum(data: bytes, part_size: int) -> str:
    """S3's checksum of a multipart object: the SHA-256 of the parts' raw SHA-256s, '-' parts."""
    parts = [data[i:i + part_size] for i in range(0, len(data), part_size)]
    combined = hashlib.sha256(b"".join(hashlib.sha256(p).digest() for p in parts)).digest()
    return f"{base64.b64encode(combined).decode()}-{len(parts)}"


@pytest.mark.parametrize("sse", [["--s3-sse", "AES256"], ["--s3-sse", "aws:kms"],
                                 ["--s3-sse", "aws:kms", "--s3-sse-kms-key-id", MinioServer.KMS_KEY_NAME]],
                         ids=["sse-s3", "sse-kms-default-key", "sse-kms-named-key"])
def test_cp_encrypts_single_and_multipart_uploads_and_stores_their_checksums(kms_minio, kms_s3, bucket, tmp_path, sse):
    src = tmp_path / "src"
    src.mkdir()
    small, big = secrets.token_bytes(1000), secrets.token_bytes(11 * 1024 * 1024)
    (src / "small.bin").write_bytes(small)
    (src / "big.bin").write_bytes(big)
    ticklake(kms_minio, ["cp", "-r", "--s3-multipart-threshold-mib", "8", "--s3-part-size-mib", "5", *sse, str(src),
                         f"s3://{bucket}/enc"], tmp_path)
    algorithm = sse[1]
    for name, data, checksum in (("small.bin", small, sha256_b64(small)),
                                 ("big.bin", big, multipart_checksum(big, 5 * 1024 * 1024))):
        head = kms_s3.head_object(Bucket=bucket, Key=f"enc/{name}", ChecksumMode="ENABLED")
        assert head["ServerSideEncryption"] == algorithm, name
        if "--s3-sse-kms-key-id" in sse:
            assert head["SSEKMSKeyId"].endswith(MinioServer.KMS_KEY_NAME), head["SSEKMSKeyId"]
        assert head["ChecksumSHA256"] == checksum, name
        assert kms_s3.get_object(Bucket=bucket, Key=f"enc/{name}")["Body"].read() == data, name


def test_without_sse_objects_are_not_encrypted_but_still_carry_checksums(kms_minio, kms_s3, bucket, tmp_path):
    data = secrets.token_bytes(5000)
    (tmp_path / "plain.bin").write_bytes(data)
    ticklake(kms_minio, ["cp", str(tmp_path / "plain.bin"), f"s3://{bucket}/plain.bin"], tmp_path)
    head = kms_s3.head_object(Bucket=bucket, Key="plain.bin", ChecksumMode="ENABLED")
    assert "ServerSideEncryption" not in head
    assert head["ChecksumSHA256"] == sha256_b64(data)


def test_the_server_refuses_a_body_that_does_not_match_its_checksum(kms_s3, bucket):
    # What makes the header worth sending: S3 (and MinIO) recompute it and refuse a mismatch.
    with pytest.raises(ClientError) as refused:
        kms_s3.put_object(Bucket=bucket, Key="corrupt", Body=b"hello", ChecksumSHA256=sha256_b64(b"hellx"))
    assert refused.value.response["Error"]["Code"] in ("XAmzContentChecksumMismatch", "BadDigest")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert list_keys(kms_s3, bucket, "corrupt") == []


def test_an_unknown_kms_key_fails_clearly(kms_minio, bucket, tmp_path):
    (tmp_path / "f.bin").write_bytes(b"x" * 10)
    proc = ticklake(kms_minio, ["cp", "--s3-sse", "aws:kms", "--s3-sse-kms-key-id", "no-such-key",
                                str(tmp_path / "f.bin"), f"s3://{bucket}/f.bin"], tmp_path, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "KeyNotFound" in proc.stderr or "key" in proc.stderr.lower(), kms_minio.redact(proc.stderr)


def test_sse_flags_are_checked_before_anything_runs(kms_minio, bucket, tmp_path):
    (tmp_path / "f.bin").write_bytes(b"x")
    bad = ticklake(kms_minio, ["cp", "--s3-sse", "aes256", str(tmp_path / "f.bin"), f"s3://{bucket}/f"], tmp_path,
                   check=False)
    assert bad.returncode == 2 and "--s3-sse" in bad.stderr, bad.stderr
    orphan_key = ticklake(kms_minio, ["cp", "--s3-sse-kms-key-id", "k", str(tmp_path / "f.bin"), f"s3://{bucket}/f"],
                          tmp_path, check=False)
    assert orphan_key.returncode != 0 and "--s3-sse aws:kms" in orphan_key.stderr, orphan_key.stderr


def test_sink_writes_every_object_encrypted(kms_minio, kms_s3, broker, topic, bucket, tmp_path):
    produce_sim(broker, topic, 2000, days=1)
    summary = tmp_path / "summary.json"
    ticklake(kms_minio, sink_args(broker, topic, f"s3://{bucket}/lake",
                                  extra=("--s3-sse", "aws:kms", "--summary-json", str(summary))), tmp_path)
    assert json.loads(summary.read_text())["rows_written"] == 2000
    keys = list_keys(kms_s3, bucket, "lake/")
    assert any(k.endswith(".parquet") for k in keys), keys
    for key in keys:  # data files and the sink's own state alike
        head = kms_s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
        assert head["ServerSideEncryption"] == "aws:kms", key
        assert head.get("ChecksumSHA256"), key
