"""Shared fixtures: the operator's configuration as tests see it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_config
from services.config import Config

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config(ROOT / "app.yaml")
