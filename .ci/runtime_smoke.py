"""With only requirements.txt installed, the audit store works on PostgreSQL as documented:
`python -m bot audit --json` with DATABASE_URL=postgresql://... migrates a fresh schema
and prints an empty log. Run by .ci/run before the development tools are installed."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from sqlalchemy import create_engine, text

SERVER = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
schema = "ci_runtime_" + uuid.uuid4().hex[:8]
admin = create_engine(SERVER)
with admin.begin() as connection:
    connection.execute(text(f"create schema {schema}"))
try:
    url = (SERVER.replace("postgresql+psycopg://", "postgresql://")
           + f"?options=-csearch_path%3D{schema}")
    run = subprocess.run([sys.executable, "-m", "bot", "audit", "--json"], text=True,
                         capture_output=True, env={**os.environ, "DATABASE_URL": url},
                         timeout=120)
    print(f"runtime-only PostgreSQL audit: exit {run.returncode} {run.stdout.strip()!r} "
          f"{run.stderr.strip()}")
    if run.returncode != 0 or run.stdout.strip() != "[]":
        sys.exit(1)
finally:
    with admin.begin() as connection:
        connection.execute(text(f"drop schema {schema} cascade"))
    admin.dispose()
