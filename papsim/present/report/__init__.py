"""``pap-sim report DIR``: one self-contained HTML file from any results folder.

The kind of folder is told from its files (:mod:`.detect`): a run, a comparison, a sweep, a sensitivity
analysis or a calibration. Each kind gathers what it shows (:mod:`.run`, :mod:`.comparison`, :mod:`.store`,
:mod:`.calibration`) and renders its Jinja2 template (``templates/``) with numbers formatted by
:mod:`papsim.present.format`. Figures are embedded as base64 PNG or GIF, so the file opens offline in any
browser. Only what the folder holds is used: nothing is re-run.
"""

from papsim.present.report.build import build
from papsim.present.report.detect import KINDS, detect

__all__ = ["KINDS", "build", "detect"]
