"""One module per external system: the only code that talks to Google or AWS."""
