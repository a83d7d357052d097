"""Run a function from ``template.yaml`` in this process, as ``sam local invoke`` would in Docker.

The handler module is loaded from the function's ``CodeUri`` under its
logical id, with the template's environment plus local overrides applied
first, exactly once per process (a warm container).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from newsfacet_cli.local.template import Template, UnresolvableError

_loaded: dict[str, ModuleType] = {}


@dataclass
class LocalContext:
    """The parts of the Lambda context object that Powertools reads."""

    function_name: str
    timeout_s: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 1024
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = ""
    _deadline: float = field(default=0.0)

    def __post_init__(self) -> None:
        self.invoked_function_arn = (
            f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"
        )
        self._deadline = time.monotonic() + self.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def function_environment(
    template: Template, logical_id: str, overrides: Mapping[str, str]
) -> dict[str, str]:
    """The template's variables for a function, with unresolvable ones taken from overrides."""
    spec = template.function(logical_id)
    env: dict[str, str] = {}
    missing: list[str] = []
    for key, value in spec.environment.items():
        if key in overrides:
            env[key] = overrides[key]
        elif isinstance(value, UnresolvableError):
            missing.append(f"{key} (needs {value})")
        else:
            env[key] = str(value).lower() if isinstance(value, bool) else str(value)
    if missing:
        raise KeyError(f"no local value for {', '.join(missing)}; pass --env-vars or run the stack")
    env.update({k: v for k, v in overrides.items() if k not in env})
    return env


def load_handler(
    template: Template, logical_id: str, overrides: Mapping[str, str]
) -> tuple[Callable[..., Any], LocalContext]:
    spec = template.function(logical_id)
    env = function_environment(template, logical_id, overrides)
    # Another caller (a test against another index) may have loaded the function
    # with other values: cached settings and clients must follow the environment.
    changed = any(os.environ.get(key) != value for key, value in env.items())
    os.environ.update(env)
    module_name, _, attr = spec.handler.rpartition(".")
    if changed and logical_id in _loaded:
        _reset_cached_settings()
    if logical_id not in _loaded:
        _reset_cached_settings()
        path = Path(spec.code_uri) / (module_name.replace(".", "/") + ".py")
        module_spec = importlib.util.spec_from_file_location(f"_newsfacet_fn_{logical_id}", path)
        if module_spec is None or module_spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[module_spec.name] = module
        module_spec.loader.exec_module(module)
        _loaded[logical_id] = module
    handler = getattr(_loaded[logical_id], attr)
    return handler, LocalContext(function_name=logical_id, timeout_s=spec.timeout)


def _reset_cached_settings() -> None:
    from newsfacet import wiring
    from newsfacet.config import get_settings

    get_settings.cache_clear()
    wiring.ingest_deps.cache_clear()
    wiring.search_service.cache_clear()


def invoke(
    template: Template, logical_id: str, event: dict[str, Any], overrides: Mapping[str, str]
) -> Any:
    handler, context = load_handler(template, logical_id, overrides)
    return handler(event, context)


def read_env_vars(path: Path | None, logical_id: str) -> dict[str, str]:
    """``sam local --env-vars`` format: ``{"Parameters": {...}, "<LogicalId>": {...}}``."""
    if path is None:
        return {}
    data = json.loads(path.read_text("utf-8"))
    return {**data.get("Parameters", {}), **data.get(logical_id, {})}
