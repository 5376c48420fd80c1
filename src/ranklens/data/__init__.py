"""Read-only loaders of the committed data: corpus, term statistics, related terms."""
