"""Talk pages whose rows come over HTTP: a QuerySet-like class over `requests`, read in `queryset.py`."""
