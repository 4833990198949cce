"""The agents: armed groups and security units.

Agents are thin: their state lives in the model's arrays (so a day's work is whole-array arithmetic in the
mechanisms), and each agent is a named view of one row of those arrays, for inspection, notebooks and the
interactive map.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from papsim.model import PortAuPrince

ROLES = ("inactive", "static", "patrol", "hold", "operation", "reserve")
FORCES = ("HNP", "MSS")


class GangGroup(mesa.Agent):
    """An armed group: members, arms, cash, territory, home base, coalition and strategy."""

    model: PortAuPrince

    def __init__(self, model: PortAuPrince, index: int, name: str, family: str, viv_ansanm: bool):
        super().__init__(model)
        self.index = index
        self.name = name
        self.family = family
        self.viv_ansanm = viv_ansanm

    @property
    def members(self) -> float:
        return float(self.model.gang_members[self.index])

    @property
    def arms(self) -> float:
        return float(self.model.gang_arms[self.index])

    @property
    def cash(self) -> float:
        return float(self.model.gang_cash[self.index])

    @property
    def strategy(self) -> str:
        """'confront' the forces or keep a 'low profile' (seed 003_95e9fba624dc4210)."""
        return "confront" if self.model.gang_confront[self.index] else "low profile"

    @property
    def territory(self) -> int:
        """Cells the group controls."""
        return int((self.model.controller == self.index).sum())

    @property
    def home_base(self) -> tuple[int, int]:
        x, y = self.model.city.grid_xy(int(self.model.gang_base[self.index]))
        return int(x), int(y)


def _force_value(field: str, doc: str) -> property:
    """A read-only view of this unit's entry of the model's unit array ``force.<field>``."""
    return property(lambda unit: float(getattr(unit.model.force, field)[unit.index]), doc=doc)


class SecurityUnit(mesa.Agent):
    """An HNP or MSS unit (a section or platoon): personnel, training, equipment, readiness, morale, role."""

    model: PortAuPrince

    def __init__(self, model: PortAuPrince, index: int, force: str):
        super().__init__(model)
        self.index = index
        self.force = force

    @property
    def personnel(self) -> float:
        return float(self.model.unit_personnel[self.index])

    training = _force_value("training", "Training of the unit (0-1).")
    equipment = _force_value("equipment", "Equipment of the unit (0-1).")
    readiness = _force_value("readiness", "Funded readiness of the unit (0-1).")
    morale = _force_value("morale", "Morale of the unit (0-1).")

    @property
    def role(self) -> str:
        """'static' (holds a site), 'patrol', 'hold', 'operation', 'reserve' or 'inactive'."""
        return ROLES[int(self.model.unit_role[self.index])]

    @property
    def position(self) -> tuple[int, int] | None:
        """Grid coordinates of the unit's post or target today (None when not placed)."""
        cell = int(self.model.unit_cell[self.index])
        if cell < 0:
            return None
        x, y = self.model.city.grid_xy(cell)
        return int(x), int(y)
