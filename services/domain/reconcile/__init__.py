"""The reconcile engine: what each system should hold, the discrepancies, their fixes. Pure."""
