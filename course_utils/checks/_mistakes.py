"""Classic mistakes, recognised so that the feedback can name them.

Two kinds: mistakes visible in a module's structure (:func:`module_mistake`: a
missing or misspelled ``forward``, a forgotten ``super().__init__()``, layers in
a plain Python list, an ``nn.ModuleList`` or a list where a runnable model is
needed) and mistakes recognisable from the exception a learner's code raised
(:func:`diagnose`). Each returns a ready :class:`CheckFailed`, or ``None``.

The placeholder of a starter cell is a *bare* ``raise NotImplementedError``;
:func:`is_placeholder` tells it apart from the ``NotImplementedError`` that
``nn.Module`` raises when ``forward`` is missing (which carries a message).
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from torch import Tensor, nn

from ._errors import CheckFailed
from ._i18n import msg

__all__ = ["is_placeholder", "module_mistake", "diagnose", "tensor_attribute"]

_CONTAINERS = (nn.ModuleList, nn.ModuleDict, nn.ParameterList, nn.ParameterDict)
_MISSING_FORWARD = re.compile(r'Module \[(\w+)\] is missing the required "forward" function')
_BEFORE_INIT = "before Module.__init__() call"
# the attributes nn.Module.__init__ creates itself (its own dicts of parameters, modules, hooks, …)
_MODULE_INTERNALS = frozenset(vars(nn.Module()))
# what an nn.Module looks up on itself, and misses, when super().__init__() never ran
_UNINITIALISED = re.compile(r"object has no attribute '_(parameters|buffers|modules|\w*hooks\w*|non_persistent\w*)'")


def is_placeholder(error: BaseException) -> bool:
    """True for the starter cell's bare ``raise NotImplementedError`` (no message)."""
    return type(error) is NotImplementedError and not error.args


# --------------------------------------------------------------------------- structure


def _forgot_super_init(name: str) -> CheckFailed:
    return CheckFailed(msg("{name} was created without running nn.Module.__init__", name=name),
                       msg("call super().__init__() as the first line of __init__"))


def _own_method_names(cls: type) -> list[str]:
    names = []
    for klass in cls.__mro__:
        if klass is nn.Module or klass is object:
            break
        names += [name for name, value in vars(klass).items() if callable(value)]
    return names


def _missing_forward(module: nn.Module) -> CheckFailed:
    name = type(module).__name__
    methods = {method.lower(): method for method in _own_method_names(type(module))}
    near = difflib.get_close_matches("forward", list(methods), n=1, cutoff=0.6)  # foward, Forward, forwards, …
    if near:
        hint = msg("rename {spelled} to forward: nn.Module calls only a method spelled exactly forward",
                   spelled=methods[near[0]])
    else:
        hint = msg("define forward(self, x) inside the class, indented like __init__")
    return CheckFailed(msg("{name} has no forward method", name=name), hint)


def _unregistered(module: nn.Module) -> CheckFailed | None:
    for attribute, value in vars(module).items():
        if attribute in _MODULE_INTERNALS:
            continue
        items = list(value.values()) if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else []
        if any(isinstance(item, (nn.Module, nn.Parameter)) for item in items):
            kind = "dict" if isinstance(value, dict) else type(value).__name__
            fix = "nn.ModuleDict" if isinstance(value, dict) else "nn.ModuleList"
            return CheckFailed(
                msg("{owner}.{attribute} is a plain Python {kind}: the layers in it are not registered, so "
                    "parameters() misses them and .to(device) does not move them",
                    owner=type(module).__name__, attribute=attribute, kind=kind),
                msg("store them in an {fix}(...) instead (or in nn.Sequential to run them in order)", fix=fix))
    return None


def module_mistake(value: Any, name: str, runnable: bool = True) -> CheckFailed | None:
    """The first classic mistake in ``value`` (which should be an ``nn.Module`` called ``name``), or ``None``.

    ``runnable`` asks for a module that can be called on an input (so not an ``nn.ModuleList``).
    """
    if isinstance(value, (list, tuple)) and any(isinstance(item, nn.Module) for item in value):
        return CheckFailed(msg("{name} is a plain Python {kind} of layers, not a module",
                               name=name, kind=type(value).__name__),
                           msg("wrap the layers: nn.Sequential(*layers)"))
    if isinstance(value, type) and issubclass(value, nn.Module):
        return CheckFailed(msg("{name} is the class {cls} itself, not a module", name=name, cls=value.__name__),
                           msg("create one: {cls}(...)", cls=value.__name__))
    if not isinstance(value, nn.Module):
        return CheckFailed(msg("{name} should be an nn.Module, got {kind}", name=name, kind=type(value).__name__),
                           msg("make it an nn.Module: subclass nn.Module, or build it with nn.Sequential(...)"))
    if "_modules" not in vars(value):
        return _forgot_super_init(type(value).__name__)
    if runnable and isinstance(value, _CONTAINERS):
        return CheckFailed(msg("{name} is an nn.{kind}: it holds layers but cannot be called on an input",
                               name=name, kind=type(value).__name__),
                           msg("use nn.Sequential(*layers) to run the layers one after another"))
    for module in value.modules():
        if type(module).__module__.split(".")[0] == "torch":
            continue  # PyTorch's own layers keep internal lists (an RNN's _flat_weights) on purpose
        if "_modules" not in vars(module):
            return _forgot_super_init(type(module).__name__)
        if not isinstance(module, _CONTAINERS) and type(module).forward is nn.Module.forward:
            return _missing_forward(module)
        mistake = _unregistered(module)
        if mistake:
            return mistake
    return None


# --------------------------------------------------------------------------- exceptions


def diagnose(error: BaseException, subject: Any = None) -> CheckFailed | None:
    """A specific failure for a classic mistake behind ``error``, raised by the learner's ``subject``."""
    text = str(error)
    missing = _MISSING_FORWARD.search(text)
    if isinstance(error, NotImplementedError) and missing:
        if isinstance(subject, nn.Module):
            for module in subject.modules():
                if type(module).__name__ == missing.group(1):
                    return module_mistake(module, missing.group(1))
        return CheckFailed(msg("{name} has no forward method", name=missing.group(1)),
                           msg("define forward(self, x) inside the class, spelled exactly forward"))
    if isinstance(error, AttributeError) and (_BEFORE_INIT in text or _UNINITIALISED.search(text)):
        return CheckFailed(msg("your module was used before nn.Module.__init__ ran ({error})", error=text),
                           msg("call super().__init__() as the first line of __init__"))
    return None


def tensor_attribute(module: nn.Module, attribute: str) -> bool:
    """True if ``module.attribute`` is a plain tensor (not an ``nn.Parameter``): a classic slip."""
    value = vars(module).get(attribute)
    return isinstance(value, Tensor) and not isinstance(value, nn.Parameter)
