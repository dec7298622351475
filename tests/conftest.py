"""Shared fixtures. Tests that need ../shared skip cleanly where it is absent."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def shared():
    from spundetect.build.sources import shared_dir

    try:
        return shared_dir()
    except FileNotFoundError:
        pytest.skip("../shared is not available")
