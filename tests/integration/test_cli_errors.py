"""Usage errors exit 2 with a "did you mean", read-only commands never create a catalog, and
duration flags read units and plain seconds alike (issue #12, item 5)."""
import os
import time

import pytest

from conftest import produce_sim, run, sink


@pytest.mark.parametrize("args, guess", [
    (["catlog", "tables"], "'catalog'"),
    (["prodcue", "-t", "x"], "'produce'"),
    (["catalog", "tabels"], "'tables'"),
    (["kafka", "topics", "lsit"], "'list'"),
    (["catalog", "tables", "--jsno"], "'--json'"),
    (["sink", "-t", "x", "-w", "wh", "--untl-idle", "5"], "'--until-idle'"),
    (["query", "--formt", "csv", "SELECT 1"], "'--format'"),
])
def test_mistyped_commands_and_flags_exit_2_with_a_guess(args, guess):
    proc = run(args, check=False, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert f"did you mean {guess}?" in proc.stderr, proc.stderr
    assert "--help" in proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize("args", [
    ["bananas"],                                        # nothing close: no guess, still 2
    [],                                                 # no command
    ["sink", "-t", "x"],                                # a required flag missing
    ["sink", "-t", "x", "-w", "wh", "--format", "orc"], # a value outside the choices
    ["produce", "-t", "x", "--count", "many"],          # not a number
    ["sink", "-t", "x", "-w", "wh", "--max-buffer-age", "soon"],
    ["kafka", "stop", "--timeout", "250ms"],            # whole seconds only
])
def test_every_usage_error_exits_2(args):
    proc = run(args, check=False, timeout=60)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "error:" in proc.stderr


def test_help_and_version_still_exit_0_and_help_documents_the_codes():
    assert run(["--version"]).stdout.startswith("ticklake ")
    top = run(["--help"]).stdout
    assert "Exit status: 0 ok; 1 failed; 2 usage error" in top and "250ms, 30s, 5m, 1h, 1d" in top
    assert run(["catalog", "tables", "--help"]).returncode == 0


READ_ONLY = [["catalog", "databases"], ["catalog", "tables"], ["catalog", "describe", "market.trades"],
             ["catalog", "partitions", "market.trades"], ["catalog", "history", "market.trades"],
             ["catalog", "export-ddl", "market.trades"], ["catalog", "export-glue", "market.trades"],
             ["query", "SELECT 1 FROM market.trades"]]


@pytest.mark.parametrize("args", READ_ONLY, ids=lambda a: " ".join(a[:2]))
def test_read_only_commands_never_create_a_catalog(args, tmp_path):
    typo = tmp_path / "x" / "typo.db"
    proc = run([*args, "--catalog", str(typo)], check=False, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert f"no catalog at {typo}" in proc.stderr
    assert "ticklake sink" in proc.stderr and "ticklake crawl" in proc.stderr
    assert not typo.exists() and not typo.parent.exists()


def test_query_without_any_catalog_yet_says_there_are_no_tables(tmp_path):
    default = tmp_path / "share" / "ticklake" / "catalog.db"
    env = {**os.environ, "TICKLAKE_CATALOG": str(default)}
    for args in (["query", "SELECT 1 FROM market.trades"], ["catalog", "tables"]):
        proc = run(args, check=False, timeout=60, env=env)
        assert proc.returncode == 2, proc.stderr
        assert f"no catalog at {default}" in proc.stderr
    assert "no tables yet" in run(["query", "SELECT 1"], check=False, timeout=60, env=env).stderr
    assert not default.exists()


def test_a_catalog_command_reads_what_the_sink_registered(broker, topic, tmp_path):
    catalog = tmp_path / "catalog.db"
    produce_sim(broker, topic, 2000, partitions=2)
    sink(broker, topic, tmp_path / "wh", extra=("--catalog", str(catalog)))
    proc = run(["catalog", "tables", "--catalog", str(catalog)])
    assert "market.trades" in proc.stdout or "trades" in proc.stdout


@pytest.mark.parametrize("idle", ["2s", "2", "2000ms"])
def test_a_duration_flag_takes_units_and_plain_seconds(broker, topic, tmp_path, idle):
    produce_sim(broker, topic, 3000, partitions=2)
    started = time.monotonic()
    summary, proc = sink(broker, topic, tmp_path / "wh", idle=idle, extra=("--no-register", "--max-buffer-age", "1m"))
    assert proc.returncode == 0
    assert sum(summary["rows_by_table"].values()) == 3000
    assert time.monotonic() - started >= 2  # idle for 2 s before it exits, whatever the spelling


def test_a_bad_duration_names_the_flag_and_the_units():
    proc = run(["sink", "-t", "x", "-w", "wh", "--until-idle", "5 parsecs"], check=False, timeout=60)
    assert proc.returncode == 2
    assert "--until-idle" in proc.stderr and "us, ms, s, m, h or d" in proc.stderr, proc.stderr
