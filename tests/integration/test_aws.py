"""The AWS credential chain (issue #13 item 1) and the MSK IAM token (item 2).

STS is moto in server mode (PyPI `moto[server]`), started here on 127.0.0.1. The IMDSv2, ECS
and SSO portal endpoints are small HTTP stand-ins served by this file; each stand-in is first
checked by having botocore read the same credentials from it, so the stand-in is faithful to
what the SDKs expect before ticklake is judged against it. Every test asserts that no secret
reaches ticklake's output.
"""
import base64
import datetime
import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from unittest import mock

import pytest

from conftest import BINARY, ROOT, moto_server, run, sink_args

ACCOUNT = "123456789012"  # moto's default account


def clean_env(tmp_path: Path, **extra) -> dict:
    """This process's environment without any AWS setting, with empty profile files and a private HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env.update(HOME=str(home), AWS_CONFIG_FILE=str(home / "config"), AWS_SHARED_CREDENTIALS_FILE=str(home / "credentials"),
               AWS_EC2_METADATA_DISABLED="true")
    env.update(extra)
    return env


def whoami(env: dict, *args) -> dict:
    proc = run(["aws", "whoami", *args], env=env, timeout=60)
    fields = {}
    for line in proc.stdout.splitlines():
        name, _, value = line.partition(":")
        fields[name.strip()] = value.strip()
    fields["_text"] = proc.stdout + proc.stderr
    return fields


def assert_no_secret(fields: dict, *secrets):
    for s in secrets:
        if s:
            assert s not in fields["_text"], "a secret reached ticklake's output"


def masked(key_id: str) -> str:
    return key_id[:4] + "****" + key_id[-4:]


def botocore_credentials(env: dict):
    """What botocore's own default chain finds in `env` (the stand-in check)."""
    import botocore.credentials
    import botocore.session
    import botocore.tokens
    # botocore fixes its SSO cache folder from HOME at import time: point it at the test's.
    sso_cache = os.path.join(env["HOME"], ".aws", "sso", "cache")
    with mock.patch.dict(os.environ, env, clear=True), \
            mock.patch.object(botocore.credentials.SSOProvider, "_SSO_TOKEN_CACHE_DIR", sso_cache), \
            mock.patch.object(botocore.tokens.SSOTokenProvider, "_SSO_TOKEN_CACHE_DIR", sso_cache):
        session = botocore.session.Session()
        creds = session.get_credentials()
        return creds.get_frozen_credentials(), session


@pytest.fixture(scope="module")
def moto_sts():
    yield from moto_server()


class StandIn:
    """A threaded HTTP server on 127.0.0.1 whose answers a test defines; it records requests."""

    def __init__(self, handler_fn):
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.requests.append((self.command, self.path, dict(self.headers), body))
                status, payload = handler_fn(self.command, self.path, self.headers)
                data = payload.encode() if isinstance(payload, str) else payload
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_POST = _serve

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def expiry_in(seconds: int) -> str:
    return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def fake_keys(tag: str):
    return "ASIA" + hashlib.sha1(tag.encode()).hexdigest()[:16].upper(), "secret-" + tag + "-" + "x" * 20, "token-" + tag


# --- environment, STS -------------------------------------------------------------------------

def test_environment_keys_and_sts_get_caller_identity_at_moto(tmp_path, moto_sts):
    env = clean_env(tmp_path, AWS_ACCESS_KEY_ID="AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY="envsecret" * 4,
                    AWS_REGION="eu-west-1", AWS_ENDPOINT_URL_STS=moto_sts)
    got = whoami(env)
    assert got["provider"] == "environment"
    assert got["access key id"] == "AKIA****MPLE"
    assert got["expires"].startswith("never")
    assert got["region"].startswith("eu-west-1")
    assert got["account"] == ACCOUNT, got["_text"]
    assert_no_secret(got, "envsecret" * 4)
    # --no-sts: no STS line at all.
    assert "account" not in whoami(env, "--no-sts")


