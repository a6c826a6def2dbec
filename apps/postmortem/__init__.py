"""The post-mortem demo: three pages that crash on purpose, one per framework, to keep and walk later."""
