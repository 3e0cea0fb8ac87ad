"""A person's swap or time change: which charter, its plan, who saw the old data, who is
told. Pure."""
