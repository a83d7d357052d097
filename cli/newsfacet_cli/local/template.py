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

    # Names of the AWS resources the local stack creates, as the template names them.
    @property
    def bucket_name(self) -> str:
        return str(self.prop("ArticlesBucket", "BucketName"))

    @property
    def queue_name(self) -> str:
        return str(self.prop("IngestQueue", "QueueName"))

    @property
    def dlq_name(self) -> str:
        return str(self.prop("IngestDeadLetterQueue", "QueueName"))

    @property
    def max_receive_count(self) -> int:
        policy = self.resources["IngestQueue"]["Properties"]["RedrivePolicy"]
        return int(self.resolve(policy["maxReceiveCount"]))

    @property
    def visibility_timeout(self) -> int:
        return int(
            self.resolve(self.resources["IngestQueue"]["Properties"].get("VisibilityTimeout", 30))
        )


def find_template(start: Path | None = None) -> Path:
    """The nearest ``template.yaml`` from the working directory upwards."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "template.yaml"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("template.yaml not found here or in any parent folder")
