"""A griffe extension for the API pages: kzoo's ``Example:`` docstring sections read as ``Examples:``.

kzoo's docstrings follow the Google style with a singular ``Example:`` heading; griffe only parses
the plural form as doctest examples (rendered as highlighted code). Other headings are untouched.
"""
import re

import griffe

_EXAMPLE = re.compile(r"^(\s*)Example:[ \t]*$", re.MULTILINE)


class ExampleSections(griffe.Extension):
    """Rename each object's ``Example:`` section to ``Examples:`` before griffe parses the docstring."""

    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _EXAMPLE.sub(r"\1Examples:", obj.docstring.value)
