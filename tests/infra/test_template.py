"""template.yaml: lint-clean, wired as the design says, least privilege per function."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from newsfacet_cli.local.template import Template
from tests.conftest import ROOT

pytestmark = pytest.mark.infra

SAM_PYTHON = ROOT / ".cache" / "sam-venv" / "bin" / "python"


@pytest.fixture(scope="module")
def tpl() -> Template:
    return Template(ROOT / "template.yaml")


def resources_of(tpl: Template, kind: str) -> dict[str, Any]:
    return {k: v for k, v in tpl.resources.items() if v["Type"] == kind}


def statements(tpl: Template, function: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for policy in tpl.resources[function]["Properties"].get("Policies", []):
        # Inline statements only (no SAM policy templates), so they can be checked here.
        assert "Statement" in policy, f"{function}: {policy}"
        out += policy["Statement"]
    return out


def actions(tpl: Template, function: str) -> set[str]:
    return {a for s in statements(tpl, function) for a in s["Action"]}


def test_cfn_lint_is_clean() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), str(ROOT / "template.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    # cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational.
    assert result.returncode & (2 | 4) == 0, result.stdout


def test_bucket_notifies_the_queue_and_only_this_bucket_may_send(tpl: Template) -> None:
    bucket = tpl.resources["ArticlesBucket"]["Properties"]
    (config,) = bucket["NotificationConfiguration"]["QueueConfigurations"]
    assert config["Event"] == "s3:ObjectCreated:*"
    assert config["Queue"].tag == "GetAtt"
    assert config["Queue"].value == "IngestQueue.Arn"

    policy = tpl.resources["IngestQueuePolicy"]["Properties"]["PolicyDocument"]
    (allow,) = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "s3.amazonaws.com"}
    assert allow["Action"] == "sqs:SendMessage"
    source = allow["Condition"]["ArnEquals"]["aws:SourceArn"]
    assert tpl.resolve(source) == f"arn:aws:s3:::{tpl.bucket_name}"
    assert tpl.resolve(allow["Condition"]["StringEquals"]["aws:SourceAccount"]) == "123456789012"


def test_bucket_is_private_encrypted_versioned_tls_only(tpl: Template) -> None:
    props = tpl.resources["ArticlesBucket"]["Properties"]
    assert all(props["PublicAccessBlockConfiguration"].values())
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert props["VersioningConfiguration"]["Status"] == "Enabled"
    rules = {r["Id"]: r for r in props["LifecycleConfiguration"]["Rules"]}
    assert {"ExpireFailedRecords", "ExpireOldVersions"} <= set(rules)
    (deny,) = tpl.resources["ArticlesBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_queue_has_dlq_and_outlasts_the_function(tpl: Template) -> None:
    queue = tpl.resources["IngestQueue"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"].value == "IngestDeadLetterQueue.Arn"
    # Lambda's advice for SQS sources: visibility timeout at least six function timeouts.
    assert tpl.visibility_timeout >= 6 * tpl.function("IngestFunction").timeout


def test_retries_back_off_long_enough_to_outlast_an_hour_of_outage(tpl: Template) -> None:
    """The receive count the queue allows and the function's backoff, read from the template."""
    from newsfacet.config import Settings
    from newsfacet.queue import outage_tolerance_s

    env = tpl.function("IngestFunction").environment
    assert int(env["NEWSFACET_MAX_RECEIVE_COUNT"]) == tpl.max_receive_count
    settings = Settings(
        max_receive_count=tpl.max_receive_count,
        retry_base_s=int(env["NEWSFACET_RETRY_BASE_S"]),
        retry_max_s=int(env["NEWSFACET_RETRY_MAX_S"]),
    )
    tolerance = outage_tolerance_s(
        base_s=settings.retry_base_s,
        max_s=settings.retry_max_s,
        max_receive_count=settings.max_receive_count,
    )
    assert tolerance >= 3600, tolerance
    # The defaults in code are the template's, so a local run behaves as a deployment does.
    defaults = {name: field.default for name, field in Settings.model_fields.items()}
    assert (defaults["max_receive_count"], defaults["retry_base_s"], defaults["retry_max_s"]) == (
        settings.max_receive_count,
        settings.retry_base_s,
        settings.retry_max_s,
    )


