"""The models the notebooks build, one file per family.

================  ====================================================  ========
module            contents                                              notebook
================  ====================================================  ========
``dynamic``       ``DynamicCNN``, ``DynamicLSTM``: any input size         05
``combined``      ``CombinedModel`` (CNN → ConvTranspose → RNN → GRU →    06
                  LSTM → Linear) and a variant whose RNNs really recur
``resnet``        ``BasicBlock``, ``ResNet18``; ``LinearBlock``,          07
                  ``DeepMLP`` (plain and residual stacks for experiments)
================  ====================================================  ========

``from course_utils.models import ResNet18`` works for every name listed in a
submodule's ``__all__``.
"""

from course_utils.models.combined import CombinedModel, RowRecurrentModel
from course_utils.models.dynamic import DynamicCNN, DynamicLSTM, lengths_tensor
from course_utils.models.resnet import DOWNSAMPLING, BasicBlock, DeepMLP, LinearBlock, ResNet18

__all__ = ["BasicBlock", "CombinedModel", "DOWNSAMPLING", "DeepMLP", "DynamicCNN", "DynamicLSTM", "LinearBlock",
           "ResNet18", "RowRecurrentModel", "lengths_tensor"]
