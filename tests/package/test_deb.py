"""`make package-test`: the .deb installs and runs in a fresh root, and its systemd units verify.

The fresh root is built offline, from this machine's own Debian packages: the .deb's files
(dpkg -x) plus the files of the Essential packages (every Debian root has them: debootstrap's
minbase) and of exactly the packages its Depends field names, followed through their own
Depends (dpkg -L of each). Nothing else of the host is in it, so a library the .deb
uses but does not declare is missing there, and the binary fails to start: the test for that
is below. (debootstrap would fetch the same packages from Debian's mirror; tests may not
download, so the host's installed copies stand in for them.) The units are verified inside
the root after systemd and man-db (the init system and the pager they name) are added the
same way.
"""
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOADER = "/lib64/ld-linux-x86-64.so.2"
CHROOT = shutil.which("chroot") or "/usr/sbin/chroot"  # looked up here: the root's PATH is not the host's
# What ticklake links that Debian ships; dpkg-shlibdeps must have found each of them.
EXPECTED_DEPENDS = {"libc6", "libstdc++6", "libgcc-s1", "librdkafka1", "libcurl4", "libssl3", "libsqlite3-0",
                    "libzip4", "libedit2", "libfmt9", "libspdlog1.10-fmt9", "libsimdjson14", "libdate-tz3", "zlib1g"}


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)


@pytest.fixture(scope="module")
def deb():
    if os.environ.get("TICKLAKE_DEB"):
        path = Path(os.environ["TICKLAKE_DEB"])
    else:
        found = sorted((ROOT / "build" / "package").glob("ticklake_*_amd64.deb"))
        assert found, "no build/package/ticklake_*_amd64.deb: run `make package` first"
        path = found[-1]
    assert path.is_file(), path
    return path


def parse_depends(field):
    """[[(name, relation, version), ...alternatives], ...] of a Depends field."""
    out = []
    for clause in filter(None, (c.strip() for c in field.split(","))):
        alts = []
        for alt in clause.split("|"):
            m = re.match(r"\s*([a-z0-9][a-z0-9+.-]*)(?::[a-z0-9]+)?\s*(?:\((<<|<=|=|>=|>>)\s*([^)]+)\))?", alt)
            assert m, f"cannot read dependency {alt!r}"
            alts.append((m.group(1), m.group(2), (m.group(3) or "").strip()))
        out.append(alts)
    return out


class HostPackages:
    """The host's installed packages: versions, Depends and what each Provides."""

    def __init__(self):
        fmt = "${Package}\t${Version}\t${db:Status-Abbrev}\t${Pre-Depends}, ${Depends}\t${Provides}\t${Essential}\n"
        self.version, self.depends, self.providers, self.essential = {}, {}, {}, []
        for line in run(["dpkg-query", "-W", "-f", fmt]).stdout.splitlines():
            name, version, status, depends, provides, essential = line.split("\t")
            if not status.startswith("ii"):
                continue
            self.version[name] = version
            if essential == "yes":
                self.essential.append([(name, None, "")])
            self.depends[name] = parse_depends(depends)
            for provided in parse_depends(provides):
                self.providers.setdefault(provided[0][0], []).append(name)

    def satisfies(self, name, relation, version):
        """The installed package answering for `name` under the version constraint, or None."""
        for candidate in [name] if name in self.version else self.providers.get(name, []):
            if candidate not in self.version:
                continue
            if not relation or subprocess.run(["dpkg", "--compare-versions", self.version[candidate],
                                               {"<<": "lt", "<=": "le", "=": "eq", ">=": "ge", ">>": "gt"}[relation],
                                               version]).returncode == 0:
                return candidate
        return None

    def closure(self, clauses, leave_out=()):
        """Every installed package the Depends `clauses` pull in, transitively (first alternative that
        fits), on top of the Essential ones: the base every Debian root has (debootstrap's minbase),
        which packages never declare (/bin/sh, coreutils, ...)."""
        chosen, todo = set(), list(clauses) + self.essential
        while todo:
            alts = todo.pop()
            pick = next((p for p in (self.satisfies(*a) for a in alts) if p), None)
            assert pick, f"no installed package satisfies {alts}"
            if pick in chosen or pick in leave_out:
                continue
            chosen.add(pick)
            todo.extend(self.depends[pick])
        return chosen

    def files(self, package):
        out = run(["dpkg-query", "-L", package]).stdout.splitlines()
        return [f for f in out if f.startswith("/") and os.path.lexists(f) and not os.path.isdir(f)]


