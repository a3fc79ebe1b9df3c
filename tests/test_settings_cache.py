"""get_settings builds the settings once per environment."""
from data_model.schema.settings import get_settings, reset_settings


def test_settings_are_built_once_and_follow_the_environment(monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "17")
    first = get_settings()
    assert get_settings() is first and first.session_idle_minutes == 17
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "18")
    assert get_settings().session_idle_minutes == 18
    reset_settings()
    assert get_settings() is not first
