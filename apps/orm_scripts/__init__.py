"""The Django ORM in a plain command-line script: see ``standalone.py``, then ``cli.py``."""
