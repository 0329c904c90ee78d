"""Optional integrations with ML platforms (each imports its platform's SDK lazily)."""
