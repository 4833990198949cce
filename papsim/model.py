"""The model: Port-au-Prince on a grid, armed groups, HNP and MSS units, one step per day.

Per-cell state lives in Mesa property layers (attached to an ``OrthogonalMooreGrid`` built on first use of
``model.grid``); the model works on flat views of their arrays and calls the mechanisms (pure functions) in a
fixed order each day (:meth:`PortAuPrince.step`): funding → personnel → posture → operations → the guards'
counter-attacks on lost sites → executions → gang attacks → drone strikes → retaliation → vigilantes →
territory → population → displacement → economy and recruitment → trust → census → phase → the HNP's
condition → record. The rules are in the mechanisms
(``papsim/mechanisms/``); the model holds the state, calls them and records.
Their array work goes through ``self.kernels`` (``papsim/kernels/__init__.py``: per module NumPy or its
compiled twin, the same numbers). All randomness comes from ``self.streams``: one stream per mechanism,
spawned from the run's seed and set to the day (``papsim/streams.py``), so that scenarios run on the same seed
are paired.
"""

from __future__ import annotations

import mesa
import numpy as np
from mesa.discrete_space import OrthogonalMooreGrid, PropertyLayer

from papsim.agents import FORCES, GangGroup, SecurityUnit
from papsim import citymap
from papsim.citymap import CityMap
from papsim.events import PERPETRATORS, EventLog, deaths_by_perpetrator
from papsim.kernels import select as select_kernels
from papsim.mechanisms import (Grid, attacks, census, displacement, distinct_neighbours, drones, economy, executions,
                               fighters, funding, hnp, operations, personnel, phases, population, posture, recapture,
                               retaliation, settlement, territory, trust, vigilantes)
from papsim.outcomes import CommuneRecorder, Recorder
from papsim.scenario import Scenario
from papsim.streams import Streams

# the registry parameters read outside the mechanisms: by the model itself (the map's resolution and density
# gradient, through citymap.for_params, as papsim/runner.py does; the prisons' detainees at the start; the
# residents wounded per resident killed, for the events log and the outputs), by the
# run's summary (papsim/indicators.py) and by the calibration (papsim/analyses/calibration.py: it scales the
# national figures, the model never reads it)
MODEL_PARAMETERS: tuple[str, ...] = ("cell_size_m", "population_gradient_km", "cost_per_person_month_usd",
                                     "election_secure_share", "election_days", "area_share_of_national_violence",
                                     "detained_at_start", "injured_per_killed")


# the columns of the event logs the fighters per cell follow: the cells taken in attacks, the gang members
# killed by drone strikes and by vigilantes
ASSAULT_TAKEN = attacks.ASSAULT_LOG.index("taken")
STRIKE_KILLED = drones.STRIKE_LOG.index("gang_killed")
KILL_GANG = vigilantes.KILL_LOG.index("gang_killed")

# the per-cell state that Mesa's grid shows as property layers (model.grid), with its value off land
LAYERS: dict[str, float] = {"population": 0.0, "displaced": 0.0, "trust": 0.0, "security": 0.0, "violence": 0.0,
                            "retaliation": 0.0, "held_until": -1, "controller": territory.NO_GANG,
                            "gang_strength": 0.0, "vigilance": 0.0}


