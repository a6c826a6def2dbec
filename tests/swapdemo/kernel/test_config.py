"""The configuration: environment strings become typed values, wrong ones fail at start-up,
secrets stay out of reports and reprs.
"""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from swapdemo.kernel.config import load
from swapdemo.stack import profiler_options
from tests.conftest import KEY, ROOT


def test_defaults_are_safe(tmp_path: Path) -> None:
    config = load({"SWAPDEMO_SECRET_KEY": KEY, "SWAPDEMO_DATA_DIR": str(tmp_path)})
    assert config.debug is False and config.profile is False
    assert config.database["ENGINE"] == "django.db.backends.sqlite3"
    assert config.database["NAME"] == str(tmp_path / "swapdemo.sqlite3")
    assert config.cache_url is None and config.api_style == "builtin"


def test_missing_secret_key_is_made_once_in_the_data_folder_and_reused(tmp_path: Path, caplog) -> None:
    first = load({"SWAPDEMO_DATA_DIR": str(tmp_path)})
    with caplog.at_level(logging.INFO, logger="swapdemo"):
        first.warn_about_defaults()
    key_file = tmp_path / "secret_key"
    assert first.secret_key_file == key_file and len(first.secret_key) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load({"SWAPDEMO_DATA_DIR": str(tmp_path)}).secret_key == first.secret_key  # a restart
    assert str(key_file) in caplog.text and first.secret_key not in caplog.text
    assert load({"SWAPDEMO_SECRET_KEY": KEY, "SWAPDEMO_DATA_DIR": str(tmp_path)}).secret_key_file is None


def test_workers_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    script = "import sys; from pathlib import Path; from swapdemo.kernel.datadir import secret_key; "
    script += "print(secret_key(Path(sys.argv[1])))"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(tmp_path / "new")], stdout=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]
    keys = {worker.communicate(timeout=60)[0].strip() for worker in workers}
    assert len(keys) == 1 and len(keys.pop()) >= 50


def test_a_damaged_key_file_is_a_sentence_not_a_new_key(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("short")
    with pytest.raises(ImproperlyConfigured, match="delete the file"):
        load({"SWAPDEMO_DATA_DIR": str(tmp_path)})


def test_typed_values_and_database_url() -> None:
    config = load(
        {
            "SWAPDEMO_SECRET_KEY": KEY,
            "SWAPDEMO_DEBUG": "yes",
            "DATABASE_URL": "postgresql://u@127.0.0.1:5432/test",
            "SWAPDEMO_PROFILE_SAMPLE": "0",
            "SWAPDEMO_HOST_NAME": "web-1.internal",
            "SWAPDEMO_PROFILE_SAMPLER_MS": "0",
        }
    )
    assert profiler_options(config)["sampler_interval"] is None  # no sampler
    assert config.debug is True and config.profile_sample_every == 0 and config.host_name == "web-1.internal"
    assert config.database["ENGINE"] == "django.db.backends.postgresql" and config.database["NAME"] == "test"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"SWAPDEMO_DEBUG": "maybe"}, "SWAPDEMO_DEBUG"),
        ({"SWAPDEMO_PROFILE_SAMPLE": "-1"}, "SWAPDEMO_PROFILE_SAMPLE"),
        ({"SWAPDEMO_PROFILE_FLUSH": "0"}, "SWAPDEMO_PROFILE_FLUSH"),
        ({"SWAPDEMO_PROFILE_SAMPLER_MS": "5000"}, "SWAPDEMO_PROFILE_SAMPLER_MS"),
        ({"SWAPDEMO_HOST_NAME": "web 1"}, "SWAPDEMO_HOST_NAME"),
        ({"SWAPDEMO_HOST_NAME": "w" * 65}, "SWAPDEMO_HOST_NAME"),
        ({"SWAPDEMO_PROFILE_SAMPLE": "²"}, "SWAPDEMO_PROFILE_SAMPLE"),
        ({"SWAPDEMO_PROFILE_SAMPLE": "9" * 5000}, "SWAPDEMO_PROFILE_SAMPLE"),
        ({"SWAPDEMO_CACHE_URL": "memcached://x"}, "SWAPDEMO_CACHE_URL"),
        ({"SWAPDEMO_OIDC_ISSUER": "https://id.example"}, "SWAPDEMO_OIDC_CLIENT_ID"),
        ({"SWAPDEMO_API_STYLE": "graphql"}, "SWAPDEMO_API_STYLE"),
        ({"DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL"),
        ({"DATABASE_URL": "mysql://u@h/db"}, "use sqlite:///PATH or postgresql://"),
        ({"SWAPDEMO_SECRET_KEY": "x" * 31}, "at least 32 printable ASCII characters"),
        ({"SWAPDEMO_PROFILE_TOKEN": "é" * 20}, "SWAPDEMO_PROFILE_TOKEN"),
        ({"SWAPDEMO_ALLOWED_HOSTS": "example.org, https://x"}, "'https://x' is not a host name"),
        ({"SWAPDEMO_TRUSTED_PROXY": "10.0.0.256"}, "SWAPDEMO_TRUSTED_PROXY"),
        ({"SWAPDEMO_API_URL": "ftp://example.org/api/"}, "SWAPDEMO_API_URL"),
        ({"SWAPDEMO_API_URL": "http://example.org:port/"}, "SWAPDEMO_API_URL"),
    ],
)
def test_wrong_values_fail_at_start_up_naming_the_variable(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        load({"SWAPDEMO_SECRET_KEY": KEY, **environ})


def test_good_values_are_kept() -> None:
    config = load(
        {
            "SWAPDEMO_SECRET_KEY": KEY,
            "SWAPDEMO_ALLOWED_HOSTS": "talks.example.org, .example.net,[::1]",
            "SWAPDEMO_TRUSTED_PROXY": "127.0.0.1",
            "SWAPDEMO_API_URL": "https://api.example.org:8443/v1/",
        }
    )
    assert config.allowed_hosts == ("talks.example.org", ".example.net", "[::1]")
    assert config.trusted_proxy == "127.0.0.1" and config.api_url == "https://api.example.org:8443/v1/"


def test_error_reports_and_reprs_keep_keys_passwords_and_tokens_out() -> None:
    secrets = {
        "SWAPDEMO_SECRET_KEY": "key-secret-" + "k" * 40,
        "DATABASE_URL": "postgresql://app:db-secret@db.example.org/talks",
        "SWAPDEMO_CACHE_URL": "redis://:redis-secret@cache.example.org:6379/0",
        "SWAPDEMO_PROFILE_TOKEN": "token-secret-0123456789",
        "SWAPDEMO_API_URL": "https://reader:api-secret@api.example.org/api/",
    }
    # What Django's debug page and error mails list: every setting, through the settings' filter.
    show = (
        "import django; django.setup(); "
        "from django.views.debug import get_default_exception_reporter_filter as f; "
        "from swapdemo.kernel.config import from_environment; "
        "print(f().get_safe_settings()); print(repr(from_environment()))"
    )
    env = {**os.environ, **secrets, "DJANGO_SETTINGS_MODULE": "swapdemo.settings"}
    shown = subprocess.run(
        [sys.executable, "-c", show], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "'CACHES'" in shown and "Config(" in shown
    assert [
        secret
        for secret in ("key-secret", "db-secret", "redis-secret", "token-secret", "api-secret")
        if secret in shown
    ] == []
