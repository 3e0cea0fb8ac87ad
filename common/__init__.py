"""What every layer shares: the typed errors and the vocabulary of a change."""