def test_timeout_holds_a_full_batch_at_the_per_object_budget(tpl: Template) -> None:
    """Timeout >= the largest batch x (per-object characters / characters per second) + reserve."""
    from newsfacet.config import Settings

    env = tpl.function("IngestFunction").environment
    max_chars = int(env["NEWSFACET_MAX_OBJECT_CHARS"])
    defaults = {name: field.default for name, field in Settings.model_fields.items()}
    assert max_chars == defaults["max_object_chars"]
    largest = int(tpl.doc["Parameters"]["MaxObjectChars"]["MaxValue"])
    batch = int(tpl.doc["Parameters"]["IngestBatchSize"]["MaxValue"])
    per_object_s = largest / defaults["chars_per_s"]
    assert (
        tpl.function("IngestFunction").timeout >= batch * per_object_s + defaults["time_reserve_s"]
    )
    # spaCy's own limit is never what stops an object: NER runs in pieces.
    from newsfacet.ingest.entities import NER_CHUNK

    assert NER_CHUNK < 1_000_000


def test_set_up_step_runs_at_deploy_for_the_current_mapping(tpl: Template) -> None:
    from newsfacet.index.mapping import MAPPING_REVISION, MAPPING_VERSION

    setup = tpl.resources["IndexSetup"]
    assert setup["Type"] == "AWS::CloudFormation::CustomResource"
    assert setup["Properties"]["ServiceToken"].value == "IngestFunction.Arn"
    assert setup["Properties"]["MappingRevision"] == f"{MAPPING_VERSION}.{MAPPING_REVISION}"


def test_stateful_resources_outlive_the_stack(tpl: Template) -> None:
    for name in ("ArticlesBucket", "SearchDomain", "IngestDeadLetterQueue"):
        resource = tpl.resources[name]
        assert resource.get("DeletionPolicy") == "Retain", name
        assert resource.get("UpdateReplacePolicy") == "Retain", name


def test_domain_trusts_only_the_function_roles_and_logs(tpl: Template) -> None:
    domain = tpl.resources["SearchDomain"]["Properties"]
    (statement,) = domain["AccessPolicies"]["Statement"]
    principals = statement["Principal"]["AWS"]
    named = {p.value for p in principals if getattr(p, "tag", None) == "GetAtt"}
    assert named == {"IngestFunctionRole.Arn", "SearchFunctionRole.Arn", "AdminFunctionRole.Arn"}
    assert "root" not in str([getattr(p, "value", p) for p in principals])
    logs = domain["LogPublishingOptions"]
    assert {"SEARCH_SLOW_LOGS", "INDEX_SLOW_LOGS", "ES_APPLICATION_LOGS"} <= set(logs)
    assert all(option["Enabled"] is True for option in logs.values())


def _es_resources(tpl: Template, function: str, action: str) -> list[str]:
    """The domain paths ``function`` may call with ``action``, as in a created domain."""
    paths = []
    for statement in statements(tpl, function):
        if action not in statement["Action"]:
            continue
        for resource in statement["Resource"]:
            created = resource.value[1]  # !If [CreateDomain, <this>, <existing domain>]
            paths.append(tpl.resolve(created).split(":domain/newsfacet-local/", 1)[1])
    return paths


def test_search_role_is_read_only_on_the_entries_alias(tpl: Template) -> None:
    assert actions(tpl, "SearchFunction") == {
        "es:ESHttpGet",
        "es:ESHttpHead",
        "es:ESHttpPost",
        "es:ESHttpDelete",
        "secretsmanager:GetSecretValue",  # the cursor key, and that one secret only
    }
    assert sorted(_es_resources(tpl, "SearchFunction", "es:ESHttpPost")) == [
        "_search",
        "newsfacet-curation/_search",
        "newsfacet-entities/_search",
        "newsfacet-entries/_count",
        "newsfacet-entries/_msearch",
        "newsfacet-entries/_search*",
    ]
    assert _es_resources(tpl, "SearchFunction", "es:ESHttpDelete") == ["_search/point_in_time"]
    assert "es:ESHttpPut" not in actions(tpl, "SearchFunction")
    for path in _es_resources(tpl, "SearchFunction", "es:ESHttpGet"):
        assert path.startswith(
            ("newsfacet-entries", "newsfacet-curation", "_alias/newsfacet-entries", "_cluster/")
        ), path


