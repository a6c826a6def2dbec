"""PasteDeploy entry points: the stack of :func:`swapdemo.stack.layers`, one filter per layer.

``stack.ini`` names the same layers in the same order, so ``pserve stack.ini``
and ``gunicorn --paste stack.ini`` serve what ``python -m swapdemo.stack``
serves.  Options come from the environment, as everywhere else in the suite;
a layer the configuration leaves out (the post-mortem, unless ``SWAPDEMO_POSTMORTEM=1``; the
profiler, unless ``SWAPDEMO_PROFILE=1``) passes the app through unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from swapdemo import stack
from swapdemo.kernel.config import from_environment

if TYPE_CHECKING:
    from collections.abc import Callable

    from _typeshed.wsgi import WSGIApplication


def demos(global_conf: dict[str, Any], **local_conf: str) -> WSGIApplication:
    """``paste.app_factory``: the registered apps mounted at their prefixes.

    ``names = jinja auth`` limits it to some demos and what they need.
    """
    names = tuple(local_conf.get("names", "").split()) or None
    config = from_environment()
    config.warn_about_defaults()
    return stack.mount(config, names)


def _layer_filter(name: str) -> Callable[..., WSGIApplication]:
    def factory(app: WSGIApplication, global_conf: dict[str, Any], **local_conf: str) -> WSGIApplication:
        if local_conf:
            raise ValueError(
                f"the {name} filter takes no options in the ini file; configure it through the environment"
            )
        for layer, options in stack.layers(from_environment()):
            if layer.__name__ == name:
                return layer(app, **options)
        return app

    factory.__name__ = factory.__qualname__ = name
    factory.__doc__ = f"``paste.filter_app_factory`` for the stack's {name} layer."
    return factory


request_id = _layer_filter("RequestId")
access_log = _layer_filter("AccessLog")
site = _layer_filter("WithEnviron")
errors = _layer_filter("ErrorPages")
postmortem = _layer_filter("PostMortem")
profiler = _layer_filter("Profiler")
static = _layer_filter("StaticFiles")