class PortAuPrince(mesa.Model):
    """Gang territorial control in Port-au-Prince and the security forces sent against it."""

    def __init__(self, scenario: Scenario, rng: int | np.random.SeedSequence | None = None,
                 days: int | None = None, kernels: str | None = None):
        """``kernels``: ``"compiled"``, ``"numpy"`` or ``"auto"`` (:func:`papsim.kernels.select`; by default the
        ``PAP_SIM_KERNELS`` environment variable, else ``auto``). Both give the same numbers."""
        super().__init__(rng=rng)
        self.streams = Streams(rng)
        self.kernels = select_kernels(kernels)
        self.config = scenario
        p = self.p = scenario.params
        self.days = days if days is not None else scenario.days
        self.day = 0
        city = self.city = citymap.for_params(scenario.map_path, p)
        self._grid: OrthogonalMooreGrid | None = None
        self._build_grid(city)
        self._build_gangs(city)
        self._build_forces()
        self._build_funding()
        self.recorder = Recorder(self.days)
        self.event_log = EventLog(city.cell_commune, city.commune_codes, city.commune_names,
                                  tuple(gang.name for gang in city.gangs), p["injured_per_killed"])
        self.commune_recorder = CommuneRecorder(self.days, city.commune_codes, city.commune_names,
                                                self._urban_per_commune)
        held = self.controller != territory.NO_GANG
        self._record(*self._census(held, ~held & ~self.contested & self.land, np.zeros(city.n_cells)), ops=0,
                     cleared=0, attacked=0, deaths=np.zeros(4), culprits=np.zeros((len(PERPETRATORS), city.n_cells)),
                     executed=0.0, strikes=0, civ_ops=0.0, arrests=0.0, kidnaps=0.0)

    # --- set-up -------------------------------------------------------------------------------------
    @property
    def grid(self) -> OrthogonalMooreGrid:
        """Mesa's grid of the whole map, with the model's per-cell state as property layers
        (``grid.controller.data`` and so on, ``LAYERS``) as it is at the time of the call; off land a layer
        holds its default.

        The model works on its land cells only (``papsim.citymap``); the grid is built on first use and its
        layers refreshed on every access, so a run that never looks at it does not pay for it.
        """
        if self._grid is None:
            self._grid = OrthogonalMooreGrid(self._dims, torus=False, random=self.random)
            for name, default in LAYERS.items():
                values = getattr(self, name)
                self._grid.add_property_layer(PropertyLayer(name, self._dims, default_value=values.dtype.type(default),
                                                            dtype=values.dtype.type))
        for name, default in LAYERS.items():
            self._grid._mesa_property_layers[name].data[:] = self.city.to_grid(getattr(self, name), default)
        return self._grid

    @property
    def units(self) -> list[SecurityUnit]:
        """The security units as Mesa agents (views of the unit arrays), created on first use: a run that never
        looks at them (a sweep) does not pay for some two thousand agents."""
        if self._units is None:
            self._units = [SecurityUnit(self, i, FORCES[f]) for i, f in enumerate(self.force.force)]
        return self._units

    def _build_grid(self, city: CityMap) -> None:
        self._dims = (city.width, city.height)
        n = city.n_cells
        land = self.land = np.ones(n, bool)  # the model's cells are the map's land cells
        nbr = self.nbr = city.neighbours
        self._fronts_of: np.ndarray | None = None  # the controller array the cached fronts were computed for
        n_communes = len(city.commune_codes)
        self.population, self.urban = settlement.initial(self.p, city.cell_population, city.cell_commune, n_communes,
                                                         city.cell_km ** 2, self.config.start_date)
        self._urban_cells = int(self.urban.sum())
        self._commune_starts = city.commune_start[:-1]
        self._urban_per_commune = np.add.reduceat(self.urban, self._commune_starts)
        self.initial_population = float(self.population.sum())
        self.displaced = np.zeros(n)
        self.trust = trust.initial(self.p, land)
        self.security = np.zeros(n)
        self.violence = np.zeros(n)
        self.retaliation = np.zeros(n)
        self.held_until = np.full(n, -1)
        self.contested = np.zeros(n, bool)
        self.patrolled = np.zeros(n)
        self.events = np.zeros(n)  # operations and attacks today, for retaliation
        self.cleared_on = np.full(n, -10**6)  # day each cell was last cleared by an operation
        self.displaced_total = 0.0
        self.displaced_out = 0.0
        self.displaced_returned = 0.0
        self.secure_days = np.zeros(n, np.int64)  # consecutive secure days: when the displaced go home
        sites = city.site_cells
        self.anchors = sites[[k in ("airport", "port") for k in city.site_kinds]]  # humanitarian_access's entries
        self.site_closed_days = np.zeros(len(sites))
        self.site_closed_today = np.zeros(len(sites), bool)
        self.geo = Grid(
            land=land, nbr=nbr, nbr_valid=(nbr != np.arange(n)[:, None]).astype(float),
            nbr_distinct=distinct_neighbours(nbr),
            nbr_land_t=territory.land_neighbours_t(nbr, land), road=city.cell_road.astype(float),
            area_km2=city.cell_km ** 2, mean_population=float(self.population[self.urban].mean()), site_cells=sites,
            site_nbr=nbr[sites], site_value=city.site_priority / citymap.HIGHEST_PRIORITY,
            site_distance=city.site_distance_km,
            site_reach=attacks.reach(self.p, city.centres_km(), sites, nbr[sites]),
            prison_sites=np.array([k == "prison" for k in city.site_kinds]),
            fuel_sites=np.array([k == "fuel_terminal" for k in city.site_kinds]))

    def _build_gangs(self, city: CityMap) -> None:
        gangs, controller = territory.initial_gangs(self.p, city.gangs, city.base_distance_km, self.urban,
                                                    city.site_cells, self.streams["gangs"])
        self.population, self.stocks = displacement.initial(self.p, self.population, controller != territory.NO_GANG)
        self.displaced = self.stocks.present.sum(axis=0)
        self.gang_arrays = gangs
        # the gang arrays, changed in place
        self.gang_members, self.gang_arms, self.gang_cash = gangs.members, gangs.arms, gangs.cash
        self.gang_confront = gangs.confront
        self.gang_base = np.array([gang.base for gang in city.gangs])
        self.controller = controller
        # the fighters per cell (papsim/mechanisms/fighters.py), in their preferred spread at the start
        front = territory.controller_fronts(controller, gangs.side_of, self.geo.nbr_land_t, self.land)[0]
        self.gang_strength = fighters.initial(self.p, controller, self.gang_members, front)
        self.gang_members[:] = fighters.tally(controller, self.gang_strength, len(self.gang_members))
        self._fighters_at_start = float(self.gang_strength[controller >= 0].mean())  # predation's reference
        self.vigilance = vigilantes.initial(self.p, controller=controller, nbr=self.nbr, valid=self.geo.nbr_distinct,
                                            land=self.land, population=self.population)
        self.gangs = [GangGroup(self, i, gang.name, gang.family, gang.viv_ansanm) for i, gang in enumerate(city.gangs)]

    def _build_forces(self) -> None:
        self.hnp, units = personnel.initial_units(self.p, self.days, self.streams["units"])
        self.hnp_state = hnp.initial()
        self.force = units
        self.n_hnp_units = units.n_hnp
        # the unit arrays, changed in place (read by the agents and the map snapshots)
        self.unit_force, self.unit_personnel, self.unit_role, self.unit_cell = (units.force, units.personnel,
                                                                                units.role, units.cell)
        self._units: list[SecurityUnit] | None = None
        self._static_cells: dict[int, np.ndarray] = {}  # the sites' static posts per number of static units
        self.mss = 0.0
        self.detained = float(self.p["detained_at_start"])  # the prisons' detainees (record: 3,700-4,700 escaped)
        self.phase = phases.DEPLOYMENT
        self.days_below_transition = 0
        start = self.config.start_date
        self.schedule_days = np.array([(a.date - start).days for a in self.config.arrivals], dtype=int)
        self.schedule_personnel = np.array([a.personnel for a in self.config.arrivals], dtype=float)

    def _build_funding(self) -> None:
        sc = self.config
        pledge_days = np.array([(pl.date - sc.start_date).days for pl in sc.pledges], dtype=int)
        amounts = np.array([pl.amount_usd for pl in sc.pledges], dtype=float)
        self.inflow, self.cost_pm, self.account = funding.open_account(self.p, pledge_days, amounts, self.days)

    # --- one day ------------------------------------------------------------------------------------
    def step(self) -> None:
        """Advance one day: the mechanisms' steps in their fixed order, then the record."""
        if self.day >= self.days:
            raise RuntimeError(f"the run is over: it was set up for {self.days} days")
        self.day += 1
        k, p, t, rng = self.kernels, self.p, self.day, self.streams
        rng.day(t)
        self.events[:] = 0.0
        self.account, unpaid = funding.pay_day(self.account, self.inflow[t], self.mss * self.cost_pm / 30.0)
        self.hnp, self.mss = personnel.deploy(
            p, t, self.hnp, self.mss, attrition_per_year=hnp.attrition_per_year(p, self.hnp_state.recent_killed),
            unpaid_days=self.account.unpaid_days, balance=self.account.balance, cost_pm=self.cost_pm,
            schedule_days=self.schedule_days, schedule_personnel=self.schedule_personnel)
        personnel.upkeep(p, self.force, unpaid)
        frontier = self._fronts()[0]
        # the units field the share of the HNP on duty that its operational capacity allows
        placed = posture.assign(k, p, rng["posture"], self.force, hnp=self.hnp * self.hnp_state.capacity,
                                mss=self.mss, phase=self.phase, day=t, controller=self.controller,
                                held_until=self.held_until, frontier=frontier, population=self.population,
                                posts=self._posts)
        presence = self.security = placed.presence  # a new array each morning
        self.patrolled = placed.patrolled
        ops = operations.day(k, p, rng["operations"], self.force, self.gang_arrays, self.geo, placed.raiders, today=t,
                             hnp=self.hnp, mss=self.mss, detained=self.detained,
                             controller=self.controller, gang_strength=self.gang_strength, presence=presence,
                             frontier=frontier, population=self.population, trust=self.trust,
                             reprisals=self.retaliation, held_until=self.held_until, cleared_on=self.cleared_on,
                             events=self.events)
        ops = recapture.day(p, rng["recapture"], self.force, self.gang_arrays, self.geo, today=t, ops=ops,
                            detained=self.detained, controller=self.controller, strength=self.gang_strength,
                            trust=self.trust, reprisals=self.retaliation, population=self.population,
                            cleared_on=self.cleared_on, events=self.events)
        shot = executions.day(p, rng["executions"], ops.log, len(self.land))  # the executed leave ops.log's arrested
        arrested = ops.arrested - shot.executed
        self.detained += arrested
        self.event_log.add("operation", t, ops.log)
        self.event_log.add("execution", t, shot.log)
        hits = attacks.day(k, p, rng["attacks"], self.force, self.gang_arrays, self.geo, today=t,
                           strength=self.gang_strength,
                           controller=self.controller, intensity=self.retaliation, held_until=self.held_until,
                           events=self.events, population=self.population,
                           posts=self.unit_cell[self.unit_role == posture.HOLD], hnp=ops.hnp, mss=ops.mss,
                           detained=self.detained)
        self.hnp, self.mss, self.detained = hits.hnp, hits.mss, hits.detained
        self.event_log.add("attack", t, hits.log)
        if hits.attacks:  # the cells taken are occupied; the attackers' losses and the escapees change whole groups
            taken = hits.log[hits.log[:, ASSAULT_TAKEN] > 0]
            fighters.occupy(p, self.gang_strength, taken[:, 0].astype(np.int64), taken[:, 1].astype(np.int64),
                            self.controller, self.nbr, self.geo.nbr_distinct)
            k.fighters.reconcile(self.gang_strength, self.controller, self.gang_members)
        strikes = drones.day(p, rng["drones"], self.gang_arrays, self.geo, today=t, controller=self.controller,
                             strength=self.gang_strength, population=self.population, trust=self.trust,
                             reprisals=self.retaliation)
        if strikes.strikes:  # a strike is an event the gangs answer; its dead fall where it hit
            self.event_log.add("drone strike", t, strikes.log)
            hit = strikes.log[:, 0].astype(np.int64)
            self.events[hit] += 1.0
            fighters.remove(self.gang_strength, hit, strikes.log[:, STRIKE_KILLED])
        retaliation.day(k, p, self.retaliation, self.events, self.geo)
        self.site_closed_today = hits.closed
        self.site_closed_days += hits.closed
        strength = self.gang_strength  # the fighters per cell, changed in place below
        front, gang_front = self._fronts()  # after today's operations and attacks; territory.day keeps them current
        lynched = vigilantes.day(k, p, rng["vigilantes"], self.vigilance, controller=self.controller, nbr=self.nbr,
                                 valid=self.geo.nbr_distinct, border=front & (self.controller < 0),
                                 violence=self.violence,
                                 presence=presence, land=self.land, population=self.population, strength=strength,
                                 members=self.gang_members)
        self.event_log.add("vigilante killing", t, lynched.log)
        if lynched.members_killed.any():
            self.gang_members -= lynched.members_killed
            fighters.remove(strength, lynched.log[:, 0].astype(np.int64), lynched.log[:, KILL_GANG])
        territory.day(k, p, rng["territory"], self.gang_arrays, self.geo, today=t, controller=self.controller,
                      fighters=strength, presence=presence,
                      resistance=self.vigilance,  # the brigades' defence: their number
                      cleared_on=self.cleared_on, held_until=self.held_until, front=front, hostile=gang_front)
        self._fronts_of[:] = self.controller
        self.contested = k.territory.contested_cells(front, gang_front, presence, self.land, self.nbr)
        # residents killed by the security forces' actions, then by the vigilantes and the gangs' attacks
        by_forces = ops.civilians + strikes.civilians if strikes.strikes else ops.civilians
        harmed = by_forces + hits.civilians
        civilians = harmed + lynched.residents_killed
        held = self.controller != territory.NO_GANG
        before, hosted = self.population.copy(), self.displaced.copy()
        people = population.day(k, p, rng["population"], self.population, held=held, fighters=self.gang_strength,
                                fighters_at_start=self._fighters_at_start, contested=self.contested,
                                patrolled=self.patrolled, land=self.land, civilians_killed=civilians,
                                violence=self.violence, displaced=self.displaced)
        self.displaced_total += people.moved + people.left
        self.displaced_out += people.left
        self.stocks, home, returned = displacement.day(
            k, p, self.stocks, self.secure_days, before=before, after=self.population, deaths=people.killed,
            hosted_gain=self.displaced - hosted, left=people.left, secure=people.secure)
        self.population += home
        self.displaced[:] = self.stocks.present.sum(axis=0)
        self.displaced_returned += returned
        economy.day(k, p, rng["economy"], self.gang_arrays, self.geo, controller=self.controller,
                    population=self.population, trust=self.trust, kidnappings=people.kidnappings,
                    displaced_share=self.displaced_total / self.initial_population)
        fighters.day(k, p, self.gang_strength, self.controller, self.gang_members, front)  # recruits join, redeploy
        # the forces' harm costs them trust: residents killed in their actions and in the fights for sites, and
        # the executed (not the vigilantes' victims)
        trust.day(k, p, rng["trust"], self.trust, presence, personnel=self.hnp + self.mss, mss_deployed=self.mss > 0,
                  mss_static_share=posture.mss_static_share(p, self.phase, t),
                  civilians_killed=harmed + shot.per_cell, population=self.population,
                  land=self.land)
        city, communes = self._census(held, people.secure, people.killed)
        self.phase, self.days_below_transition = phases.day(p, self.phase, self.days_below_transition, self.mss,
                                                            census.share_of(city.gang_held_residents, city.residents))
        deaths = ops.deaths + hits.deaths
        deaths[0] += strikes.killed + shot.executed
        self.hnp_state = hnp.day(p, self.hnp_state, deaths[1])
        culprits = deaths_by_perpetrator(len(self.land), raids=ops.log, executions=shot.log, assaults=hits.log,
                                         strikes=strikes.log, lynchings=lynched.log, by_forces=by_forces,
                                         by_vigilantes=lynched.residents_killed, killed=people.killed)
        self._record(city, communes, ops=ops.operations, cleared=ops.cleared, attacked=hits.attacks,
                     deaths=np.array([people.deaths, deaths[0] + lynched.members_killed.sum(), deaths[1], deaths[2]]),
                     culprits=culprits, executed=shot.executed, strikes=strikes.strikes, civ_ops=float(harmed.sum()),
                     arrests=arrested, kidnaps=float(people.kidnappings.sum()))

    def _posts(self, n_static: int) -> np.ndarray:
        """The cells of ``n_static`` static units (:func:`posture.units_per_site`), cached per number."""
        cells = self._static_cells.get(n_static)
        if cells is None:
            per_site = posture.units_per_site(n_static, self.city.site_priority.astype(float))
            cells = self._static_cells[n_static] = np.repeat(self.city.site_cells, per_site)
        return cells

    def _fronts(self) -> tuple[np.ndarray, np.ndarray]:
        """(front lines of every side, gang cells facing a hostile gang) of the current controller.

        ``territory.border`` and ``territory.hostile_neighbour`` of the cells' sides, computed in full once and
        then kept current around the cells whose controller changed since the last call
        (``territory.refresh_fronts``: the controller is compared in full, so changes made from outside are
        seen). The two arrays are the model's own, updated in place: use them before control changes again.
        """
        k, g = self.kernels.territory, self.gang_arrays
        if self._fronts_of is None:
            self._fronts_value = k.controller_fronts(self.controller, g.side_of, self.geo.nbr_land_t, self.land)
            self._fronts_of = self.controller.copy()
        else:
            k.refresh_fronts(*self._fronts_value, self._fronts_of, self.controller, g.side_of, self.geo.nbr_land_t,
                             self.land)
        return self._fronts_value

    # --- the record ---------------------------------------------------------------------------------
    def _census(self, held: np.ndarray, secure: np.ndarray, killed: np.ndarray) -> tuple[census.City, np.ndarray]:
        """Today's counts (:func:`census.day`) of the gang-held and ``secure`` cells and the residents
        ``killed`` per cell."""
        return census.day(self.kernels, self.population, held=held, secure=secure, contested=self.contested,
                          trust=self.trust, held_until=self.held_until, today=self.day, urban=self.urban,
                          killed=killed, displaced=self.displaced, commune_starts=self._commune_starts,
                          unit_cell=self.unit_cell, unit_personnel=self.unit_personnel,
                          cell_commune=self.city.cell_commune)

    def _record(self, city: census.City, communes: np.ndarray, ops: int, cleared: int, attacked: int,
                deaths: np.ndarray, culprits: np.ndarray, executed: float, strikes: int, civ_ops: float,
                arrests: float, kidnaps: float) -> None:
        """Write today's outputs from the census (``city``, the ``communes``' table) and the day's events:
        ``deaths`` of residents, gang members, HNP and MSS, the same deaths per cell by who caused them
        (``culprits``: :func:`papsim.events.deaths_by_perpetrator`), ``executed`` of the gang members killed;
        ``strikes``: the day's drone strikes."""
        by_security, by_vigilantes, by_gangs = culprits.sum(axis=1)  # in the order of PERPETRATORS
        total = city.residents
        secure_share = census.share_of(city.secure_residents, total)
        nh = self.n_hnp_units
        readiness = self.force.readiness[nh:][self.unit_personnel[nh:] > 0]  # active MSS units
        self.commune_recorder.write(self.day, communes, np.add.reduceat(culprits, self._commune_starts, axis=1))
        self.recorder.write(self.day, {
            "gang_territory_share": float(communes[0].sum()) / self._urban_cells,
            "gang_population_share": census.share_of(city.gang_held_residents, total),
            "contested_cells": city.contested_cells,
            "deaths_civilian": deaths[0], "deaths_civilian_operations": civ_ops,
            "injured_civilian": self.p["injured_per_killed"] * deaths[0],
            "deaths_gang": deaths[1], "deaths_hnp": deaths[2], "deaths_mss": deaths[3],
            "deaths_by_gangs": by_gangs, "deaths_by_security": by_security,
            "deaths_by_vigilantes": by_vigilantes, "executions": executed, "arrests": arrests,
            "detained": self.detained, "kidnappings": kidnaps,
            "displaced_total": self.displaced_total,
            "displaced_out": self.displaced_out, **displacement.totals(self.stocks),
            "displaced_returned": self.displaced_returned,
            "population_in_city": total,
            "key_sites_held": float(len(self.site_closed_today) - np.count_nonzero(self.site_closed_today)),
            "schools_open_share": secure_share,
            "humanitarian_access": self.kernels.population.humanitarian_access(
                self.controller == territory.NO_GANG, self.nbr, self.anchors, self.population),
            "secure_population_share": secure_share,
            "trust": city.trust_residents / total if total > 0 else 0.0,
            "mss_personnel": self.mss, "hnp_personnel": self.hnp, "hnp_capacity": self.hnp_state.capacity,
            "operations": ops, "cells_cleared": cleared,
            "cells_held": city.cells_held,
            "gang_attacks": attacked, "drone_strikes": strikes, "vigilantes": float(self.vigilance.sum()),
            "gang_members": float(self.gang_members.sum()), "gang_arms": float(self.gang_arms.sum()),
            "gang_cash": float(self.gang_cash.sum()),
            "funds_received": self.account.received, "funds_spent": self.account.spent,
            "funds_balance": self.account.balance, "cost_unpaid": self.account.unpaid_total,
            "mss_readiness": float(np.add.reduce(readiness) / len(readiness)) if len(readiness) else 0.0,  # mean
            "phase": float(self.phase),
        })
