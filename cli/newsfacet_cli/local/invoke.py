"""Run a function from ``template.yaml`` in this process, as ``sam local invoke`` would in Docker.

The handler module is loaded from the function's ``CodeUri`` under its
logical id, with the template's environment plus local overrides applied
first, exactly once per process (a warm container).
"""

from __future__ import annotations

import ctypes
import importlib.util
import json
import os
import sys
import threading
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
    # As Lambda does: the function reads its settings from the environment. Settings
    # and services are cached by value (newsfacet.config, newsfacet.wiring), so a
    # caller with other values (a test against another index) gets its own.
    os.environ.update(function_environment(template, logical_id, overrides))
    module_name, _, attr = spec.handler.rpartition(".")
    if logical_id not in _loaded:
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


class FunctionTimeoutError(Exception):
    """The function ran past its ``Timeout``, as Lambda would report ``Task timed out``."""


class _Stopped(BaseException):
    """Raised inside a handler that ran out of time (BaseException: no ``except Exception``
    in the handler can swallow it)."""


def invoke(
    template: Template, logical_id: str, event: dict[str, Any], overrides: Mapping[str, str]
) -> Any:
    """Run the handler on ``event`` and return its result, within the function's timeout.

    Raises:
        FunctionTimeoutError: it ran past ``Timeout`` (the template's); it is
            interrupted as soon as it next runs Python code.
    """
    handler, context = load_handler(template, logical_id, overrides)
    return call_with_timeout(lambda: handler(event, context), context.timeout_s, logical_id)


def call_with_timeout(call: Callable[[], Any], timeout_s: float, name: str) -> Any:
    """``call()`` in a worker thread, interrupted after ``timeout_s`` as Lambda ends a function.

    Lambda freezes the process; a thread cannot be killed, so the worker gets an
    asynchronous exception instead, raised at its next Python instruction (a long
    C call, such as one spaCy batch, finishes first). The caller gets the timeout
    at once either way.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except _Stopped:
            pass
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            outcome["error"] = exc

    worker = threading.Thread(target=run, name=f"invoke-{name}", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(worker.ident or 0), ctypes.py_object(_Stopped)
        )
        worker.join(5)
        raise FunctionTimeoutError(f"{name} timed out after {timeout_s:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def read_env_vars(path: Path | None, logical_id: str) -> dict[str, str]:
    """``sam local --env-vars`` format: ``{"Parameters": {...}, "<LogicalId>": {...}}``."""
    if path is None:
        return {}
    data = json.loads(path.read_text("utf-8"))
    return {**data.get("Parameters", {}), **data.get(logical_id, {})}
