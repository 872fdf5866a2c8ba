"""Re-export a subpackage's names without importing its submodules up front.

``course_utils.models`` and ``course_utils.viz`` use this so that
``from course_utils.models import ResNet18`` works, while ``import
course_utils.models`` alone stays cheap (no torchvision, no matplotlib).
"""

import importlib


def lazy_exports(package, submodules):
    """Return ``(__getattr__, __dir__)`` for ``package``.

    A name is looked up in each submodule's ``__all__``, in order; a submodule
    is imported the first time a lookup reaches it.
    """

    def modules():
        for sub in submodules:
            yield importlib.import_module(f"{package}.{sub}")

    def __getattr__(name):
        if not name.startswith("_"):
            for module in modules():
                if name in getattr(module, "__all__", ()):
                    return getattr(module, name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted({n for m in modules() for n in getattr(m, "__all__", ())} | set(submodules))

    return __getattr__, __dir__
