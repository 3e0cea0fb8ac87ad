"""The exit statuses of ``python -m bot``: 0 ok (reconcile: in sync), 1 an error, 2 drift
found (reconcile) or a departure not ready (ready), 3 the same change still running in
another process (swap, time, undo). 141 (a closed output) is bot/__main__.py's."""

EXIT_OK, EXIT_ERROR, EXIT_DRIFT, EXIT_RUNNING_ELSEWHERE = 0, 1, 2, 3
