"""The built-in, read-only talks JSON API at ``/api/``: see `apps.talks_api.app` and `apps.talks_api.query`."""
