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

from course_utils._lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(__name__, ("dynamic", "combined", "resnet"))
