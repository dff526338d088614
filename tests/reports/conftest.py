"""Fixtures of the report tests: a network with managers and a coordinator."""

from __future__ import annotations

from importlib import resources

import pytest

from booking_core.network import Network, parse_network


@pytest.fixture(scope="session")
def network_with_managers() -> Network:
    text = resources.files("booking_core").joinpath("sample_network.toml").read_text("utf-8")
    text = text.replace("coordinators = []", 'coordinators = ["matrix:@coord:example.org"]', 1)
    head, _, tail = text.partition('id = "figeac"')
    tail = tail.replace("managers = []", 'managers = ["telegram:10"]', 1)
    return parse_network(head + 'id = "figeac"' + tail)
