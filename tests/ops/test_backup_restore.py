"""scripts/backup.sh + scripts/restore.sh: a dump restored into a scratch database holds the same rows."""

import os
import secrets
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "postgres" not in os.environ.get("DATABASE_URL", ""),
        reason="backup/restore uses pg_dump/pg_restore: needs DATABASE_URL=postgres://…",
    ),
]


def database_url(name: str) -> str:
    base = os.environ["DATABASE_URL"].rpartition("/")[0]
    return f"{base}/{name}"


def test_backup_then_restore_into_a_scratch_database_keeps_every_row(tmp_path, organisation_factory, alice):
    organisation_factory(admin=alice, name="Association sauvegardée")
    source = connection.settings_dict["NAME"]
    scratch = f"agora_restore_{secrets.token_hex(4)}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(source),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PROJECTS_PRIVATE_ROOT": str(tmp_path / "private"),
    }
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "logo.png").write_bytes(b"png")
    backup = subprocess.run(
        ["bash", str(ROOT / "scripts/backup.sh"), str(tmp_path / "backup")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert backup.returncode == 0, backup.stderr
    assert (tmp_path / "backup" / "database.dump").stat().st_size > 0
    print(f"backup: {sorted(p.name for p in (tmp_path / 'backup').iterdir())}")

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {scratch}")
    try:
        (tmp_path / "media" / "logo.png").unlink()
        restore = subprocess.run(
            ["bash", str(ROOT / "scripts/restore.sh"), str(tmp_path / "backup")],
            env={**env, "DATABASE_URL": database_url(scratch)},
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert restore.returncode == 0, restore.stderr
        with psycopg.connect(database_url(scratch)) as restored, connection.cursor() as original:
            for table in (
                "accounts_user",
                "accounts_organisation",
                "accounts_membership",
                "django_migrations",
                "wagtailcore_page",
            ):
                original.execute(f"SELECT count(*) FROM {table}")
                expected = original.fetchone()[0]
                got = restored.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                assert got == expected, table
            assert restored.execute(
                "SELECT email FROM accounts_user WHERE email = %s", ["alice@example.org"]
            ).fetchone()
        assert (tmp_path / "media" / "logo.png").read_bytes() == b"png"
        print(f"restore: {scratch} holds the same rows as {source}; media restored")
    finally:
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")


def test_restore_refuses_a_tampered_backup(tmp_path):
    (tmp_path / "database.dump").write_bytes(b"original")
    subprocess.run("sha256sum ./* > SHA256SUMS", shell=True, cwd=tmp_path, check=True)
    (tmp_path / "database.dump").write_bytes(b"tampered")
    result = subprocess.run(
        ["bash", str(ROOT / "scripts/restore.sh"), str(tmp_path)],
        env={**os.environ, "DATABASE_URL": database_url("agora_never_created")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "FAILED" in result.stdout + result.stderr
