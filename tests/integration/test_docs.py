"""Docs that are generated from the code must match the code."""
import subprocess

from conftest import BINARY, ROOT


def test_cli_reference_is_generated_from_the_current_help(tmp_path):
    fresh = tmp_path / "cli.md"
    subprocess.run([str(ROOT / "scripts" / "gen_cli_docs.sh"), str(fresh)], check=True,
                   env={"TICKLAKE_BIN": str(BINARY), "PATH": "/usr/bin:/bin"})
    committed = (ROOT / "docs" / "cli.md").read_text()
    assert fresh.read_text() == committed, "docs/cli.md is stale: run scripts/gen_cli_docs.sh"


def test_every_command_has_help_that_names_its_options():
    for cmd, must in ((["produce"], ["--source", "--rate", "--speed", "--partitions", "-X"]),
                      (["sink"], ["--format", "--until-idle", "--rotate-rows", "--group", "--warehouse"]),
                      (["kafka", "start"], ["--port", "--state-dir"]),
                      (["crawl"], ["--catalog", "--database", "--exclude", "--full", "--on-change"]),
                      (["catalog", "export-ddl"], ["--catalog", "--location", "--no-projection"])):
        out = subprocess.run([str(BINARY), *cmd, "--help"], capture_output=True, text=True, check=True).stdout
        for option in must:
            assert option in out, f"{cmd} --help lacks {option}"


def test_bad_usage_exits_2_with_a_message():
    proc = subprocess.run([str(BINARY), "sink", "--topic", "t", "--warehouse", "/tmp/x", "--format", "orc"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "orc" in proc.stderr or "format" in proc.stderr
