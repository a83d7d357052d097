"""The local stack: moto for AWS, the real OpenSearch, the real handlers. Dev only.

Nothing here is imported by the Lambda handlers.
"""
