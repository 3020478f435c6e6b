"""Tests that run the trained bot in-process (make test trains it first)."""
from pathlib import Path

import pytest

MODEL = Path(__file__).resolve().parents[2] / "models" / "leg-numbness.tar.gz"


@pytest.fixture(scope="session")
def model_path():
    assert MODEL.exists(), f"no trained model at {MODEL}: run `make train` (make test does)"
    return str(MODEL)


@pytest.fixture(scope="session")
def event_loop():
    """One loop for the session: the loaded agent keeps its HTTP sessions across tests."""
    import asyncio

    loop = asyncio.new_event_loop()
    yield loop
    loop.close()
