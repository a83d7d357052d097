"""The read side: parameters to DSL (query), raw results to the API (response)."""