def test_admin_role_writes_only_its_prefix(tpl: Template) -> None:
    assert "es:ESHttpDelete" not in actions(tpl, "AdminFunction")
    assert sorted(_es_resources(tpl, "AdminFunction", "es:ESHttpPut")) == ["_bulk", "newsfacet-*"]


def test_ingest_event_source(tpl: Template) -> None:
    event = tpl.resources["IngestFunction"]["Properties"]["Events"]["Uploads"]
    assert event["Type"] == "SQS"
    props = event["Properties"]
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    for key, parameter in [
        ("BatchSize", "IngestBatchSize"),
        ("MaximumBatchingWindowInSeconds", "IngestBatchWindowSeconds"),
    ]:
        assert props[key].tag == "Ref"
        assert props[key].value == parameter
    assert props["ScalingConfig"]["MaximumConcurrency"].value == "IngestMaxConcurrency"


def test_no_wildcard_actions_and_scoped_resources(tpl: Template) -> None:
    for function in tpl.functions():
        for statement in statements(tpl, function):
            assert statement["Effect"] == "Allow"
            for action in statement["Action"]:
                assert "*" not in action, f"{function}: {action}"
            assert statement["Resource"] != "*", f"{function}: {statement}"


def test_search_function_cannot_touch_s3_or_sqs(tpl: Template) -> None:
    search = actions(tpl, "SearchFunction")
    # OpenSearch verbs (scoped to paths, below) and the cursor key, nothing else.
    assert all(
        action.startswith("es:") or action == "secretsmanager:GetSecretValue" for action in search
    )
    assert "secretsmanager:GetSecretValue" in search
    assert "Events" not in tpl.resources["SearchFunction"]["Properties"]  # no SQS poller policy


def test_ingest_function_reads_articles_and_writes_the_index(tpl: Template) -> None:
    assert actions(tpl, "IngestFunction") == {
        "s3:GetObject",
        "s3:GetObjectVersion",
        "es:ESHttpGet",
        "es:ESHttpHead",
        "es:ESHttpPost",
        "es:ESHttpPut",
        # Backoff and large objects' parts on its queue; the scheduled redrive from its DLQ.
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueUrl",
        "sqs:SendMessage",
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
    }
    (read,) = [s for s in statements(tpl, "IngestFunction") if s["Sid"] == "ReadArticles"]
    assert tpl.resolve(read["Resource"]) == f"arn:aws:s3:::{tpl.bucket_name}/*"
    by_sid = {s["Sid"]: s for s in statements(tpl, "IngestFunction")}
    assert by_sid["PaceTheIngestQueue"]["Resource"].value == "IngestQueue.Arn"
    assert by_sid["RedriveDeadLetters"]["Resource"].value == "IngestDeadLetterQueue.Arn"
    assert "sqs:SendMessage" not in by_sid["RedriveDeadLetters"]["Action"]
    assert sorted(_es_resources(tpl, "IngestFunction", "es:ESHttpPut")) == [
        "_bulk",
        "_cluster/health",
        "_index_template/newsfacet-entries",
        "_msearch",
        "newsfacet-*",
    ]


def test_domain_is_encrypted_https_only_and_optional(tpl: Template) -> None:
    domain = tpl.resources["SearchDomain"]
    assert domain["Condition"] == "CreateDomain"
    props = domain["Properties"]
    assert props["EncryptionAtRestOptions"]["Enabled"] is True
    assert props["NodeToNodeEncryptionOptions"]["Enabled"] is True
    assert props["DomainEndpointOptions"]["EnforceHTTPS"] is True
    assert props["DomainEndpointOptions"]["TLSSecurityPolicy"].startswith("Policy-Min-TLS-1-2")
    for name in [
        "OpenSearchVersion",
        "OpenSearchInstanceType",
        "OpenSearchInstanceCount",
        "OpenSearchZoneAwareness",
        "OpenSearchVolumeSize",
        "ExistingDomainEndpoint",
        "ExistingDomainArn",
    ]:
        assert name in tpl.doc["Parameters"]
    env = tpl.doc["Globals"]["Function"]["Environment"]["Variables"]
    assert env["NEWSFACET_OPENSEARCH_AUTH"] == "sigv4"
    assert tpl.resolve(env["NEWSFACET_AWS_REGION"]) == "us-east-1"


