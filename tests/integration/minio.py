"""A throwaway MinIO server for the S3 integration tests.

The server listens on 127.0.0.1 (free ports), keeps its data in a temporary folder, and is
given root credentials made up for this run only. The credentials are never printed: they
reach MinIO and the ticklake subprocesses through environment dicts, boto3 through explicit
arguments, and any text shown on failure goes through `redact()` first.
"""
import base64
import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
PR_SET_PDEATHSIG = 1


def minio_binary() -> Path:
    return Path(os.environ.get("MINIO_BIN") or ROOT / ".deps" / "minio" / "bin" / "minio")


def _free_ports(count: int):
    """`count` distinct free ports on 127.0.0.1 (all held open while choosing, so they differ)."""
    socks = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _die_with_parent():
    """In the child before exec: MinIO gets SIGKILL if the test process dies without cleanup."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except OSError:
        pass


class MinioServer:
    KMS_KEY_NAME = "ticklake-test-key"

    def __init__(self, binary: Path = None, kms: bool = False):
        """kms: give MinIO a built-in KMS key (KMS_KEY_NAME), which SSE-S3 and SSE-KMS need."""
        self.binary = Path(binary or minio_binary())
        self._kms_secret = base64.b64encode(secrets.token_bytes(32)).decode() if kms else None
        self.dir = None
        self.proc = None
        self.port = None
        # Made up per run; never logged.
        self.access_key = "tl" + secrets.token_hex(8)
        self._secret_key = secrets.token_hex(20)

    def __repr__(self):  # keeps the secret out of any repr pytest may show
        return f"MinioServer(endpoint={self.endpoint if self.port else None!r})"

    @property
    def secret_key(self) -> str:
        return self._secret_key

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.dir / "minio.log"

    def redact(self, text: str) -> str:
        """The text with this server's secret (and access key) replaced, safe to show."""
        return (text or "").replace(self._secret_key, "<secret>").replace(self.access_key, "<access-key>")

    def start(self, timeout=60.0):
        if not os.access(self.binary, os.X_OK):
            raise RuntimeError(f"MinIO not found at {self.binary}: run `setup/setup.sh minio` or set MINIO_BIN")
        self.dir = Path(tempfile.mkdtemp(prefix="tl-minio-"))
        (self.dir / "data").mkdir()
        self.port, self._console_port = _free_ports(2)
        return self._launch(timeout)

    def kill(self):
        """SIGKILL, keeping the data folder and ports: a crash of the server."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        self.proc = None

    def restart(self, timeout=60.0):
        """Starts again on the same port, data and credentials (after kill())."""
        self.kill()
        return self._launch(timeout)

    def _launch(self, timeout):
        console_port = self._console_port
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MINIO_", "AWS_"))}
        env.update(MINIO_ROOT_USER=self.access_key, MINIO_ROOT_PASSWORD=self._secret_key,
                   MINIO_BROWSER="off", MINIO_UPDATE="off")
        if self._kms_secret:
            env["MINIO_KMS_SECRET_KEY"] = f"{self.KMS_KEY_NAME}:{self._kms_secret}"
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [str(self.binary), "server", "--quiet", "--address", f"127.0.0.1:{self.port}",
                 "--console-address", f"127.0.0.1:{console_port}", str(self.dir / "data")],
                env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self.stop()
                raise RuntimeError(f"MinIO exited with {code} at start")
            if self._live():
                return self
            time.sleep(0.1)
        log_tail = self.redact(self.log_path.read_text(errors="replace")[-2000:])
        self.stop()
        raise RuntimeError(f"MinIO did not answer /minio/health/live within {timeout}s; log:\n{log_tail}")

    def _live(self) -> bool:
        try:
            with urllib.request.urlopen(self.endpoint + "/minio/health/live", timeout=1) as r:
                return r.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def stop(self, grace=10.0):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=grace)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=30)
            self.proc = None
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def client(self, secret_key: str = None):
        """A boto3 S3 client (path-style, us-east-1) with this server's credentials."""
        import boto3
        from botocore.config import Config
        return boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint, region_name=REGION,
            aws_access_key_id=self.access_key, aws_secret_access_key=secret_key or self._secret_key,
            config=Config(s3={"addressing_style": "path"}, signature_version="s3v4",
                          retries={"max_attempts": 5, "mode": "standard"}))

    def ticklake_env(self, secret_key: str = None, tmpdir: Path = None) -> dict:
        """The environment for one ticklake subprocess: this process's, with AWS settings for MinIO.

        Other AWS settings of the caller (profiles, tokens, endpoints) are dropped so they cannot
        leak in; nothing is set in os.environ itself.
        """
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID=self.access_key,
                   AWS_SECRET_ACCESS_KEY=self._secret_key if secret_key is None else secret_key,
                   AWS_REGION=REGION, AWS_ENDPOINT_URL_S3=self.endpoint,
                   AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
        if tmpdir is not None:  # where the S3 store spools files before uploading them
            Path(tmpdir).mkdir(parents=True, exist_ok=True)
            env["TMPDIR"] = str(tmpdir)
        return env


def list_keys(s3, bucket: str, prefix: str):
    """Every key under prefix, through all pages of ListObjectsV2."""
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(o["Key"] for o in page.get("Contents", ()))
    return keys
