"""Config file, secret references and logs (issue #13 items 3 and 5), against the real broker.

A TOML file with a [section] per command runs the sink with no other flag; flags on the command
line win over it; unknown keys are usage errors with a guess; ${env:} and ${file:} references
keep secrets off the command line and out of every output; --log-format json gives one object
per line and --log-level warn hides info lines. Counts are checked with DuckDB, not ticklake.
"""
import json
import os
import re

import duckdb

from conftest import produce_sim, run

SECRET = "s3cr3t-Value-that-must-never-be-logged-7f1d"


def ids(warehouse):
    return duckdb.connect().execute(
        f"SELECT count(*), count(DISTINCT id) FROM read_parquet('{warehouse}/market/*/*/*.parquet')").fetchone()


def toml_list(items):
    return "[" + ", ".join(json.dumps(str(i)) for i in items) + "]"


def sink_config(broker, topic, warehouse, summary, extra=""):
    return f"""# a sink run by its config file alone
log-level = "info"

[sink]
brokers = "{broker.bootstrap}"
topic = {toml_list([topic])}
group = "g-{topic}"
warehouse = "{warehouse}"
time-partition = "day"
until-idle = "3s"
no-progress = true
summary-json = "{summary}"
X = ["fetch.max.bytes=1048576"]
{extra}
"""


def test_a_config_file_runs_the_sink_with_no_other_flag(broker, topic, tmp_path):
    n = 5_000
    produce_sim(broker, topic, n, partitions=3)
    warehouse = tmp_path / "wh"
    summary = tmp_path / "summary.json"
    config = tmp_path / "sink.toml"
    config.write_text(sink_config(broker, topic, warehouse, summary))
    proc = run(["--config", str(config), "sink"], timeout=300)
    assert json.loads(summary.read_text())["consumed"] == n, proc.stderr
    assert ids(warehouse) == (n, n)


def test_flags_win_over_the_file_and_TICKLAKE_CONFIG_names_it(broker, topic, tmp_path):
    n = 2_000
    produce_sim(broker, topic, n, partitions=2)
    from_file, from_flag = tmp_path / "from-file", tmp_path / "from-flag"
    config = tmp_path / "sink.toml"
    config.write_text(sink_config(broker, topic, from_file, tmp_path / "summary.json"))
    env = {**os.environ, "TICKLAKE_CONFIG": str(config)}
    run(["sink", "--warehouse", str(from_flag)], env=env, timeout=300)
    assert ids(from_flag) == (n, n)
    assert not from_file.exists()
    # A TICKLAKE_CONFIG that names no file is an error, not a start with the defaults.
    missing = run(["sink"], check=False, timeout=60, env={**os.environ, "TICKLAKE_CONFIG": str(tmp_path / "none.toml")})
    assert missing.returncode == 2 and "none.toml" in missing.stderr, missing.stderr