@pytest.fixture(scope="module")
def host():
    return HostPackages()


@pytest.fixture(scope="module")
def control(deb):
    fields = run(["dpkg-deb", "-f", str(deb)]).stdout
    return dict(re.findall(r"^([A-Za-z-]+): ((?:.*\n?)(?:^ .*\n?)*)", fields, re.M))


def add_packages(root, host, packages):
    """The host's files of `packages` at the same paths under `root`; symlinks stay links
    (libfoo.so.1 -> libfoo.so.1.2.3), and the root's /lib -> usr/lib links are followed."""
    for package in sorted(packages):
        for f in host.files(package):
            dest = root / f.lstrip("/")
            if os.path.lexists(dest):
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            if os.path.islink(f):
                os.symlink(os.readlink(f), dest)
            else:
                shutil.copy2(f, dest)


def make_root(path, deb, host, packages):
    """A root with the usual merged-/usr links, the host's files of `packages`, and the .deb."""
    path.mkdir(parents=True)
    for d in ("bin", "sbin", "lib", "lib64"):
        if os.path.islink(f"/{d}"):
            os.symlink(os.readlink(f"/{d}"), path / d)
    for sub in ("usr/bin", "usr/sbin", "usr/lib", "usr/lib64", "etc", "tmp", "proc", "dev", "run", "var/tmp"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    os.chmod(path / "tmp", 0o1777)
    os.mknod(path / "dev/null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    os.chmod(path / "dev/null", 0o666)
    add_packages(path, host, packages)
    subprocess.run(["dpkg", "-x", str(deb), str(path)], check=True)
    return path


def in_root(root, *cmd, env=None, **kw):
    """`cmd` run inside `root`, with /proc mounted there for the time of the call (glibc resolves
    the $ORIGIN of a RUNPATH through /proc/self/exe, as on any running system)."""
    proc = root / "proc"
    subprocess.run(["mount", "-t", "proc", "proc", str(proc)], check=True)
    try:
        return run([CHROOT, str(root), *cmd], env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C", **(env or {})},
                   **kw)
    finally:
        subprocess.run(["umount", str(proc)], check=True)


@pytest.fixture(scope="module")
def root(tmp_path_factory, deb, host, control):
    packages = host.closure(parse_depends(control["Depends"]))
    return make_root(tmp_path_factory.mktemp("pkg") / "root", deb, host, packages)


def test_the_deb_declares_its_debian_dependencies_and_bundles_duckdb(deb, control, host):
    assert control["Package"].strip() == "ticklake"
    assert deb.name == f"ticklake_{control['Version'].strip()}_amd64.deb"
    declared = parse_depends(control["Depends"])
    names = {alts[0][0] for alts in declared}
    assert EXPECTED_DEPENDS <= names, f"missing from Depends: {EXPECTED_DEPENDS - names}"
    assert not any(n.startswith("libduckdb") for n in names), "DuckDB is bundled, not a Debian dependency"
    for alts in declared:  # this machine, where the package was built, satisfies every constraint
        assert any(host.satisfies(*a) for a in alts), alts
    contents = run(["dpkg-deb", "-c", str(deb)]).stdout
    for path in ("./usr/bin/ticklake", "./usr/lib/ticklake/libduckdb.so", "./usr/share/man/man1/ticklake.1.gz",
                 "./usr/share/man/man1/ticklake-sink.1.gz", "./usr/share/bash-completion/completions/ticklake",
                 "./usr/share/zsh/vendor-completions/_ticklake", "./usr/lib/systemd/system/ticklake-sink@.service",
                 "./usr/lib/systemd/system/ticklake-produce@.service", "./usr/share/doc/ticklake/deploy.md"):
        assert re.search(rf" {re.escape(path)}$", contents, re.M), f"{path} is not in the package"


def test_ticklake_runs_in_a_fresh_root_with_only_its_declared_dependencies(root):
    listed = in_root(root, LOADER, "--list", "/usr/bin/ticklake")
    assert listed.returncode == 0 and "not found" not in listed.stdout, listed.stdout + listed.stderr
    runpath = run(["readelf", "-d", str(root / "usr/bin/ticklake")]).stdout
    assert "[$ORIGIN/../lib/ticklake]" in runpath, runpath
    version = in_root(root, "/usr/bin/ticklake", "--version")
    assert version.returncode == 0, version.stderr
    assert re.fullmatch(r"ticklake \d+\.\d+\.\d+\n", version.stdout), version.stdout
    usage = in_root(root, "/usr/bin/ticklake", "--help")
    assert usage.returncode == 0 and "Usage: " in usage.stdout and "sink" in usage.stdout, usage.stderr
    assert in_root(root, "/usr/bin/ticklake", "sink", "--help").returncode == 0
    # DuckDB is dlopen()ed on first use: the bundled copy must be the one found, through RUNPATH.
    (root / "tmp/wh").mkdir(exist_ok=True)
    answer = in_root(root, "/usr/bin/ticklake", "query", "-q", "-w", "/tmp/wh", "--format", "csv",
                     "SELECT 6 * 7 AS answer")
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.splitlines() == ["answer", "42"], answer.stdout
    script = in_root(root, "/usr/bin/ticklake", "completion", "bash")
    assert script.returncode == 0 and "complete -o default -F _ticklake ticklake" in script.stdout


def test_a_dependency_left_out_of_the_root_stops_the_binary(tmp_path, deb, host, control):
    # The check above can fail: the same root without one declared library.
    packages = host.closure(parse_depends(control["Depends"]), leave_out={"librdkafka1"})
    broken = make_root(tmp_path / "root", deb, host, packages)
    listed = in_root(broken, LOADER, "--list", "/usr/bin/ticklake")
    assert listed.returncode != 0 and "librdkafka.so.1" in listed.stdout + listed.stderr, listed
    version = in_root(broken, "/usr/bin/ticklake", "--version")
    assert version.returncode != 0 and "librdkafka.so.1" in version.stderr, version.stderr


@pytest.fixture(scope="module")
def unit_root(root, host):
    """The root plus systemd and man-db: the units name both (ExecStart, Documentation=man:)."""
    add_packages(root, host, host.closure([[("systemd", None, "")], [("man-db", None, "")]]))
    return root


def verify(root, *units):
    # man-db's index is not in the root; MANPATH points man at the pages the package installed.
    return in_root(root, "systemd-analyze", "verify", *units, env={"MANPATH": "/usr/share/man"})


def test_the_systemd_units_verify_in_the_root(unit_root):
    result = verify(unit_root, "ticklake-sink@demo.service", "ticklake-produce@demo.service")
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr
    sink = (unit_root / "usr/lib/systemd/system/ticklake-sink@.service").read_text()
    for setting in ("ExecStart=/usr/bin/ticklake sink --config /etc/ticklake/%i.toml", "Restart=on-failure",
                    "KillSignal=SIGTERM", "TimeoutStopSec=", "DynamicUser=yes", "ProtectSystem=strict",
                    "NoNewPrivileges=yes", "StateDirectory=ticklake/%i"):
        assert setting in sink, setting


def test_verify_refuses_a_unit_whose_program_is_missing(unit_root):
    # The verification above can fail: the same unit pointing at a program the package lacks.
    unit = unit_root / "etc/systemd/system/ticklake-broken@.service"
    unit.parent.mkdir(parents=True, exist_ok=True)
    text = (unit_root / "usr/lib/systemd/system/ticklake-sink@.service").read_text()
    unit.write_text(text.replace("/usr/bin/ticklake sink", "/usr/bin/ticklake-missing sink"))
    try:
        result = verify(unit_root, "ticklake-broken@demo.service")
        assert result.returncode != 0 and "ticklake-missing" in result.stderr, result.stderr
    finally:
        unit.unlink()
