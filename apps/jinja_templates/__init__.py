"""Django views rendered by Jinja2 through Django's own backend, with a DTL twin of the schedule.

Read ``environment.py`` (the swap), then ``views.py``, then the templates in
``jinja2/jinja_templates/`` next to their twins in ``templates/jinja_templates/``.
"""
