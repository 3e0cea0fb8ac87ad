"""The pure core: no I/O, no clients. Everything here can be tested with literal data."""
