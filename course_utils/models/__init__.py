"""The models the notebooks build, one file per family.

================  ====================================================  ========
module            contents                                              notebook
================  ====================================================  ========
``dynamic``       ``DynamicCNN``, ``DynamicLSTM``: any input size         05
``combined``      ``CombinedModel`` (CNN → ConvTranspose → RNN → GRU →    06
                  LSTM → Linear) and a variant whose RNNs really recur
``resnet``        ``BasicBlock``, ``ResNet18``                            07
================  ====================================================  ========

``from course_utils.models import ResNet18`` works for every name listed in a
submodule's ``__all__``; each submodule is imported only when first needed.
"""

import importlib

_SUBMODULES = ("dynamic", "combined", "resnet")


def _exported():
    for sub in _SUBMODULES:
        try:
            module = importlib.import_module(f"{__name__}.{sub}")
        except ModuleNotFoundError as error:
            if error.name == f"{__name__}.{sub}":  # not written yet; anything else is a real error
                continue
            raise
        yield module, getattr(module, "__all__", ())


def __getattr__(name):
    if not name.startswith("_"):
        for module, names in _exported():
            if name in names:
                return getattr(module, name)
    raise AttributeError(f"module 'course_utils.models' has no attribute {name!r}")


def __dir__():
    return sorted({n for _, names in _exported() for n in names} | set(_SUBMODULES))
