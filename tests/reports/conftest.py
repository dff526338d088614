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


def tracked(network_text: str | None = None) -> Network:
    """The sample network with arrivals signalled at Figeac (``checkin_tracked``)."""
    text = network_text or (
        resources.files("booking_core").joinpath("sample_network.toml").read_text("utf-8")
    )
    head, _, tail = text.partition('id = "figeac"')
    tail = tail.replace("managers = []", "managers = []\ncheckin_tracked = true", 1)
    return parse_network(head + 'id = "figeac"' + tail)


@pytest.fixture(scope="session")
def figeac_tracked() -> Network:
    return tracked()
