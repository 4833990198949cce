"""Write a calibration's tables, figures, record (``calibration.json``) and provenance into its folder."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from papsim import provenance
from papsim.analyses.calibration import CalibrationResult
from papsim.present import calibration_figures as figures
from papsim.present.style import save


def write(result: CalibrationResult) -> list[Path]:
    """tables/ (every set simulated, the posterior sample, generations, posterior summary, patterns),
    figures/ (predictive bands, posterior), calibration.json and provenance.json; returns the files written."""
    post, out = result.posterior, result.out
    tables, folder = out / "tables", out / "figures"
    tables.mkdir(parents=True, exist_ok=True)
    files = []
    for name, table in (("calibration_particles", post.particles), ("posterior_sample", post.kept),
                        ("calibration_generations", post.generations), ("posterior_summary", result.summary),
                        ("calibration_patterns", result.patterns)):
        files.append(tables / f"{name}.csv")
        table.to_csv(files[-1], index=False)
    files.append(save(figures.bands_figure(result.bands, result.observed, result.start),
                      folder / "calibration_bands.png"))
    files.append(save(figures.posterior_figure(post.kept, post.best), folder / "posterior.png"))
    files.append(out / "calibration.json")
    files[-1].write_text(json.dumps(
        {"kind": "calibration", "method": "APMC (Lenormand et al. 2013)", "calibrated_file": str(result.calibrated),
         "replaced_shipped_calibration": result.shipped,
         **{k: str(v) if isinstance(v, dt.date) else v for k, v in result.meta.items()},
         "epsilon": post.epsilon, "acceptance_rate_last_generation": post.acceptance_rate,
         "sets_simulated": len(post.particles), "sets_reproducing_all_patterns": result.strict,
         "best_parameters": {r.parameter: r.chosen for r in result.summary.itertuples()}}, indent=2, default=str))
    files.append(provenance.write(out, result.provenance))
    return files
