"""newsfacet: clean, deduplicated, entity-tagged news entries in OpenSearch."""

__version__ = "0.1.0"
