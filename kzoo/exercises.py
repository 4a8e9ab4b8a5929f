"""``kzoo.exercises``: the short name of ``kzoo.course.exercises``, which every notebook imports.

The name is bound to that package itself (not a copy), so ``kzoo.exercises.for_notebook``,
``from kzoo.exercises import Question`` and ``kzoo.exercises.nb08`` all reach the same objects.
"""
import sys

from kzoo.course import exercises

sys.modules[__name__] = exercises
