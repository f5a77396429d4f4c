"""The source articles and what is read from them: evidence quotes and the support check."""
