"""The app's registry entry: it is the only app the standalone script installs."""

from __future__ import annotations

from django.apps import AppConfig


class OrmScriptsConfig(AppConfig):
    name = "apps.orm_scripts"
    label = "orm_scripts"
    verbose_name = "ORM in standalone scripts"
