"""A stage's report as data: sections of a heading and parts (computed prose, bullets, a figure, a table) in the
order a reader sees them. A notebook shows one with `display(result.report)`; tests read it without a notebook."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import cast

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

from helpers.language.formatting import bullets, heading, markdown_text, say, styled

__all__ = ["Bullets", "Figure", "Formats", "Part", "Prose", "Report", "Section", "Table", "number_at"]

Formats = Mapping[str, str | Callable]  # per column: a format string or a function of the value


@dataclass(frozen=True)
class Prose:
    """Sentences shown as one paragraph."""

    sentences: tuple[str, ...]

    def shown(self) -> object:
        return say(*self.sentences)

    def text(self) -> str:
        return " ".join(self.sentences)


@dataclass(frozen=True)
class Bullets:
    """Sentences shown as a list (a stage's findings)."""

    sentences: tuple[str, ...]

    def shown(self) -> object:
        return bullets(list(self.sentences))

    def text(self) -> str:
        return "\n".join(self.sentences)


@dataclass(frozen=True)
class Figure:
    figure: plt.Figure

    def shown(self) -> object:
        return self.figure

    def text(self) -> str:
        return ""


@dataclass(frozen=True)
class Table:
    """A table with each column's format (a format string or a function of the value), what a missing value shows
    and whether its index is shown (not when it is only a row number)."""

    frame: pd.DataFrame
    formats: Formats = field(default_factory=dict)
    na_rep: str = "–"
    show_index: bool = True

    def shown(self) -> object:
        table = styled(self.frame, dict(self.formats), na_rep=self.na_rep)
        return table if self.show_index else table.hide()

    def text(self) -> str:
        return ""


Part = Prose | Bullets | Figure | Table


@dataclass(frozen=True)
class Section:
    heading: str
    parts: tuple[Part, ...] = ()
    level: int = 2


@dataclass(frozen=True)
class Report:
    """A stage's page: its sections in order."""

    sections: tuple[Section, ...]

    def _ipython_display_(self) -> None:
        for section in self.sections:
            display(heading(section.heading, section.level))
            for part in section.parts:
                display(part.shown())

    def text(self) -> str:
        """Headings and prose as Markdown-safe text: what tests read."""
        lines = []
        for section in self.sections:
            lines.append("#" * section.level + " " + markdown_text(section.heading))
            lines += [part.text() for part in section.parts if part.text()]
        return "\n".join(lines)

    def section(self, title: str) -> Section:
        """The section with this heading (KeyError names the headings there are)."""
        found = [s for s in self.sections if s.heading == title]
        if not found:
            raise KeyError(f"no section '{title}'; sections: {[s.heading for s in self.sections]}")
        return found[0]


def number_at(frame: pd.DataFrame, row: str | int, column: str) -> float:
    """One cell of a table as a number, for the prose that quotes it."""
    return float(cast(pd.Series, frame.loc[row])[column])
