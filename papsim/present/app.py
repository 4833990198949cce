"""The interactive map, served by ``pap-sim viz`` (:func:`serve`).

A SolaraViz page: the control map (state, gang coalitions, contested cells, communes, key sites, units on
static protection or on the move), live charts of the main outcomes, and controls for the MSS's size,
funding, share on static protection, rules-of-engagement caution and the seed, with Step, Play and Reset.
The mission ramps up from day 0 as in the ``mss_as_planned`` scenario (no dated arrivals), so the
personnel slider sets the size it grows to. One step is one day.

Every browser session builds its own model (``Page`` memoises one per session); a module-level model
would be shared by every tab. ``solara run papsim/present/app.py`` serves the same page, without
:func:`serve`'s settings (sessions kept 24 h, a cookie warning on every page load).
"""

from __future__ import annotations

import datetime as dt
import socket
import textwrap
import time

import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.user_param import Slider
from mesa.visualization.utils import update_counter

from papsim.model import PortAuPrince
from papsim.outcomes import BY_NAME
from papsim.present import format as fmt
from papsim.present.maps import GANG_SHARE, map_figure
from papsim.present.series import format_axis, panel_title, set_limits, smooth, smoothed
from papsim.present.style import colour, figure, linestyle, styled, to_png
from papsim.scenario import SCENARIO_DIR, load_scenario
from papsim.snapshot import frame

BASE_SCENARIO = SCENARIO_DIR / "mss_as_planned.toml"
DAYS = 730
TITLE = "pap-sim: gangs and security forces in Port-au-Prince (stylised map)"


class InteractiveCity(PortAuPrince):
    """The model with the app's controls as keyword arguments (SolaraViz re-creates it with them on Reset)."""

    def __init__(self, mss_target_personnel: int = 2500, funding_share_of_need: float = 1.0,
                 mss_static_share: float = 0.6, roe_caution: float = 0.5, seed: int = 1, days: int = DAYS):
        scenario = load_scenario(BASE_SCENARIO).replace(
            mss_follow_schedule=False,
            mss_target_personnel=int(round(mss_target_personnel)),
            funding_share_of_need=float(funding_share_of_need),
            mss_static_share=float(mss_static_share),
            roe_caution=float(roe_caution),
            days=int(days),
        )
        super().__init__(scenario, rng=int(seed), days=int(days))
        self.run_seed = int(seed)

    def step(self) -> None:
        """One day; the model stops (Play ends) on its last day."""
        if self.day >= self.days:
            self.running = False
            return
        super().step()
        if self.day >= self.days:
            self.running = False

    @property
    def date(self) -> dt.date:
        return self.config.start_date + dt.timedelta(days=int(self.day))

    def series(self, name: str) -> np.ndarray:
        """The recorded daily values of an output up to today."""
        return self.recorder.data[: self.day + 1, self.recorder.index[name]]


def model_params() -> dict:
    """The controls of the sidebar (keyword arguments of :class:`InteractiveCity`)."""
    return {
        "mss_target_personnel": Slider("MSS personnel (target)", 2500, 0, 6000, 50),
        "funding_share_of_need": Slider("Funding (share of the cost met)", 1.0, 0.0, 1.5, 0.05),
        "mss_static_share": Slider("MSS share on static protection", 0.6, 0.0, 1.0, 0.05),
        "roe_caution": Slider("Rules-of-engagement caution", 0.5, 0.0, 1.0, 0.05),
        "seed": Slider("Seed", 1, 0, 999, 1),
        "days": DAYS,
    }


def map_png(model: InteractiveCity) -> bytes:
    """Today's control map as PNG bytes."""
    return to_png(map_figure(model.city, [frame(model)], panel_width=6.6))


# The live panels, by catalogue name: a heading for panels of several outcomes (their catalogue labels are
# the legend); a single outcome's panel is titled with its label.
LIVE: tuple[tuple[str | None, tuple[str, ...]], ...] = (
    ("Under gang control", ("gang_population_share", "gang_territory_share")),
    (None, ("deaths_civilian",)),
    (None, ("displaced_total",)),
    ("Personnel", ("mss_personnel", "hnp_personnel")),
    ("Trust and access", ("trust", "humanitarian_access")),
    (None, ("funds_balance",)),
)


@styled
def charts_figure(model: InteractiveCity) -> Figure:
    """The live panels of the outcomes up to today."""
    fig = figure(6.4, 7.0)
    axes = fig.subplots(3, 2, sharex=True).ravel()
    day = np.arange(model.day + 1)
    for ax, (heading, names) in zip(axes, LIVE):
        drawn = []
        for i, name in enumerate(names):
            y = model.series(name)
            y = smooth(pd.Series(y)).to_numpy() if smoothed(name) else y
            ax.plot(day, y, color=colour(i), linestyle=linestyle(i), label=textwrap.fill(BY_NAME[name].label, 34))
            drawn.append(y)
        ax.set_title(heading or panel_title(names[0], width=38))
        ax.set_xlim(0, max(30, model.day))
        set_limits(ax, names[0], np.concatenate(drawn))
        format_axis(ax.yaxis, names[0])
        if len(names) > 1:
            ax.legend(loc="best", frameon=False, fontsize=6)
    for ax in axes[4:]:
        ax.set_xlabel("day")
    return fig