def test_unknown_keys_and_sections_are_usage_errors_with_a_guess(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('[sink]\ntopc = ["x"]\nwarehouse = "/tmp/x"\n')
    proc = run(["--config", str(config), "sink"], check=False, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "unknown key 'topc' in [sink]" in proc.stderr and "did you mean 'topic'?" in proc.stderr, proc.stderr
    assert str(config) in proc.stderr
    config.write_text('[snk]\ntopic = ["x"]\n')
    proc = run(["--config", str(config), "sink", "-w", "/tmp/x", "-t", "x"], check=False, timeout=60)
    assert proc.returncode == 2 and "unknown section [snk]" in proc.stderr and "'sink'" in proc.stderr, proc.stderr
    config.write_text('log-levle = "warn"\n')
    proc = run(["--config", str(config), "config", "show"], check=False, timeout=60)
    assert proc.returncode == 2 and "did you mean 'log-level'?" in proc.stderr, proc.stderr


def test_a_missing_secret_names_its_key(tmp_path):
    config = tmp_path / "sink.toml"
    config.write_text('[sink]\ntopic = ["x"]\nwarehouse = "/tmp/x"\nX = ["sasl.password=${env:TICKLAKE_TEST_UNSET}"]\n')
    env = {k: v for k, v in os.environ.items() if k != "TICKLAKE_TEST_UNSET"}
    proc = run(["--config", str(config), "sink"], check=False, timeout=60, env=env)
    assert proc.returncode == 2, proc.stderr
    assert "sasl.password" in proc.stderr and "TICKLAKE_TEST_UNSET" in proc.stderr, proc.stderr
    props = tmp_path / "kafka.properties"
    props.write_text(f"sasl.password=${{file:{tmp_path / 'no-such-secret'}}}\n")
    proc = run(["sink", "-t", "x", "-w", "/tmp/x", "-F", str(props)], check=False, timeout=60)
    assert proc.returncode == 2 and "sasl.password" in proc.stderr and "no-such-secret" in proc.stderr, proc.stderr


def test_secrets_from_env_and_files_never_show_in_logs_or_config_show(broker, topic, tmp_path):
    n = 1_000
    produce_sim(broker, topic, n, partitions=2)
    warehouse = tmp_path / "wh"
    secret_file = tmp_path / "kafka-secret"
    secret_file.write_text(SECRET + "-file\n")
    props = tmp_path / "kafka.properties"
    props.write_text(f"# SASL settings the PLAINTEXT test broker ignores\nsasl.username = alice\n"
                     f"sasl.password = ${{file:{secret_file}}}\n")
    config = tmp_path / "sink.toml"
    config.write_text(sink_config(broker, topic, warehouse, tmp_path / "summary.json",
                                  extra=f'F = "{props}"\n').replace(
        'X = ["fetch.max.bytes=1048576"]',
        'X = ["fetch.max.bytes=1048576", "ssl.key.password=${env:TICKLAKE_TEST_SECRET}", "debug=conf,security"]'))
    env = {**os.environ, "TICKLAKE_TEST_SECRET": SECRET}
    # debug: librdkafka prints its whole configuration through the logger.
    proc = run(["--config", str(config), "--log-level", "debug", "sink"], env=env, timeout=300)
    assert ids(warehouse) == (n, n)
    assert "rdkafka" in proc.stderr, proc.stderr[-3000:]
    shown = run(["--config", str(config), "config", "show", "sink"], env=env, timeout=60)
    for out in (proc.stdout, proc.stderr, shown.stdout, shown.stderr):
        assert SECRET not in out
    assert "sasl.password = ********" in shown.stdout, shown.stdout
    assert '"ssl.key.password=********"' in shown.stdout, shown.stdout
    assert re.search(r'^topic = \["' + topic + r'"\]  # file$', shown.stdout, re.M), shown.stdout
    assert re.search(r'^max-memory-mib = "?512"?  # default$', shown.stdout, re.M), shown.stdout


def test_json_logs_are_one_object_per_line_and_warn_hides_info(broker, topic, tmp_path):
    n = 1_000
    produce_sim(broker, topic, n, partitions=2)
    base = ["sink", "-b", broker.bootstrap, "-t", topic, "--until-idle", "2", "--no-progress"]
    proc = run(["--log-format", "json", *base, "-g", "g1-" + topic, "-w", str(tmp_path / "a")], timeout=300)
    lines = [json.loads(line) for line in proc.stderr.splitlines()]  # every line parses
    assert lines, proc.stderr
    for line in lines:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["ts"]), line
        assert line["level"] in ("trace", "debug", "info", "warn", "error") and line["component"] and "msg" in line
    assert any(line["level"] == "info" and "consumed" in line["msg"] for line in lines), lines
    # Text (stderr is a pipe here): UTC time with milliseconds, then the level.
    text = run([*base, "-g", "g2-" + topic, "-w", str(tmp_path / "b")], timeout=300)
    assert any(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info ", l) for l in text.stderr.splitlines()), text.stderr
    quiet = run(["--log-level", "warn", *base, "-g", "g3-" + topic, "-w", str(tmp_path / "c")], timeout=300)
    assert " info " not in quiet.stderr and "consumed" not in quiet.stderr, quiet.stderr
    assert ids(tmp_path / "c") == (n, n)
