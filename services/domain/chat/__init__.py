"""Reading a change out of a captain's chat message. Pure."""
