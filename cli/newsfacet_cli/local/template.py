"""Read ``template.yaml`` the way ``sam local`` does: names, handlers, environment.

Tests and the local stack take bucket, queue, handler and variable names from
here, so the template stays the one source of truth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

LOCAL_PSEUDO = {
    "AWS::StackName": "newsfacet-local",
    "AWS::AccountId": "123456789012",
    "AWS::Region": "us-east-1",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}


class _Tag:
    def __init__(self, tag: str, value: Any) -> None:
        self.tag = tag
        self.value = value


def _tag_constructor(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> _Tag:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return _Tag(suffix, value)


class _TemplateLoader(yaml.SafeLoader):  # type: ignore[misc]
    pass


_TemplateLoader.add_multi_constructor("!", _tag_constructor)


class UnresolvableError(Exception):
    """A value depends on a resource that only exists once deployed."""


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_uri: Path
    handler: str
    environment: dict[str, Any]
    timeout: int


class Template:
    def __init__(self, path: Path, stack_name: str = "newsfacet-local") -> None:
        self.path = path
        self.root = path.parent
        with path.open(encoding="utf-8") as fh:
            self.doc: dict[str, Any] = yaml.load(fh, Loader=_TemplateLoader)
        self.pseudo = {**LOCAL_PSEUDO, "AWS::StackName": stack_name}

    @property
    def resources(self) -> dict[str, Any]:
        resources: dict[str, Any] = self.doc["Resources"]
        return resources

    def parameter_default(self, name: str) -> Any:
        return self.doc.get("Parameters", {}).get(name, {}).get("Default")

    def resolve(self, value: Any) -> Any:
        """Resolve ``!Sub``/``!Ref`` over parameters and pseudo parameters; else Unresolvable."""
        if isinstance(value, _Tag):
            if value.tag == "Ref":
                return self._ref(value.value)
            if value.tag == "Sub" and isinstance(value.value, str):
                return re.sub(r"\$\{([^}]+)\}", lambda m: str(self._ref(m.group(1))), value.value)
            raise UnresolvableError(f"!{value.tag}")
        if isinstance(value, dict) and len(value) == 1:
            ((key, inner),) = value.items()
            if key == "Ref":
                return self._ref(inner)
            if key == "Fn::Sub":
                return self.resolve(_Tag("Sub", inner))
        return value

    def _ref(self, name: str) -> Any:
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.doc.get("Parameters", {}):
            return self.parameter_default(name)
        raise UnresolvableError(name)

    def prop(self, logical_id: str, name: str) -> Any:
        return self.resolve(self.resources[logical_id]["Properties"][name])

    def function(self, logical_id: str) -> FunctionSpec:
        resource = self.resources.get(logical_id)
        if not resource or resource.get("Type") != "AWS::Serverless::Function":
            names = [
                k for k, v in self.resources.items() if v.get("Type") == "AWS::Serverless::Function"
            ]
            raise KeyError(
                f"{logical_id} is not a function in {self.path.name}; functions: {names}"
            )
        props = resource["Properties"]
        glob = self.doc.get("Globals", {}).get("Function", {})
        env_raw = {
            **glob.get("Environment", {}).get("Variables", {}),
            **props.get("Environment", {}).get("Variables", {}),
        }
        env: dict[str, Any] = {}
        for key, raw in env_raw.items():
            try:
                env[key] = self.resolve(raw)
            except UnresolvableError as exc:
                env[key] = UnresolvableError(str(exc))
        return FunctionSpec(
            logical_id=logical_id,
            code_uri=self.root / props["CodeUri"],
            handler=props.get("Handler") or glob.get("Handler"),
            environment=env,
            timeout=int(props.get("Timeout") or glob.get("Timeout") or 3),
        )

    def functions(self) -> list[str]:
        return [
            k for k, v in self.resources.items() if v.get("Type") == "AWS::Serverless::Function"
        ]

    def http_routes(self) -> list[Route]:
        """Every HTTP API route (method, path) and the function its integration invokes."""
        functions: dict[str, str] = {}
        for logical_id, resource in self.resources.items():
            if resource.get("Type") == "AWS::ApiGatewayV2::Integration":
                uri = resource["Properties"]["IntegrationUri"]
                found = re.search(r"\$\{(\w+)\.Arn\}", getattr(uri, "value", str(uri)))
                if found:
                    functions[logical_id] = found.group(1)
        routes: set[Route] = set()
        for resource in self.resources.values():
            if resource.get("Type") != "AWS::ApiGatewayV2::Route":
                continue
            props = resource["Properties"]
            method, _, path = props["RouteKey"].partition(" ")
            integration = re.search(
                r"integrations/\$\{(\w+)\}", getattr(props["Target"], "value", "")
            )
            if integration and integration.group(1) in functions:
                routes.add(Route(method, path, functions[integration.group(1)]))
        return sorted(routes)

    # Names of the AWS resources the local stack creates, as the template names them.
    @property
    def bucket_name(self) -> str:
        return str(self.prop("ArticlesBucket", "BucketName"))

    def queue(self, logical_id: str) -> QueueSpec:
        """A queue with a redrive policy: its name, its dead-letter queue's, and its timings."""
        props = self.resources[logical_id]["Properties"]
        redrive = props["RedrivePolicy"]
        dlq = redrive["deadLetterTargetArn"].value.split(".")[0]  # !GetAtt <LogicalId>.Arn
        return QueueSpec(
            name=str(self.prop(logical_id, "QueueName")),
            dlq_name=str(self.prop(dlq, "QueueName")),
            visibility_timeout=int(self.resolve(props.get("VisibilityTimeout", 30))),
            # A parameter (IngestMaxReceiveCount) or a number.
            max_receive_count=int(self.resolve(redrive["maxReceiveCount"])),
        )

    @property
    def queue_name(self) -> str:
        return self.queue("IngestQueue").name

    @property
    def dlq_name(self) -> str:
        return self.queue("IngestQueue").dlq_name

    @property
    def max_receive_count(self) -> int:
        return self.queue("IngestQueue").max_receive_count

    @property
    def visibility_timeout(self) -> int:
        return self.queue("IngestQueue").visibility_timeout


@dataclass(frozen=True, order=True)
class Route:
    method: str
    path: str  # "/", "/{proxy+}", "/admin/{proxy+}"
    function: str

    def matches(self, method: str, path: str) -> bool:
        if self.method not in {method, "ANY"}:
            return False
        if self.path.endswith("/{proxy+}"):
            base = self.path[: -len("{proxy+}")]
            return path.startswith(base) and len(path) > len(base)
        return path == self.path


def route_for(routes: list[Route], method: str, path: str) -> Route | None:
    """The route API Gateway picks: an exact path first, else the longest greedy prefix."""
    found = [r for r in routes if r.matches(method, path)]
    if not found:
        return None
    return max(found, key=lambda r: (not r.path.endswith("{proxy+}"), len(r.path)))


@dataclass(frozen=True)
class QueueSpec:
    name: str
    dlq_name: str
    visibility_timeout: int
    max_receive_count: int


def find_template(start: Path | None = None) -> Path:
    """The nearest ``template.yaml`` from the working directory upwards."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "template.yaml"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("template.yaml not found here or in any parent folder")
