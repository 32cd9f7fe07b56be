"""Pictures of a dataset without matplotlib: contact sheets of pairs and sequences, the
bitmap font and PNG writer they draw with, and a text view's sentence preview."""
