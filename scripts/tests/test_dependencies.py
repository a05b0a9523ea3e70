"""cmake/dependencies.tsv is the one list of packages: ./hotbench and metadata.py read it as CMake does."""

import os
import subprocess

import pytest

from hotbench import metadata
from hotbench.errors import EXIT_INTERNAL, HotbenchError

ROOT = metadata.ROOT


def rows():
    for line in metadata.DEPENDENCIES.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.split("\t")


def test_every_row_has_the_five_columns_and_known_values():
    users = {"build", "python", "harness", "unit-tests", "test"}
    for fields in rows():
        assert len(fields) == 5, fields
        package, needed_by, find, targets, version = fields
        for who in needed_by.split(","):
            assert who in users or (ROOT / "bench" / who).is_dir(), (package, who)
        assert find == "-" or find.split()[0] in {"package", "header", "library", "program", "deb"}, (package, find)
        assert version in {"dpkg", "deb", "-"}, (package, version)
        assert (version == "deb") == find.startswith("deb "), package


def missing_packages_printed(tmp_path, dpkg_query: str) -> list[str]:
    """The packages `./hotbench test` asks to install as a user (not root) with this dpkg-query script."""
    fake = tmp_path / "bin"
    fake.mkdir()
    for name, script in (("dpkg-query", dpkg_query), ("id", "#!/bin/sh\necho 1000\n")):
        (fake / name).write_text(script)
        (fake / name).chmod(0o755)
    result = subprocess.run([str(ROOT / "hotbench"), "test"], capture_output=True, text=True,
                            env=dict(os.environ, PATH=f"{fake}:{os.environ.get('PATH', '/usr/bin:/bin')}"))
    assert result.returncode == EXIT_INTERNAL
    return result.stdout.split("sudo apt-get install -y ", 1)[1].split()


def test_the_wrapper_installs_every_row_but_the_unpacked_ones(tmp_path):
    """./hotbench's package lists, as its missing-package message prints them (dpkg-query finds none)."""
    printed = missing_packages_printed(tmp_path, "#!/bin/sh\nexit 1\n")
    assert printed == [fields[0] for fields in rows() if not fields[2].startswith("deb ")]


def test_the_wrapper_asks_only_for_the_packages_dpkg_has_not_installed(tmp_path):
    """One dpkg-query answers for every package: one removed with its configuration left and one dpkg does not
    know are missing; the others, installed, are not asked for."""
    printed = missing_packages_printed(tmp_path, (
        "#!/bin/sh\nshift 2\nfor p in \"$@\"; do case $p in\n"
        "  libgtest-dev) printf '%s\\tdeinstall ok config-files\\n' $p ;;\n  valgrind) ;;\n"
        "  *) printf '%s\\tinstall ok installed\\n' $p ;;\nesac; done\nexit 1\n"))
    assert printed == ["valgrind", "libgtest-dev"]


def test_metadata_records_the_rows_with_a_version_source(tmp_path):
    third_party = tmp_path / "third_party"
    (third_party / "libatomic-queue-dev").mkdir(parents=True)
    (third_party / "libatomic-queue-dev" / "SOURCE").write_text("libatomic-queue-dev_1.2-3_amd64.deb\n")
    recorded = metadata.recorded_packages()
    assert recorded["libbenchmark-dev"] == "dpkg" and recorded["libatomic-queue-dev"] == "deb"
    assert "cmake" not in recorded and "python3-pytest" not in recorded
    versions = metadata.debian_packages(third_party=third_party)
    assert versions["libatomic-queue-dev (headers unpacked)"] == "1.2-3"


def test_a_row_without_five_columns_is_an_internal_error(tmp_path):
    table = tmp_path / "dependencies.tsv"
    table.write_text("# comment\nlibfoo-dev\tjson\tpackage Foo\n")
    with pytest.raises(HotbenchError, match=r"dependencies.tsv: row 'libfoo-dev': 3 tab-separated columns") as e:
        metadata.recorded_packages(table)
    assert e.value.exit_code == EXIT_INTERNAL