def test_alarms_cover_dlq_errors_and_throttles(tpl: Template) -> None:
    watched = {
        (a["Properties"]["MetricName"], str(a["Properties"]["Dimensions"][0]["Value"].value))
        for a in resources_of(tpl, "AWS::CloudWatch::Alarm").values()
    }
    assert ("ApproximateNumberOfMessagesVisible", "IngestDeadLetterQueue.QueueName") in watched
    for function in ("IngestFunction", "SearchFunction"):
        assert ("Errors", function) in watched
        assert ("Throttles", function) in watched


def test_logs_are_retained_and_outputs_present(tpl: Template) -> None:
    for group in resources_of(tpl, "AWS::Logs::LogGroup").values():
        assert group["Properties"]["RetentionInDays"].value == "LogRetentionDays"
    for function in tpl.functions():
        assert "LoggingConfig" in tpl.resources[function]["Properties"]
    assert {
        "ApiUrl",
        "BucketName",
        "IngestQueueUrl",
        "DeadLetterQueueUrl",
        "DomainEndpoint",
    } <= set(tpl.doc["Outputs"])


def test_api_throttling_cors_and_authoriser_are_parameters(tpl: Template) -> None:
    stage = tpl.resources["SearchStage"]["Properties"]
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"].value == "ApiThrottlingRateLimit"
    api = tpl.resources["SearchHttpApi"]["Properties"]
    condition, cors, absent = api["CorsConfiguration"].value
    assert (condition, absent.value) == ("HasCors", "AWS::NoValue")
    assert cors["AllowOrigins"].value == "CorsAllowOrigins"
    assert tpl.doc["Parameters"]["ApiAuth"]["AllowedValues"] == ["NONE", "IAM", "JWT"]
    # Safe unless told otherwise: signed callers only, no cross-origin browsers.
    assert tpl.parameter_default("ApiAuth") == "IAM"
    assert tpl.parameter_default("CorsAllowOrigins") == ""
    routes = {
        name: route
        for name, route in resources_of(tpl, "AWS::ApiGatewayV2::Route").items()
        if "SearchIntegration" in route["Properties"]["Target"].value
    }
    assert {r["Condition"] for r in routes.values()} == {"NoJwtAuth", "UseJwtAuth"}
    # Each route key once per authoriser choice: the page is never more open than the API.
    for condition in ("NoJwtAuth", "UseJwtAuth"):
        keys = sorted(
            r["Properties"]["RouteKey"] for r in routes.values() if r["Condition"] == condition
        )
        assert keys == ["GET /", "GET /{proxy+}"], condition


def test_admin_routes_take_iam_callers_only_whatever_api_auth_says(tpl: Template) -> None:
    admin = {
        name: route
        for name, route in resources_of(tpl, "AWS::ApiGatewayV2::Route").items()
        if "AdminIntegration" in route["Properties"]["Target"].value
    }
    assert sorted(r["Properties"]["RouteKey"] for r in admin.values()) == [
        "GET /admin/{proxy+}",
        "POST /admin/{proxy+}",
    ]
    for route in admin.values():
        assert "Condition" not in route
        assert route["Properties"]["AuthorizationType"] == "AWS_IAM"
    integration = tpl.resources["AdminIntegration"]["Properties"]["IntegrationUri"].value
    assert "${AdminFunction.Arn}" in integration
    permission = tpl.resources["AdminInvokePermission"]["Properties"]
    assert permission["SourceArn"].value.endswith("/*/*/admin/*")
    # Local routing follows the same table: admin paths never reach the search function.
    from newsfacet_cli.local.template import route_for

    routes = tpl.http_routes()
    assert route_for(routes, "POST", "/admin/curation/merge").function == "AdminFunction"  # type: ignore[union-attr]
    assert route_for(routes, "GET", "/admin/curation/changes").function == "AdminFunction"  # type: ignore[union-attr]
    assert route_for(routes, "GET", "/search").function == "SearchFunction"  # type: ignore[union-attr]
    assert route_for(routes, "POST", "/search") is None