def test_web_identity_assumes_the_role_at_moto(tmp_path, moto_sts):
    token_file = tmp_path / "token"
    token_file.write_text("eyJhbGciOiJSUzI1NiJ9.e30.sig\n")
    env = clean_env(tmp_path, AWS_ROLE_ARN=f"arn:aws:iam::{ACCOUNT}:role/web-reader",
                    AWS_WEB_IDENTITY_TOKEN_FILE=str(token_file), AWS_ROLE_SESSION_NAME="tl-web",
                    AWS_REGION="us-east-1", AWS_ENDPOINT_URL_STS=moto_sts)
    # botocore's chain takes the same route against the same moto.
    frozen, _ = botocore_credentials(env)
    assert frozen.token
    got = whoami(env)
    assert got["provider"] == "web-identity", got["_text"]
    assert got["session token"].startswith("set")
    assert not got["expires"].startswith("never")
    assert got["arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/web-reader/tl-web", got["_text"]


def test_profile_assume_role_with_source_profile_and_external_id(tmp_path, moto_sts):
    env = clean_env(tmp_path, AWS_PROFILE="deploy", AWS_ENDPOINT_URL_STS=moto_sts)
    home = Path(env["HOME"])
    (home / "credentials").write_text("[base]\naws_access_key_id = AKIAEXAMPLEBASE1234\n"
                                      "aws_secret_access_key = basesecretbasesecret\n")
    (home / "config").write_text(f"[profile deploy]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/deployer\n"
                                 "source_profile = base\nexternal_id = ext-42\nrole_session_name = tl-deploy\n"
                                 "region = ap-southeast-2\n")
    got = whoami(env)
    assert got["provider"] == "assume-role", got["_text"]
    assert got["region"].startswith("ap-southeast-2")
    assert got["arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/tl-deploy", got["_text"]
    assert_no_secret(got, "basesecretbasesecret")


def test_credential_process_runs_without_a_shell(tmp_path):
    key, secret, token = fake_keys("process")
    script = tmp_path / "creds helper.py"
    marker = tmp_path / "shell-ran"
    script.write_text("import json, sys\n"
                      f"assert sys.argv[1:] == ['--role', 'a b', '$HOME;touch {marker}'], sys.argv\n"
                      f"print(json.dumps({{'Version': 1, 'AccessKeyId': '{key}', 'SecretAccessKey': '{secret}', "
                      f"'SessionToken': '{token}', 'Expiration': '{expiry_in(3600)}'}}))\n")
    env = clean_env(tmp_path)
    (Path(env["HOME"]) / "config").write_text(
        f"[default]\ncredential_process = {sys.executable} '{script}' --role \"a b\" '$HOME;touch {marker}'\n")
    frozen, _ = botocore_credentials(env)  # the AWS SDK reads the same line the same way
    assert frozen.access_key == key
    got = whoami(env, "--no-sts")
    assert got["provider"] == "credential_process", got["_text"]
    assert got["access key id"] == masked(key)
    assert "min" in got["expires"]
    assert not marker.exists()
    assert_no_secret(got, secret, token)


def test_sso_cached_token_and_portal_stand_in(tmp_path):
    key, secret, token = fake_keys("sso")
    expiration_ms = int((time.time() + 3600) * 1000)

    def portal(method, path, headers):
        if (method == "GET" and path.startswith("/federation/credentials?")
                and headers.get("x-amz-sso_bearer_token") == "cached-access-token"
                and "account_id=111122223333" in path and "role_name=Reader" in path):
            return 200, json.dumps({"roleCredentials": {"accessKeyId": key, "secretAccessKey": secret,
                                                        "sessionToken": token, "expiration": expiration_ms}})
        return 403, "{}"

    server = StandIn(portal)
    try:
        env = clean_env(tmp_path, AWS_PROFILE="dev", AWS_ENDPOINT_URL_SSO=server.url)
        home = Path(env["HOME"])
        (home / "config").write_text("[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n"
                                     "sso_role_name = Reader\nregion = us-west-2\n"
                                     "[sso-session corp]\nsso_region = us-east-1\n"
                                     "sso_start_url = https://d-123.awsapps.com/start\n")
        cache = home / ".aws" / "sso" / "cache"
        cache.mkdir(parents=True)
        (cache / (hashlib.sha1(b"corp").hexdigest() + ".json")).write_text(json.dumps(
            {"accessToken": "cached-access-token", "expiresAt": expiry_in(3600), "region": "us-east-1",
             "startUrl": "https://d-123.awsapps.com/start"}))
        frozen, _ = botocore_credentials(env)  # botocore finds the cache file and asks the stand-in
        assert frozen.access_key == key
        got = whoami(env, "--no-sts")
        assert got["provider"] == "sso", got["_text"]
        assert got["access key id"] == masked(key)
        assert_no_secret(got, secret, token, "cached-access-token")
    finally:
        server.close()


# --- ECS and IMDS stand-ins --------------------------------------------------------------------

def test_ecs_container_credentials_with_a_token_file(tmp_path):
    key, secret, token = fake_keys("ecs")
    auth = "ecs-auth-" + "y" * 16

    def ecs(method, path, headers):
        if method == "GET" and path == "/v2/credentials/task" and headers.get("Authorization") == auth:
            return 200, json.dumps({"AccessKeyId": key, "SecretAccessKey": secret, "Token": token,
                                    "Expiration": expiry_in(3600), "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/task"})
        return 401, "{}"

    server = StandIn(ecs)
    try:
        token_file = tmp_path / "ecs-token"
        token_file.write_text(auth)
        env = clean_env(tmp_path, AWS_CONTAINER_CREDENTIALS_FULL_URI=server.url + "/v2/credentials/task",
                        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=str(token_file))
        frozen, _ = botocore_credentials(env)
        assert (frozen.access_key, frozen.secret_key, frozen.token) == (key, secret, token)
        got = whoami(env, "--no-sts")
        assert got["provider"] == "ecs", got["_text"]
        assert got["access key id"] == masked(key)
        assert_no_secret(got, secret, token, auth)
        # A plain-http address that is not loopback is refused before any request.
        bad = run(["aws", "whoami", "--no-sts"], check=False, env=dict(
            env, AWS_CONTAINER_CREDENTIALS_FULL_URI="http://192.0.2.10/creds"))
        assert bad.returncode != 0 and "loopback" in bad.stderr
    finally:
        server.close()


class ImdsStandIn(StandIn):
    """IMDSv2: a session token from PUT /latest/api/token (TTL header required), then GETs that carry it."""

    def __init__(self, creds_fn, region="eu-central-1", role="tl-instance-role"):
        self.tokens = set()
        self.creds_fn = creds_fn

        def imds(method, path, headers):
            if path == "/latest/api/token":
                if method != "PUT" or not headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                    return 400, ""
                t = "imds-session-" + str(len(self.tokens))
                self.tokens.add(t)
                return 200, t
            if method != "GET" or headers.get("X-aws-ec2-metadata-token") not in self.tokens:
                return 401, ""  # IMDSv1 refused: v2 only
            if path == "/latest/meta-data/placement/region":
                return 200, region
            if path == "/latest/meta-data/iam/security-credentials/":
                return 200, role
            if path == f"/latest/meta-data/iam/security-credentials/{role}":
                return 200, json.dumps(self.creds_fn())
            return 404, ""

        super().__init__(imds)


def test_imds_v2_instance_role_and_region(tmp_path):
    key, secret, token = fake_keys("imds")
    server = ImdsStandIn(lambda: {"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": key, "SecretAccessKey": secret,
                                  "Token": token, "Expiration": expiry_in(6 * 3600),
                                  "LastUpdated": expiry_in(0)})
    try:
        env = clean_env(tmp_path, AWS_EC2_METADATA_SERVICE_ENDPOINT=server.url)
        del env["AWS_EC2_METADATA_DISABLED"]
        frozen, session = botocore_credentials(env)
        assert (frozen.access_key, frozen.secret_key, frozen.token) == (key, secret, token)
        got = whoami(env, "--no-sts")
        assert got["provider"] == "imds", got["_text"]
        assert got["access key id"] == masked(key)
        assert got["region"] == "eu-central-1 (instance metadata)"
        assert_no_secret(got, secret, token)
        assert all(r[0] in ("PUT", "GET") for r in server.requests)
        # Disabled: the chain stops before IMDS and says so.
        off = run(["aws", "whoami", "--no-sts"], check=False, env=dict(env, AWS_EC2_METADATA_DISABLED="true"))
        assert off.returncode != 0 and "AWS_EC2_METADATA_DISABLED" in off.stderr
    finally:
        server.close()


# --- MSK IAM -----------------------------------------------------------------------------------

def test_msk_iam_token_matches_the_reference_signer():
    """The reference signer, at the unit test's fixed time and credentials, gives the strings
    src/aws/tests/msk_iam_token_test.cc expects of ticklake's signer (byte for byte)."""
    import botocore.auth
    from botocore.credentials import Credentials
    from aws_msk_iam_sasl_signer import MSKAuthTokenProvider as reference

    construct = vars(reference)["__construct_auth_token"]
    source = (ROOT / "src" / "aws" / "tests" / "msk_iam_token_test.cc").read_text()

    def expected(name):
        return re.search(name + r' =\s*"([^"]+)";', source).group(1)

    fixed = datetime.datetime(2024, 5, 1, 12, 0, 0)
    with mock.patch.object(botocore.auth, "get_current_datetime", lambda *a, **k: fixed):
        with_session, expiry = construct("us-west-2", Credentials(
            "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "TOKEN/with+chars="))
        without_session, _ = construct("us-west-2", Credentials(
            "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))
    assert with_session == expected("kTokenWithSession")
    assert without_session == expected("kTokenWithoutSession")
    assert expiry == int(re.search(r"kReferenceExpiryMs = (\d+);", source).group(1))
    url = base64.urlsafe_b64decode(with_session + "==").decode()
    assert url.startswith("https://kafka.us-west-2.amazonaws.com/?Action=kafka-cluster%3AConnect&")


# --- refresh, proven against MinIO -------------------------------------------------------------

ROTATION_HELPER = '''
import datetime, json, os, secrets, sys, time
from minio import MinioAdmin  # the PyPI SDK: this file's folder, not tests/integration, is on sys.path
from minio.credentials import StaticProvider

admin = MinioAdmin(endpoint=os.environ["TL_MINIO_HOSTPORT"], secure=False,
                   credentials=StaticProvider(os.environ["TL_MINIO_ROOT_KEY"], os.environ["TL_MINIO_ROOT_SECRET"]))
if sys.argv[1] == "add":
    key, secret = "rot" + secrets.token_hex(8), secrets.token_hex(20)
    admin.add_service_account(access_key=key, secret_key=secret)
    with open(os.environ["TL_ROTATION_LOG"], "a") as log:
        log.write(f"{time.time()} {key} {secret}\\n")
    expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=int(os.environ["TL_LIFETIME_S"]))
    print(json.dumps({"Version": 1, "AccessKeyId": key, "SecretAccessKey": secret,
                      "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}))
else:
    admin.delete_service_account(sys.argv[2])
'''


def test_sink_keeps_writing_across_three_key_rotations_exactly_once(minio, s3, broker, topic, tmp_path):
    """credential_process hands out MinIO service-account keys whose stated Expiration is 20 s
    ahead; after each rotation the test deletes the previous key in MinIO. The sink must sign
    every request with a live key and land every event exactly once."""
    lifetime_s, n, rate = 20, 120_000, 2_000  # a minute of production: five or six rotations
    bucket = "tl-rotate-" + topic[2:]
    s3.create_bucket(Bucket=bucket)
    helper = tmp_path / "rotation_helper.py"
    helper.write_text(ROTATION_HELPER)
    log_path = tmp_path / "rotations.log"
    config = tmp_path / "aws-config"
    config.write_text(f"[default]\ncredential_process = {sys.executable} {helper} add\n")
    env = {k: v for k, v in minio.ticklake_env(tmpdir=tmp_path / "tmp").items()
           if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    helper_env = dict(TL_MINIO_HOSTPORT=minio.endpoint.split("://", 1)[1], TL_MINIO_ROOT_KEY=minio.access_key,
                      TL_MINIO_ROOT_SECRET=minio.secret_key, TL_ROTATION_LOG=str(log_path),
                      TL_LIFETIME_S=str(lifetime_s))
    env.update(helper_env, AWS_CONFIG_FILE=str(config), AWS_EC2_METADATA_DISABLED="true")

    def issued():
        if not log_path.exists():
            return []
        return [line.split() for line in log_path.read_text().splitlines() if line.strip()]

    def revoke(key):
        subprocess.run([sys.executable, str(helper), "remove", key], env=dict(os.environ, **helper_env),
                       check=True, capture_output=True, timeout=60)

    producer = subprocess.Popen([str(BINARY), "produce", "-b", broker.bootstrap, "-t", topic,
                                 "--source", "sim", "--count", str(n), "--seed", "11", "--symbols", "20",
                                 "--days", "1", "--partitions", "2", "--rate", str(rate), "--no-progress"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sink_log = tmp_path / "sink.log"
    summary = tmp_path / "summary.json"
    with open(sink_log, "w") as err:
        sink = subprocess.Popen([str(BINARY), *sink_args(broker, topic, f"s3://{bucket}/lake", fmt="jsonl", idle=20,
                                                         extra=("--max-buffer-age", "2s", "--summary-json",
                                                                str(summary)))],
                                stdout=subprocess.DEVNULL, stderr=err, env=env)
    revoked = []
    revocation_times = []
    try:
        deadline = time.monotonic() + 240
        while sink.poll() is None:
            assert time.monotonic() < deadline, "the sink did not finish within 240 s"
            keys = issued()
            # Every key but the newest is revoked 3 s after its successor was handed out (a request
            # signed just before the switch may still be on the wire).
            for (t_prev, key_prev, _), (t_next, _, _) in zip(keys, keys[1:]):
                if key_prev not in revoked and time.time() - float(t_next) > 3:
                    revoke(key_prev)
                    revoked.append(key_prev)
                    revocation_times.append(time.time())
            time.sleep(0.2)
        producer.wait(timeout=60)
    finally:
        for p in (producer, sink):
            if p.poll() is None:
                p.kill()
                p.wait(timeout=60)
    output = minio.redact(sink_log.read_text())
    assert sink.returncode == 0, output[-3000:]
    keys = issued()
    assert len(revoked) >= 3, f"only {len(revoked)} rotations with revocation: {output[-2000:]}"
    for _, key, _ in keys:
        assert key not in sink_log.read_text()
    # A revoked key is refused by MinIO: the revocation was real.
    _, old_key, old_secret = keys[0]
    import boto3
    from botocore.exceptions import ClientError
    old = boto3.client("s3", endpoint_url=minio.endpoint, region_name="us-east-1", aws_access_key_id=old_key,
                       aws_secret_access_key=old_secret)
    with pytest.raises(ClientError):
        old.list_objects_v2(Bucket=bucket, MaxKeys=1)
    # Every event exactly once, and files written after the third revocation.
    from minio import list_keys
    data = [k for k in list_keys(s3, bucket, "lake/market/")]
    ids = [json.loads(line)["id"] for k in data for line in s3.get_object(Bucket=bucket, Key=k)["Body"].read().splitlines()]
    assert len(ids) == n, (len(ids), n)
    assert len(set(ids)) == n
    newest = max(s3.head_object(Bucket=bucket, Key=k)["LastModified"].timestamp() for k in data)
    assert newest > revocation_times[2], "nothing was written after the third revocation"
    stats = json.loads(summary.read_text())
    print(f"rotations issued {len(keys)}, revoked {len(revoked)}, events {len(ids)}, summary {stats.get('rows_written', stats)}")
