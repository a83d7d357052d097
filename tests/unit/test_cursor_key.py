"""The cursor key: no public default; the variable, else the Secrets Manager secret."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from newsfacet.config import Settings
from newsfacet.errors import ConfigurationError
from newsfacet.wiring import cursor_key

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def _no_cursor_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    # In-process invokes of other tests leave NEWSFACET_* in the environment.
    for name in ("NEWSFACET_CURSOR_SECRET", "NEWSFACET_CURSOR_SECRET_ARN"):
        monkeypatch.delenv(name, raising=False)


def test_there_is_no_default_key() -> None:
    with pytest.raises(ConfigurationError):
        cursor_key(Settings(cursor_secret=None, cursor_secret_arn=None))
    # Empty values (what the template declares for `sam local`) count as unset.
    with pytest.raises(ConfigurationError):
        cursor_key(Settings(cursor_secret="", cursor_secret_arn=""))  # type: ignore[arg-type]


def test_the_variable_wins() -> None:
    settings = Settings(cursor_secret="local-key", cursor_secret_arn="arn:unused")  # type: ignore[arg-type]
    assert cursor_key(settings) == b"local-key"


def test_the_secret_is_read_once(aws_env: None) -> None:
    with mock_aws():
        secrets = boto3.client("secretsmanager", region_name="us-east-1")
        arn = secrets.create_secret(Name="cursor", SecretString="from-secrets-manager")["ARN"]
        settings = Settings(cursor_secret_arn=arn)
        assert cursor_key(settings) == b"from-secrets-manager"
        secrets.put_secret_value(SecretId=arn, SecretString="rotated")
        # Cached per container: a rotation reaches new containers (and old cursors stay valid
        # until their containers go).
        assert cursor_key(settings) == b"from-secrets-manager"
