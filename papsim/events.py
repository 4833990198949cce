"""The events log of a run: one row per violent event, with who started it, where, and who was killed or wounded.

The events are the security forces' operations (one row per target cell, ``operations.RAID_LOG``; the
guards' counter-attacks on lost key sites, ``recapture.py``, are operations too) and the
summary executions after them (one row per operation with any, ``executions.EXECUTION_LOG``), the gangs'
attacks on key sites (one row per attacked cell, ``attacks.ASSAULT_LOG``), the drone task force's strikes
(one row per strike, ``drones.STRIKE_LOG``) and the vigilantes' killings (one row per cell with any,
``vigilantes.KILL_LOG``). The columns are a
catalogue like the outcomes': figures, reports and tests read the names and labels from :data:`COLUMNS`. A
run writes the log as ``events.parquet``.

Who killed whom (the attribution of ``deaths_by_security`` and ``deaths_by_gangs``): gang members are killed
by the security forces (or by the vigilantes, in their rows), HNP and MSS personnel by gangs, and residents
by whoever started the event (the
record counts residents killed in operations as "killed in police operations (some not involved in
violence)", ≥590 in Q1 2024, record additions §2; residents killed in a gang attack are the attackers'
victims: assumption; the vigilantes' victims among residents are suspects, record additions §2).
Security casualties split into killed and wounded by the HNP's recorded ratio
(``operations.HNP_DEATH_SHARE``: 48 killed and 75 injured in 2023, record [V]).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from papsim.mechanisms.attacks import ASSAULT_LOG
from papsim.mechanisms.drones import STRIKE_LOG
from papsim.mechanisms.executions import EXECUTION_LOG
from papsim.mechanisms.vigilantes import KILL_LOG
from papsim.mechanisms.operations import HNP_DEATH_SHARE, RAID_LOG


@dataclass(frozen=True)
class Column:
    """One column of the events log."""

    name: str
    unit: str
    label: str


COLUMNS: tuple[Column, ...] = (
    Column("day", "day", "Day of the run (0 is the start date)"),
    Column("date", "date", "Date"),
    Column("kind", "category", "Kind of event: operation, execution or drone strike (by the security forces), "
           "attack (by a gang), vigilante killing"),
    Column("initiator", "category", "Who started it: security forces, gang or vigilantes"),
    Column("cell", "index", "The model's cell"),
    Column("commune_code", "P-code", "Commune of the cell (OCHA P-code)"),
    Column("commune", "name", "Commune of the cell"),
    Column("gang", "name", "The armed group: holding the cell raided, attacking, or hunted by the vigilantes"),
    Column("personnel", "persons", "Security personnel engaged"),
    Column("mss_personnel", "persons", "Of them, MSS personnel"),
    Column("fighters", "persons", "Gang fighters engaged"),
    Column("aimed", "share",
           "Share of the forces' fire that was aimed (the intelligence of an operation or a strike; 1 in an attack)"),
    Column("killed_residents", "persons", "Residents killed"),
    Column("killed_gang", "persons", "Gang members killed"),
    Column("killed_hnp", "persons", "HNP personnel killed"),
    Column("killed_mss", "persons", "MSS personnel killed"),
    Column("wounded_residents", "persons", "Residents wounded (injured_per_killed per resident killed)"),
    Column("wounded_hnp", "persons", "HNP personnel wounded"),
    Column("wounded_mss", "persons", "MSS personnel wounded"),
    Column("arrested", "persons", "Gang members arrested and held"),
    Column("outcome", "category",
           "What it achieved: cleared or held (operation); taken or repelled (attack); hit or missed (drone strike); "
           "executed; gang members or only suspects killed (vigilantes)"),
)
COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
# per kind: its log's columns, who starts it, and its outcome by whether the named column is positive
_KINDS = {"operation": (RAID_LOG, "security forces", "cleared", ("cleared", "held")),
          "execution": (EXECUTION_LOG, "security forces", "gang_killed", ("executed", "none")),
          "attack": (ASSAULT_LOG, "gang", "taken", ("taken", "repelled")),
          "drone strike": (STRIKE_LOG, "security forces", "gang_killed", ("hit", "missed")),
          "vigilante killing": (KILL_LOG, "vigilantes", "gang_killed", ("gang members killed", "suspects killed"))}


class EventLog:
    """The events of a run, day by day; :meth:`frame` turns them into the table of :data:`COLUMNS`."""

    def __init__(self, cell_commune: np.ndarray, commune_codes: tuple[str, ...], commune_names: tuple[str, ...],
                 gang_names: tuple[str, ...], injured_per_killed: float):
        """``injured_per_killed``: residents wounded per resident killed (the registry's, from the record)."""
        self._commune, self._codes, self._names = cell_commune, np.array(commune_codes), np.array(commune_names)
        self._injured_per_killed = injured_per_killed
        self._gangs = np.array(gang_names)
        self._logs: dict[str, list[tuple[int, np.ndarray]]] = {kind: [] for kind in _KINDS}

    def add(self, kind: str, day: int, log: np.ndarray) -> None:
        """The day's events of ``kind`` (``operation``: rows of ``operations.RAID_LOG``; ``execution``:
        ``executions.EXECUTION_LOG``; ``attack``: ``attacks.ASSAULT_LOG``; ``drone strike``:
        ``drones.STRIKE_LOG``; ``vigilante killing``: ``vigilantes.KILL_LOG``)."""
        if len(log):
            self._logs[kind].append((day, log))

    def frame(self, start_date) -> pd.DataFrame:
        """The log as a table, by day, then in the order of the day (operations, executions, attacks, drone
        strikes, vigilante killings), then as each mechanism listed them."""
        parts = [self._part(kind) for kind in _KINDS if self._logs[kind]]
        if not parts:
            return pd.DataFrame({name: pd.Series(dtype=_DTYPES.get(name, "float64")) for name in COLUMN_NAMES})
        table = pd.concat(parts, ignore_index=True).sort_values("day", kind="stable", ignore_index=True)
        table.insert(1, "date", pd.Timestamp(start_date) + pd.to_timedelta(table["day"], unit="D"))
        return table[list(COLUMN_NAMES)]

    def _part(self, kind: str) -> pd.DataFrame:
        """Every event of ``kind``, in the order added."""
        names, initiator, flag, outcomes = _KINDS[kind]
        log = np.concatenate([rows for _, rows in self._logs[kind]])
        day = np.concatenate([np.full(len(rows), d) for d, rows in self._logs[kind]])
        none = np.zeros(len(log))
        col = {"personnel": none, "mss_personnel": none, "hnp_losses": none, "mss_losses": none, "arrested": none,
               "fighters": none, "civilians_killed": none, "gang_killed": none, "aimed": np.ones(len(log)),
               **dict(zip(names, log.T))}
        cell = col["cell"].astype(np.int64)
        commune = self._commune[cell]
        return pd.DataFrame({
            "day": day, "kind": kind, "initiator": initiator, "cell": cell,
            "commune_code": self._codes[commune], "commune": self._names[commune],
            "gang": self._gangs[col["gang"].astype(np.int64)], "personnel": col["personnel"],
            "mss_personnel": col["mss_personnel"], "fighters": col["fighters"],
            "aimed": col["aimed"],
            "killed_residents": col["civilians_killed"], "killed_gang": col["gang_killed"],
            "killed_hnp": HNP_DEATH_SHARE * col["hnp_losses"], "killed_mss": HNP_DEATH_SHARE * col["mss_losses"],
            "wounded_residents": self._injured_per_killed * col["civilians_killed"],
            "wounded_hnp": (1.0 - HNP_DEATH_SHARE) * col["hnp_losses"],
            "wounded_mss": (1.0 - HNP_DEATH_SHARE) * col["mss_losses"],
            "arrested": col["arrested"], "outcome": np.where(col[flag] > 0, *outcomes)})


# the columns' types in an empty log (text columns as objects, the others float)
_DTYPES = {"day": "int64", "cell": "int64", "date": "datetime64[ns]",
           **{name: "object" for name in ("kind", "initiator", "commune_code", "commune", "gang", "outcome")}}


PERPETRATORS: tuple[str, ...] = ("security", "vigilantes", "gangs")
"""The rows of :func:`deaths_by_perpetrator`: the security forces, the vigilantes, the gangs (the outputs
``deaths_by_<who>`` and ``commune_deaths_by_<who>``)."""


def _at(out: np.ndarray, log: np.ndarray, names: tuple[str, ...], column: str, scale: float = 1.0) -> None:
    """Add ``scale`` times a log's ``column`` to ``out`` at the rows' cells, in place."""
    if len(log):
        np.add.at(out, log[:, names.index("cell")].astype(np.int64), scale * log[:, names.index(column)])


def deaths_by_perpetrator(n_cells: int, *, raids: np.ndarray, executions: np.ndarray, assaults: np.ndarray,
                          strikes: np.ndarray, lynchings: np.ndarray, by_forces: np.ndarray,
                          by_vigilantes: np.ndarray, killed: np.ndarray) -> np.ndarray:
    """The day's deaths per cell by who caused them, ``(3, n_cells)`` in the order of :data:`PERPETRATORS`.

    The security forces: the gang members killed in operations, executions, fights for sites and drone
    strikes (the logs' ``gang_killed``) and the residents killed in their actions (``by_forces`` per cell, as
    drawn); the vigilantes: the gang members of their rows and the suspects among residents
    (``by_vigilantes``); the gangs: the other residents killed and the HNP and MSS personnel killed in
    operations and fights. ``killed``: the residents killed per cell, all causes, capped by the residents:
    where the cap binds, the earlier actors of the day keep their victims (the forces, then the vigilantes).
    """
    out = np.zeros((3, n_cells))
    for log, names in ((raids, RAID_LOG), (executions, EXECUTION_LOG), (assaults, ASSAULT_LOG),
                       (strikes, STRIKE_LOG)):
        _at(out[0], log, names, "gang_killed")
    _at(out[1], lynchings, KILL_LOG, "gang_killed")
    first = np.minimum(by_forces, killed)
    vigilantes = np.minimum(by_vigilantes, killed - first)
    out[0] += first
    out[1] += vigilantes
    out[2] += killed - first - vigilantes
    for log, names in ((raids, RAID_LOG), (assaults, ASSAULT_LOG)):
        for column in ("hnp_losses", "mss_losses"):
            _at(out[2], log, names, column, HNP_DEATH_SHARE)
    return out
