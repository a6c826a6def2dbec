"""A crashed request's call stack, kept safely and walked later: the post-mortem.

:mod:`.layer` is the WSGI layer that captures; :mod:`.snapshot` what it keeps (bounded JSON,
:mod:`.values`; secrets out, :mod:`.redact`, :mod:`.request`); :mod:`.store` and :mod:`.sqlstore`
where; :mod:`.page` the gated pages; :mod:`.shell` the pdb-like walk; :mod:`.replay` the rerun.
"""
