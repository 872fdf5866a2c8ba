"""TEMPORARY alias, to be deleted: the old home of the paper's cases and of the figure generator.

Notebook 03 still imports ``case_by_name, make_scene`` from here; they now live in
``course_utils.viz.paper_cases`` (learner-facing), and the generator is
``python -m course_utils.authoring.figures``. Delete this file once notebook 03 reads
``from course_utils.viz.paper_cases import case_by_name, make_scene``.
"""

from course_utils.viz.paper_cases import CASES, FigureCase, case_by_name, make_scene, numerical_example

__all__ = ["CASES", "FigureCase", "case_by_name", "make_scene", "numerical_example"]
