"""Options refused with what to give instead."""

from __future__ import annotations

import pytest

from psystock.deploy.kubernetes import ManifestOptions
from psystock.errors import ConfigError


def test_options_refuse_a_name_that_is_no_dns_label() -> None:
    with pytest.raises(ConfigError, match=r"^--namespace 'My_NS': expected a DNS label of at most"):
        ManifestOptions(namespace="My_NS")


def test_options_refuse_a_schedule_that_is_not_cron() -> None:
    with pytest.raises(ConfigError, match=r"^--schedule 'daily': expected a cron schedule of 5"):
        ManifestOptions(schedule="daily")


def test_options_refuse_a_registry_the_pods_cannot_reach_over_http() -> None:
    with pytest.raises(ConfigError, match=r"^--tracking-uri 'sqlite:///x.db': expected http"):
        ManifestOptions(tracking_uri="sqlite:///x.db")


def test_options_refuse_more_replicas_than_the_maximum() -> None:
    with pytest.raises(ConfigError, match=r"^--replicas 5: expected 1 to --max-replicas \(3\)$"):
        ManifestOptions(replicas=5, max_replicas=3)


def test_options_default_images_follow_docker_build_tags() -> None:
    from psystock import __version__

    options = ManifestOptions()
    assert options.image_of("api") == f"psystock-api:{__version__}"
    assert ManifestOptions(image="r/x:1").image_of("batch") == "r/x:1"
