"""``kzoo.demo``: the old name of ``kzoo.course.demo`` (``from kzoo.demo import run_demo`` keeps working)."""
import sys

from kzoo.course import demo

sys.modules[__name__] = demo
