"""Everything that talks to OpenSearch on the write side."""