def test_admin_function_writes_curation_and_entries_and_asks_for_passes(tpl: Template) -> None:
    assert actions(tpl, "AdminFunction") == {
        "es:ESHttpGet",
        "es:ESHttpHead",
        "es:ESHttpPost",
        "es:ESHttpPut",
        "sqs:SendMessage",
    }
    (send,) = [s for s in statements(tpl, "AdminFunction") if s["Sid"] == "RequestPasses"]
    assert send["Resource"].value == "CurationQueue.Arn"
    event = tpl.resources["AdminFunction"]["Properties"]["Events"]["Passes"]
    assert event["Type"] == "SQS"
    assert event["Properties"]["Queue"].value == "CurationQueue.Arn"
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queue = tpl.queue("CurationQueue")
    assert queue.dlq_name == tpl.resolve(
        tpl.resources["CurationDeadLetterQueue"]["Properties"]["QueueName"]
    )
    assert queue.visibility_timeout >= 6 * tpl.function("AdminFunction").timeout
    env = tpl.function("AdminFunction").environment
    assert {"NEWSFACET_CURATION_QUEUE_URL", "NEWSFACET_SQS_ENDPOINT_URL"} <= set(env)
    watched = {
        str(a["Properties"]["Dimensions"][0]["Value"].value)
        for a in resources_of(tpl, "AWS::CloudWatch::Alarm").values()
    }
    assert {"CurationDeadLetterQueue.QueueName", "AdminFunction"} <= watched


def _sam_env() -> dict[str, str]:
    return {
        **os.environ,
        "SAM_CLI_TELEMETRY": "0",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }


@pytest.fixture(scope="module")
def sam_cli() -> Path:
    """aws-sam-cli in its own venv (make sam-venv), installed on first use."""
    subprocess.run(["make", "-s", "sam-venv"], cwd=ROOT, check=True, timeout=600)
    return SAM_PYTHON.parent / "sam"


def test_sam_validate_lint(sam_cli: Path) -> None:
    result = subprocess.run(
        [str(sam_cli), "validate", "--lint", "--template-file", "template.yaml"],
        cwd=ROOT,
        env=_sam_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout + result.stderr


def test_sam_local_start_api_sees_the_search_and_admin_routes(sam_cli: Path) -> None:
    """The route table `sam local start-api` serves, read with SAM CLI's own provider."""
    script = (
        "from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider\n"
        "from samcli.lib.providers.api_provider import ApiProvider\n"
        "stacks, _ = SamLocalStackProvider.get_stacks('template.yaml')\n"
        "for r in ApiProvider(stacks).api.routes:\n"
        "    print(r.path, r.function_name, r.payload_format_version, *sorted(set(r.methods)))\n"
    )
    result = subprocess.run(
        [str(SAM_PYTHON), "-c", script],
        cwd=ROOT,
        env=_sam_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    routes = sorted(line.split() for line in result.stdout.splitlines() if line.strip())
    # The API under /{proxy+}, the search page at the root, which /{proxy+} does not match,
    # and the admin API under /admin/, which wins over /{proxy+} as the more specific route.
    assert routes == [
        ["/", "SearchFunction", "2.0", "GET", "OPTIONS"],
        ["/admin/{proxy+}", "AdminFunction", "2.0", "GET", "OPTIONS", "POST"],
        ["/{proxy+}", "SearchFunction", "2.0", "GET", "OPTIONS"],
    ]


def test_search_function_reads_the_cursor_key_from_secrets_manager(tpl: Template) -> None:
    """No key in the configuration; the function may read exactly the one secret."""
    props = tpl.resources["SearchFunction"]["Properties"]
    variables = props["Environment"]["Variables"]
    assert variables["NEWSFACET_CURSOR_SECRET"] == ""
    assert getattr(variables["NEWSFACET_CURSOR_SECRET_ARN"], "value", None) == "CursorSecret"
    statements = [s for p in props["Policies"] for s in p["Statement"]]
    (read,) = [s for s in statements if "secretsmanager:GetSecretValue" in s["Action"]]
    assert read["Action"] == ["secretsmanager:GetSecretValue"]
    assert getattr(read["Resource"], "value", None) == "CursorSecret"
