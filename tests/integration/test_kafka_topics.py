"""`ticklake kafka topics list|create|describe|delete` against the real local broker, checked
with independent clients: kcat's metadata (-L -J) for partitions, leaders, replicas and ISR,
and Kafka's own ConfigCommand (the class behind kafka-configs.sh) for the topic configs.
Also the broker's topic creation on first use, and its refusal with --no-auto-create."""
import json
import os
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path

from conftest import ROOT, Broker, run

SET_CONFIGS = {"retention.ms": "3600000", "cleanup.policy": "compact"}


def topics(broker, *args, check=True):
    return run(["kafka", "topics", *args, "-b", broker.bootstrap], check=check, timeout=60)


def topics_json(broker, *args):
    return json.loads(topics(broker, *args, "--json").stdout)


def kcat_metadata(broker):
    """All topics as kcat sees them: {topic: [partition dicts]}. Never names one topic, since a
    metadata request for a missing topic would create it on a broker that auto-creates."""
    out = subprocess.run(["kcat", "-L", "-J", "-b", broker.bootstrap], capture_output=True, text=True, check=True,
                         timeout=30).stdout
    return {t["topic"]: t["partitions"] for t in json.loads(out)["topics"]}


def kafka_tool(main_class, *args):
    """Runs a Kafka command-line tool from the broker's own jars (what kafka-*.sh run)."""
    libs = next(Path(p) for p in (os.environ.get("TICKLAKE_KAFKA_LIBS"),
                                  os.environ.get("KAFKA_HOME") and os.environ["KAFKA_HOME"] + "/libs",
                                  str(ROOT / ".deps" / "kafka" / "libs")) if p and Path(p).is_dir())
    java = Path(os.environ["JAVA_HOME"]) / "bin" / "java" if os.environ.get("JAVA_HOME") else shutil.which("java")
    proc = subprocess.run([str(java), "-cp", f"{libs}/*", main_class, *args], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def configs_set_on_topic(broker, topic):
    """{key: value} of the topic's dynamic configs, as kafka-configs.sh --describe prints them."""
    out = kafka_tool("kafka.admin.ConfigCommand", "--bootstrap-server", broker.bootstrap, "--entity-type", "topics",
                     "--entity-name", topic, "--describe")
    return dict(re.findall(r"^\s+([\w.]+)=(\S*) sensitive=", out, re.M))


def new_topic_name(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def assert_agrees_with_kcat(broker, described):
    partitions = kcat_metadata(broker)[described["topic"]]
    assert described["partition_count"] == len(partitions)
    assert described["replication_factor"] == max(len(p["replicas"]) for p in partitions)
    by_id = {p["partition"]: p for p in partitions}
    for p in described["partitions"]:
        theirs = by_id[p["partition"]]
        assert p["leader"] == theirs["leader"]
        assert p["replicas"] == [r["id"] for r in theirs["replicas"]]
        assert sorted(p["isr"]) == sorted(r["id"] for r in theirs["isrs"])


def test_create_list_describe_delete_agree_with_kcat_and_kafka_configs(broker):
    compacted, plain = new_topic_name("admin-c"), new_topic_name("admin-p")
    args = [f"--config={k}={v}" for k, v in SET_CONFIGS.items()]
    assert topics(broker, "create", compacted, "--partitions", "3", "--replication-factor", "1", *args).stdout \
        == f"created topic {compacted}\n"
    topics(broker, "create", "--topic", plain)

    listed = {t["topic"]: t for t in topics_json(broker, "list")}
    kcat = kcat_metadata(broker)
    assert set(listed) == {t for t in kcat if not t.startswith("__")}, "list hides only internal topics"
    assert {t["topic"] for t in topics_json(broker, "list", "--include-internal")} == set(kcat)
    assert listed[compacted] == {"topic": compacted, "partition_count": 3, "replication_factor": 1,
                                 "internal": False}
    assert listed[plain]["partition_count"] == 1, "the broker's num.partitions"
    assert re.search(rf"^{compacted}\s+3\s+1$", topics(broker, "list").stdout, re.M)

    described = topics_json(broker, "describe", compacted)
    assert_agrees_with_kcat(broker, described)
    assert_agrees_with_kcat(broker, topics_json(broker, "describe", plain))
    configs = {c["name"]: c for c in described["configs"]}
    dynamic = {k: c["value"] for k, c in configs.items() if c["source"] == "DYNAMIC_TOPIC_CONFIG"}
    assert dynamic == SET_CONFIGS == configs_set_on_topic(broker, compacted)
    assert not any(c["default"] for c in configs.values()), "defaults are left out without --all-configs"
    assert configs["segment.bytes"] == {"name": "segment.bytes", "value": str(256 << 20),
                                        "source": "STATIC_BROKER_CONFIG", "default": False, "read_only": False,
                                        "sensitive": False}, "log.segment.bytes of the broker's server.properties"
    every = {c["name"]: c for c in topics_json(broker, "describe", compacted, "--all-configs")["configs"]}
    assert every["max.message.bytes"]["default"] and every["max.message.bytes"]["source"] == "DEFAULT_CONFIG"
    text = topics(broker, "describe", compacted).stdout
    assert re.search(r"^cleanup\.policy\s+compact\s+DYNAMIC_TOPIC_CONFIG$", text, re.M), text
    assert re.search(r"^\s+0\s+1\s+1\s+1$", text, re.M), text

    topics(broker, "delete", compacted)
    assert compacted not in {t["topic"] for t in topics_json(broker, "list")}
    assert compacted not in kcat_metadata(broker)
    assert plain in kcat_metadata(broker)
    topics(broker, "delete", plain)


def test_mistakes_exit_non_zero_with_the_reason(broker):
    name = new_topic_name("admin-m")
    topics(broker, "create", name)
    again = topics(broker, "create", name, check=False)
    assert again.returncode == 1 and "already exists" in again.stderr, again.stderr
    assert topics(broker, "create", name, "--if-not-exists").stdout == f"topic {name} exists already; nothing changed\n"
    too_many = topics(broker, "create", new_topic_name("admin-r"), "--replication-factor", "3", check=False)
    assert too_many.returncode == 2 and "replication" in too_many.stderr.lower(), too_many.stderr
    unknown = topics(broker, "create", new_topic_name("admin-u"), "--config", "no.such.config=1", check=False)
    assert unknown.returncode == 2 and "no.such.config" in unknown.stderr, unknown.stderr
    malformed = topics(broker, "create", new_topic_name("admin-x"), "--config", "retention.ms", check=False)
    assert malformed.returncode != 0 and "KEY=VALUE" in malformed.stderr, malformed.stderr
    topics(broker, "delete", name)
    for cmd in (["delete", name], ["describe", name]):
        missing = topics(broker, *cmd, check=False)
        assert missing.returncode == 1 and "does not exist" in missing.stderr, missing.stderr
    assert topics(broker, "delete", name, "--if-exists").stdout == f"topic {name} does not exist; nothing deleted\n"


def kcat_produce(broker, topic, value):
    return subprocess.run(["kcat", "-P", "-b", broker.bootstrap, "-t", topic,
                           "-X", "topic.metadata.propagation.max.ms=2000", "-X", "message.timeout.ms=4000"],
                          input=value + "\n", capture_output=True, text=True, timeout=30)


def test_the_broker_creates_a_topic_on_first_produce(broker):
    name = new_topic_name("auto")
    assert name not in kcat_metadata(broker)
    sent = kcat_produce(broker, name, "hello")
    assert sent.returncode == 0, sent.stderr
    assert topics_json(broker, "describe", name)["partition_count"] == 1
    got = subprocess.run(["kcat", "-C", "-b", broker.bootstrap, "-t", name, "-o", "beginning", "-e", "-q"],
                         capture_output=True, text=True, check=True, timeout=30).stdout
    assert got == "hello\n"


def test_a_broker_started_with_no_auto_create_refuses_unknown_topics(tmp_path):
    strict = Broker(tmp_path / "strict-kafka")
    strict.start("--no-auto-create")
    try:
        name = new_topic_name("strict")
        start = time.time()
        refused = kcat_produce(strict, name, "hello")
        assert time.time() - start < 20
        assert refused.returncode != 0 and "Unknown topic" in refused.stderr, refused.stderr
        assert name not in kcat_metadata(strict)
        topics(strict, "create", name)
        sent = kcat_produce(strict, name, "hello")
        assert sent.returncode == 0, sent.stderr
    finally:
        strict.stop()
