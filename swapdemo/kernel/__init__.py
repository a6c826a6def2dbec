"""The site kernel: the few things every app of the suite may import from ``swapdemo``.

- :mod:`~swapdemo.kernel.config`: the environment, parsed once into a typed ``Config``;
- :mod:`~swapdemo.kernel.site`: Django as a mountable WSGI app (one settings module, one URLconf
  per mount), migrations under a lock;
- :mod:`~swapdemo.kernel.logs`: one log format, in UTC.

The apps never import the registry, an entry point or a benchmark; ``tests/test_layers.py`` reads
every module's imports and fails when one does.
"""
