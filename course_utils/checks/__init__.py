"""Automatic checks for the exercises.

Every check prints exactly one line and never a traceback, because a learner's
honest mistake deserves a hint, not a stack dump::

    ✅ 2.1 passed
    ❌ 2.1: expected shape (1, 1, 3, 3), got (1, 1, 5, 5) — hint: …
    ⏳ 2.1 not attempted yet

A notebook imports its own module and calls one checker per exercise::

    from course_utils.checks import nb02 as checks
    checks.exercise_2_1(answer_2_1)
    checks.set_language("zh")        # ✅ 2.1 通过 / ⏳ 2.1 尚未作答

"Not attempted" means only that the starter's placeholder is untouched: the
answer is still ``...``, or the learner's code raises the starter's *bare*
``raise NotImplementedError``. Any other mistake gets ❌ and a hint, and an
answer the checker cannot even use gets "the answer has the wrong form".

The checkers of notebook NN live in ``course_utils.checks.nbNN``; this package
holds what they share: the ``@exercise`` decorator and ``call`` (``_core``), the
``expect`` helpers (``_expect``), the classic mistakes (``_mistakes``) and the
translatable messages (``_i18n``).
"""

from __future__ import annotations

from ._core import Verdict, answered, call, exercise, exercises, expect_raises
from ._errors import CheckFailed, NotAttempted, WrongForm
from ._expect import as_int, as_shape, expect, expect_close, expect_equal, expect_module, expect_shape, shown
from ._i18n import Message, all_templates, get_language, msg, set_language

__all__ = [
    "exercise",
    "exercises",
    "Verdict",
    "CheckFailed",
    "NotAttempted",
    "WrongForm",
    "answered",
    "call",
    "expect",
    "expect_equal",
    "expect_shape",
    "expect_close",
    "expect_module",
    "expect_raises",
    "as_int",
    "as_shape",
    "shown",
    "Message",
    "msg",
    "set_language",
    "get_language",
    "all_templates",
]