@solara.component
def MapView(model: InteractiveCity):
    """The control map of today, with the day and the headline numbers above it."""
    update_counter.get()  # re-render after every Step (SolaraViz bumps this counter)
    png = solara.use_memo(lambda: map_png(model), dependencies=[id(model), model.day])
    share = model.series(GANG_SHARE)[-1]
    with solara.Column(gap="4px"):
        solara.Text(f"Day {model.day} of {model.days} · {model.date:%d %B %Y}",
                    style={"font-size": "16px", "font-weight": "600"}, classes=["pap-day"])
        solara.Text(f"{BY_NAME[GANG_SHARE].label}: {fmt.value(share, 'share')} · "
                    f"MSS {fmt.value(model.mss, 'count')} · HNP {fmt.value(model.hnp, 'count')} · "
                    f"seed {model.run_seed}", style={"font-size": "14px"})
        solara.Image(png, width="100%", classes=["pap-map"])


@solara.component
def ChartsView(model: InteractiveCity):
    """Live charts of the main outcomes up to today."""
    update_counter.get()
    png = solara.use_memo(lambda: to_png(charts_figure(model)), dependencies=[id(model), model.day])
    with solara.Column(gap="4px"):
        solara.Text(f"Main outcomes to day {model.day}", style={"font-size": "16px", "font-weight": "600"})
        solara.Image(png, width="100%", classes=["pap-charts"])


# Mesa 3.5.1's SolaraViz has no options for these, so they are styled: every slider shows its value (the
# thumb label Vuetify otherwise shows only while dragging, with room made above it); the tab bar of the one
# page ("PAGE 0") and the last card of the sidebar ("Information", the step count as "Time: 0.0", which the
# day above the map says better) are hidden.
CSS = """
.v-navigation-drawer .v-slider__thumb-label-container { display: block !important; }
.v-navigation-drawer .v-input__slider { margin-top: 26px; }
.solara-content-main .v-tabs { display: none; }
.v-navigation-drawer .v-card:last-child { display: none; }
"""


@solara.component
def Page():
    """One model per browser session."""
    model = solara.use_memo(InteractiveCity, dependencies=[])
    solara.Style(CSS)
    SolaraViz(model, components=[(MapView, 0), (ChartsView, 0)], model_params=model_params(), name=TITLE,
              play_interval=150)


# A browser session whose page is gone (tab closed, browser killed, network lost) is freed after this, unless
# SOLARA_KERNEL_CULL_TIMEOUT says otherwise; solara's default keeps each one (about 14 MiB) for 24 h.
CULL_TIMEOUT = "2m"
# solara warns on every page load that is not from 'localhost' that it falls back to samesite=lax cookies: the
# right cookies for a page opened directly (not embedded in another site's frame), so the warning is noise.
COOKIE_WARNING = "Cookies with samesite=none require https"


def serve(listener: socket.socket, open_url: str | None = None) -> int:
    """Serve the app on ``listener`` (a bound socket) in this process until stopped, opening a browser tab
    on ``open_url`` once it answers; returns 0.

    In this process rather than a child, so that stopping or killing it (even ``kill -9``) stops the server;
    on the caller's socket, so that the port (also a free one picked by port 0) is known and held before the
    slow imports. Solara in production mode (no file watching, no check sent to its site) and without its
    usage reports (nothing is sent to solara's servers)."""
    import os
    import threading
    import warnings
    import webbrowser

    import uvicorn
    from solara.server import settings

    host, port = listener.getsockname()[:2]
    os.environ.update(SOLARA_APP=f"{__name__}:Page", SERVER_NAME=str(host), SERVER_PORT=str(port))
    settings.main.mode = "production"
    settings.kernel.cull_timeout = os.environ.get("SOLARA_KERNEL_CULL_TIMEOUT", CULL_TIMEOUT)
    settings.telemetry.mixpanel_enable = False
    warnings.filterwarnings("ignore", message=COOKIE_WARNING, module="solara.server.starlette")
    server = uvicorn.Server(uvicorn.Config("solara.server.starlette:app", log_config=None, log_level="error",
                                           timeout_graceful_shutdown=5))
    if open_url:
        def open_when_started() -> None:
            while not server.started and not server.should_exit:
                time.sleep(0.1)
            if server.started:
                webbrowser.open(open_url)

        threading.Thread(target=open_when_started, daemon=True).start()
    server.run(sockets=[listener])
    return 0

