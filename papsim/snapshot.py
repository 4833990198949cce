"""What a map shows on one day: the state of a model captured as plain arrays and a table of units."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from papsim.agents import FORCES, ROLES

if TYPE_CHECKING:
    from papsim.model import PortAuPrince


@dataclass(frozen=True)
class Frame:
    """The map state of one day. Arrays have the grid's shape (width, height), indexed [x, y]."""

    day: int
    date: dt.date | None
    controller: np.ndarray
    contested: np.ndarray
    units: pd.DataFrame  # x, y, force, role, personnel of every placed unit


def frame(model: PortAuPrince) -> Frame:
    """The map state of a live model today (copies: the frame does not change as the model steps on)."""
    city = model.city
    placed = model.unit_cell >= 0
    x, y = city.grid_xy(model.unit_cell[placed])
    units = pd.DataFrame({
        "x": x, "y": y,
        "force": np.asarray(FORCES)[model.unit_force[placed]],
        "role": np.asarray(ROLES)[model.unit_role[placed]],
        "personnel": model.unit_personnel[placed],
    })
    date = model.config.start_date + dt.timedelta(days=int(model.day))
    return Frame(day=int(model.day), date=date, controller=city.to_grid(model.controller, -1),
                 contested=city.to_grid(model.contested, False), units=units)
