"""Ingest stages: bytes in, clean entries out. Pure: no boto3, no opensearchpy."""
