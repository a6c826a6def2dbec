"""Live pages: the whole stack under Tornado, with saved proposals pushed over SSE and WebSocket."""
