"""Settings read from the environment: every kind of field converted, bad values named."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import Settings


def test_should_convert_each_kind_of_setting_from_its_environment_string() -> None:
    settings = Settings.from_env(
        {
            "MADOGUCHI_RATE_LIMIT_PER_MINUTE": "5",
            "MADOGUCHI_ADMIN_ENABLED": "no",
            "MADOGUCHI_PUBLIC_ENABLED": "TRUE",
            "MADOGUCHI_MODEL_DIR": "/tmp/models",
            "MADOGUCHI_CORS_ORIGINS": "https://a.example, https://b.example,",
            "MADOGUCHI_RELOAD_POLL_SECONDS": "0.5",
            "MADOGUCHI_LINE_CHANNELS": '{"tax": {"secret": "s", "token": "t"}}',
            "MADOGUCHI_COST_ALLOCATION": "sessions",
        }
    )
    assert settings.rate_limit_per_minute == 5
    assert settings.admin_enabled is False and settings.public_enabled is True
    assert settings.model_dir == Path("/tmp/models")
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert settings.reload_poll_seconds == 0.5
    assert settings.line_channels == {"tax": {"secret": "s", "token": "t"}}
    assert settings.cost_allocation == "sessions"


@pytest.mark.parametrize(
    ("name", "value", "kind"),
    [
        ("MAX_BODY_BYTES", "lots", "int"),
        ("ADMIN_ENABLED", "maybe", "bool"),
        ("RELOAD_POLL_SECONDS", "soon", "float"),
    ],
)
def test_should_name_the_variable_and_the_kind_it_needs_when_a_value_is_wrong(
    name: str, value: str, kind: str
) -> None:
    with pytest.raises(ValueError, match=f"MADOGUCHI_{name}='{value}' is not a valid {kind}"):
        Settings.from_env({f"MADOGUCHI_{name}": value})


def test_should_refuse_an_unknown_setting_and_list_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown setting 'databse_url'.*database_url"):
        Settings.from_mapping({"databse_url": "sqlite://"})
