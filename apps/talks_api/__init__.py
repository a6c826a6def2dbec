"""The built-in, read-only talks JSON API at ``/api/``: read ``app.py``, then ``query.py``."""
