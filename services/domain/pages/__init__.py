"""Guest pages: rendered, read back, and what guests are served. Pure."""
