"""The model: Port-au-Prince on a grid, armed groups, HNP and MSS units, one step per day.

Per-cell state lives in Mesa property layers (attached to an ``OrthogonalMooreGrid`` built on first use of
``model.grid``); the model works on flat views of their arrays and calls the mechanisms (pure functions) in a
fixed order each day:
funding → personnel → posture → operations → gang attacks → territory → population → economy and
recruitment → trust → phase → record. The array work goes through ``self.kernels`` (``papsim/kernels/__init__.py``:
NumPy or compiled, the same numbers). All randomness comes from ``self.rng``.
"""

from __future__ import annotations

import math

import mesa
import numpy as np
from mesa.discrete_space import OrthogonalMooreGrid, PropertyLayer

from papsim.agents import FORCES, GangGroup, SecurityUnit
from papsim.citymap import CityMap, load_city_map
from papsim.kernels import select as select_kernels
from papsim.mechanisms import combat, funding, personnel, phases, posture, retaliation, territory, trust
from papsim.outcomes import Recorder
from papsim.scenario import Scenario

STATIC, PATROL, HOLD, OPERATION, RESERVE = 1, 2, 3, 4, 5
HNP_DEATH_SHARE = 48 / (48 + 75)  # record: 48 HNP killed, 75 injured in 2023 [V] -> killed share of casualties [D]
MORALE_RECOVERY = 0.01  # assumption: daily recovery of unit morale and funded readiness


class PortAuPrince(mesa.Model):
    """Gang territorial control in Port-au-Prince and the security forces sent against it."""

    def __init__(self, scenario: Scenario, rng: int | np.random.SeedSequence | None = None,
                 days: int | None = None, kernels: str | None = None):
        """``kernels``: ``"compiled"``, ``"numpy"`` or ``"auto"`` (:func:`papsim.kernels.select`; by default the
        ``PAP_SIM_KERNELS`` environment variable, else ``auto``). Both give the same numbers."""
        super().__init__(rng=rng)
        self.kernels = select_kernels(kernels)
        self.config = scenario
        p = self.p = scenario.params
        self.days = days if days is not None else scenario.days
        self.day = 0
        city = self.city = load_city_map(scenario.map_path, p["cell_size_m"], p["cdb_inhabited_share"])
        self._grid: OrthogonalMooreGrid | None = None
        self._layers: dict[str, PropertyLayer] = {}
        self._build_grid(city)
        self._build_gangs(city)
        self._build_forces(city)
        self._build_funding()
        self.recorder = Recorder(self.days)
        self._record(ops=0, cleared=0, attacks=0, deaths=np.zeros(4), civ_ops=0.0, arrests=0.0, kidnaps=0.0)

    # --- set-up -------------------------------------------------------------------------------------
    def _layer(self, name: str, initial: np.ndarray, dtype: type) -> np.ndarray:
        layer = PropertyLayer(name, self._dims, default_value=dtype(0), dtype=dtype)
        layer.data[:] = initial
        self._layers[name] = layer
        return layer.data.reshape(-1)  # a flat view: writes go to the layer

    @property
    def grid(self) -> OrthogonalMooreGrid:
        """The Mesa grid carrying the model's property layers (``grid.controller.data`` and so on).

        It is built on first use: the layers' arrays are the model's own, so the grid always shows the current
        state, and a run that never looks at the grid does not pay for building its cells (about as much as
        ten simulated days at the default resolution; see docs/performance.md).
        """
        if self._grid is None:
            grid = OrthogonalMooreGrid(self._dims, torus=False, random=self.random)
            for layer in self._layers.values():
                grid.add_property_layer(layer)
            self._grid = grid
        return self._grid

    def _build_grid(self, city: CityMap) -> None:
        self._dims = (city.width, city.height)
        p = self.p
        n = city.n_cells
        self.land = city.land.reshape(-1)
        self.nbr = city.neighbours
        self.nbr_valid = ((self.nbr != np.arange(n)[:, None]) & self.land[self.nbr]).astype(float)
        self._nbr_land_t = territory.land_neighbours_t(self.nbr, self.land)  # for territory.fronts
        self._land_cells = int(self.land.sum())
        self._fronts_of: np.ndarray | None = None  # the controller array the cached fronts were computed for
        self._share_today = (-1, 0.0)  # (day, gang population share) worked out by _advance_phase
        self._held_secure = (-1, None, None)  # (day, gang-held mask, secure mask) worked out by _population
        self.road = city.road.reshape(-1).astype(float)
        self.area_km2 = city.cell_km ** 2
        self.population = self._layer("population", city.population, float)
        self.initial_population = float(self.population.sum())
        self.ref_density = self.initial_population / self.land.sum()
        self.displaced = self._layer("displaced", np.zeros(city.population.shape), float)
        self.trust = self._layer("trust", np.where(city.land, p["trust_initial"], 0.0), float)
        self.security = self._layer("security", np.zeros(city.population.shape), float)
        self.violence = self._layer("violence", np.zeros(city.population.shape), float)
        self.retaliation = self._layer("retaliation", np.zeros(city.population.shape), float)
        self.held_until = self._layer("held_until", np.full(city.population.shape, -1), int)
        self.contested = np.zeros(n, bool)
        self.events = np.zeros(n)  # operations and attacks today, for retaliation
        self.cleared_on = np.full(n, -10**6)  # day each cell was last cleared by an operation
        self.displaced_total = 0.0
        self.displaced_out = 0.0
        x, y = city.centres_km()
        self.x_km, self.y_km = x, y
        sites = city.site_cells
        self.site_distance = np.hypot(x[:, None] - x[sites][None, :], y[:, None] - y[sites][None, :]).min(axis=1)
        self.anchors = sites[[k in ("airport", "port") for k in city.site_kinds]]
        self.prison_sites = np.array([k == "prison" for k in city.site_kinds])
        self.fuel_sites = np.array([k == "fuel_terminal" for k in city.site_kinds])
        self.site_closed_days = np.zeros(len(sites))
        self.site_closed_today = np.zeros(len(sites), bool)
        self._site_nbr = self.nbr[sites]

    def _build_gangs(self, city: CityMap) -> None:
        p = self.p
        g = len(city.gangs)
        weights = np.array([gang.weight for gang in city.gangs])
        weights = weights / weights.sum()
        self.gang_base = np.array([gang.base for gang in city.gangs])
        self.gang_members = p["gang_members_total"] * weights
        self.gang_arms = self.gang_members * p["gang_arms_per_member"]
        self.gang_cash = np.zeros(g)
        rank = np.argsort(-weights, kind="stable")
        self.gang_confront = np.zeros(g, bool)
        self.gang_confront[rank[: int(round(p["gang_confront_share"] * g))]] = True
        if p["viv_ansanm_truce"]:
            keys = ["Viv Ansanm" if gang.viv_ansanm else f"solo:{gang.name}" for gang in city.gangs]
        else:
            keys = [gang.family if gang.family != "independent" else f"solo:{gang.name}" for gang in city.gangs]
        self.alliance = np.unique(keys, return_inverse=True)[1].astype(np.int64)
        # territory.cell_side as a lookup table (small integers: cheaper to gather and compare)
        self._side_of = np.append(self.alliance, territory.NO_GANG).astype(np.int16 if g < 2**15 else np.int64)
        controller = territory.initial_territory(self.x_km, self.y_km, self.land, self.gang_base, weights,
                                                 p["initial_gang_territory_share"], city.site_cells, self.rng)
        self.controller = self._layer("controller", controller.reshape(city.land.shape), int)
        self.gang_strength = self._layer("gang_strength", territory.cell_strength(
            self.controller, self.gang_members).reshape(city.land.shape), float)
        self.gangs = [GangGroup(self, i, gang.name, gang.family, gang.viv_ansanm) for i, gang in enumerate(city.gangs)]

    def _build_forces(self, city: CityMap) -> None:
        p = self.p
        size = p["unit_size"]
        duty = p["hnp_capital_share"] * p["hnp_on_duty_share"]
        self.hnp = p["hnp_total_strength"] * duty
        graduations = self.days // p["hnp_academy_interval_days"] + 1
        self.n_hnp_units = math.ceil((self.hnp + graduations * p["hnp_academy_cohort"] * duty) / size) + 1
        self.n_mss_units = math.ceil(p["mss_target_personnel"] / size)
        n = self.n_hnp_units + self.n_mss_units
        self.unit_force = np.r_[np.zeros(self.n_hnp_units, int), np.ones(self.n_mss_units, int)]
        mean_training = np.where(self.unit_force == 0, p["hnp_training"], p["mss_training"])
        mean_equipment = np.where(self.unit_force == 0, p["hnp_equipment"], p["mss_equipment"])
        self.unit_training = np.clip(mean_training * self.rng.uniform(0.9, 1.1, n), 0.0, 1.0)
        self.unit_equipment = np.clip(mean_equipment * self.rng.uniform(0.9, 1.1, n), 0.0, 1.0)
        self.unit_readiness = np.ones(n)
        self.unit_morale = np.ones(n)
        self.unit_personnel = np.zeros(n)
        self.unit_role = np.zeros(n, int)
        self.unit_cell = np.full(n, -1)
        self.units = [SecurityUnit(self, i, FORCES[f]) for i, f in enumerate(self.unit_force)]
        # personnel.fill_units for both forces at once: unit i of a force holds what is left after i units
        self._fill_offset = size * np.r_[np.arange(self.n_hnp_units), np.arange(self.n_mss_units)]
        self._is_mss = self.unit_force == 1
        self._static_cells: dict[int, np.ndarray] = {}  # sites' static units per number of static units
        self.mss = 0.0
        self.detained = 0.0
        self.phase = phases.DEPLOYMENT
        self.days_below_transition = 0
        start = self.config.start_date
        self.schedule_days = np.array([(a.date - start).days for a in self.config.arrivals], dtype=int)
        self.schedule_personnel = np.array([a.personnel for a in self.config.arrivals], dtype=float)

    def _build_funding(self) -> None:
        p, sc = self.p, self.config
        pledge_days = np.array([(pl.date - sc.start_date).days for pl in sc.pledges], dtype=int)
        amounts = np.array([pl.amount_usd for pl in sc.pledges], dtype=float)
        self.inflow = funding.inflow_schedule(pledge_days, amounts, p["disbursement_delay_days"],
                                              p["pledge_scale"], self.days)
        self.cost_pm = funding.monthly_cost_per_person(p["cost_per_person_month_usd"], p["logistics_share"],
                                                       p["un_support_office"])
        self.inflow += p["funding_share_of_need"] * p["mss_target_personnel"] * self.cost_pm / 30.0
        self.inflow[0] += p["initial_funds_usd"]
        self.balance = float(self.inflow[0])
        self.received = float(self.inflow[0])
        self.spent = 0.0
        self.unpaid_total = 0.0
        self.unpaid_days = 0

    # --- one day ------------------------------------------------------------------------------------
    def step(self) -> None:
        """Advance one day."""
        if self.day >= self.days:
            raise RuntimeError(f"the run is over: it was set up for {self.days} days")
        self.day += 1
        self.events[:] = 0.0
        self._pay_and_deploy()
        presence, raid_units, holds = self._assign_units()
        ops, cleared, op_deaths, civ_ops_cells, arrests = self._operations(raid_units, holds, presence)
        attacks, attack_deaths, civ_attack_cells = self._gang_attacks(presence)
        self._territory(presence)
        deaths_sec = op_deaths + attack_deaths
        civ_cells = civ_ops_cells + civ_attack_cells
        civ_killed, kidnaps = self._population(civ_cells)
        self._economy(kidnaps)
        self._trust(presence, civ_cells)
        self._advance_phase()
        self._record(ops=ops, cleared=cleared, attacks=attacks,
                     deaths=np.array([civ_killed, deaths_sec[0], deaths_sec[1], deaths_sec[2]]),
                     civ_ops=float(civ_cells.sum()), arrests=arrests,
                     kidnaps=float(kidnaps.sum()))

    def _pay_and_deploy(self) -> None:
        p, t = self.p, self.day
        self.balance += self.inflow[t]
        self.received += self.inflow[t]
        paid, unpaid = funding.pay(self.balance, self.mss * self.cost_pm / 30.0)
        self.balance -= paid
        self.spent += paid
        self.unpaid_total += unpaid
        self.unpaid_days = self.unpaid_days + 1 if unpaid > 0 else 0

        self.hnp = personnel.hnp_strength_next(
            self.hnp, t, p["hnp_attrition_per_year"],
            p["hnp_academy_cohort"] * p["hnp_capital_share"] * p["hnp_on_duty_share"], p["hnp_academy_interval_days"])
        if p["mss_follow_schedule"]:
            wanted = personnel.scheduled_personnel(t, self.schedule_days, self.schedule_personnel)
        else:
            wanted = personnel.ramp_personnel(t, p["mss_start_day"], p["mss_deploy_rate"], p["mss_target_personnel"])
        wanted = min(wanted, p["mss_target_personnel"])
        if self.unpaid_days > p["repatriation_grace_days"]:
            self.mss = math.floor(self.mss * (1.0 - p["repatriation_rate"]))
        elif wanted > self.mss:
            room = funding.affordable_total(self.balance, self.cost_pm, p["reserve_months"]) - self.mss
            self.mss += math.floor(max(0.0, min(wanted - self.mss, room)))
        else:
            self.mss = math.floor(wanted)
        mss_units = slice(self.n_hnp_units, None)  # the MSS units follow the HNP units
        if unpaid > 0:
            self.unit_readiness[mss_units] = np.maximum(0.2, self.unit_readiness[mss_units] - p["unpaid_readiness_loss"])
        else:
            self.unit_readiness[mss_units] = np.minimum(1.0, self.unit_readiness[mss_units] + MORALE_RECOVERY)
        self.unit_morale = np.minimum(1.0, self.unit_morale + MORALE_RECOVERY)

    def _assign_units(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Fill units, give them roles and places; returns (presence per cell, raiding unit ids, held mask)."""
        k = self.kernels
        p, t = self.p, self.day
        size = p["unit_size"]
        nh = self.n_hnp_units
        # personnel.fill_units(self.hnp, size, nh) and personnel.fill_units(self.mss, size, nm) in one pass
        total = np.where(self._is_mss, float(self.mss), float(self.hnp))
        np.minimum(np.maximum(0.0, total - self._fill_offset), size, out=self.unit_personnel)  # np.clip, cheaper
        eff = self.unit_personnel * combat.effectiveness(self.unit_training, self.unit_equipment,
                                                         self.unit_readiness, self.unit_morale)
        self.unit_eff = eff
        self.unit_role[:] = 0
        self.unit_cell[:] = -1
        active_h = int(np.count_nonzero(self.unit_personnel[:nh]))
        active_m = int(np.count_nonzero(self.unit_personnel[nh:]))
        mss_static_share = 1.0 if self.phase == phases.DEPLOYMENT else p["mss_static_share"]
        roles_h = self._roles(active_h, p["hnp_static_share"])
        roles_m = self._roles(active_m, mss_static_share)
        usable_m = posture.joint_mss_units(roles_h[2], roles_m[2], p["mss_per_hnp_in_joint_ops"],
                                           p["mss_independent_ops"])
        # MSS units that no HNP unit can lead in a joint operation patrol instead
        ids_h = np.arange(active_h)
        ids_m = nh + np.arange(active_m)
        static = np.concatenate((ids_h[:roles_h[0]], ids_m[:roles_m[0]]))
        patrol = np.concatenate((ids_h[roles_h[0]:roles_h[0] + roles_h[1]],
                                 ids_m[roles_m[0]:roles_m[0] + roles_m[1] + roles_m[2] - usable_m]))
        capable = np.concatenate((ids_h[roles_h[0] + roles_h[1]:], ids_m[active_m - usable_m:]))

        static_cells = self._static_cells.get(len(static))
        if static_cells is None:
            per_site = posture.units_per_site(len(static), self.city.site_priority.astype(float))
            static_cells = self._static_cells[len(static)] = np.repeat(self.city.site_cells, per_site)
        self.unit_role[static] = STATIC
        self.unit_cell[static] = static_cells
        # np.add.at(zeros, static_cells, ...) in one call: bincount adds in the same order
        presence = np.bincount(static_cells, weights=eff[static], minlength=self.city.n_cells).astype(float, copy=False)

        free = self.controller == territory.NO_GANG
        holds = k.keep_holds(self.held_until, t, len(capable)) & free
        hold_cells = holds.nonzero()[0]
        holders = capable[:len(hold_cells)]
        self.unit_role[holders] = HOLD
        self.unit_cell[holders] = hold_cells
        presence[hold_cells] += eff[holders]  # distinct cells
        self.held_until[(self.held_until > t) & ~holds] = t  # holds nobody can keep lapse today

        frontier = self._fronts()[0]
        public = frontier & free & (presence == 0)
        patrol_cells = k.choose_targets(np.where(public, self.population, -np.inf), len(patrol),
                                        self.rng.random(self.city.n_cells))
        patrollers = patrol[:len(patrol_cells)]
        self.unit_role[patrol] = RESERVE
        self.unit_role[patrollers] = PATROL
        self.unit_cell[patrollers] = patrol_cells
        presence[patrol_cells] += eff[patrollers]  # distinct cells
        self.patrolled = np.zeros(self.city.n_cells)
        self.patrolled[patrol_cells] = 1.0
        raid = capable[len(hold_cells):]
        self.unit_role[raid] = RESERVE
        self.frontier = frontier
        self.security[:] = presence
        return presence, raid, holds

    def _fronts(self) -> tuple[np.ndarray, np.ndarray]:
        """(front lines of every side, gang cells facing a hostile gang) of the current controller.

        ``territory.border`` and ``territory.hostile_neighbour`` of the cells' sides. Computed once per change
        of control: the day's last computation (in ``_territory``) serves the next morning's patrols as long
        as the controller array is unchanged (compared in full, so changes made from outside are seen).
        """
        if self._fronts_of is None or not np.array_equal(self._fronts_of, self.controller):
            self._fronts_value = self.kernels.controller_fronts(self.controller, self._side_of, self._nbr_land_t,
                                                                 self.land)
            self._fronts_of = self.controller.copy()
        return self._fronts_value

    def _roles(self, active: int, static_share: float) -> tuple[int, int, int]:
        """(static, patrol, raid-capable) unit counts of one force."""
        n_static = int(round(active * static_share))
        n_patrol = int(round((active - n_static) * self.p["patrol_share"]))
        return n_static, n_patrol, active - n_static - n_patrol

    def _operations(self, raid: np.ndarray, holds: np.ndarray, presence: np.ndarray):
        k = self.kernels
        p, t = self.p, self.day
        n_cells = self.city.n_cells
        civ_cells = np.zeros(n_cells)
        sec_deaths = np.zeros(3)
        n_ops = int(len(raid) * p["operation_tempo"]) // p["units_per_operation"]
        strength = k.cell_strength(self.controller, self.gang_members)
        score = posture.target_scores(p["target_rule"], self.controller, self.population, strength,
                                      self.frontier, self.site_distance)
        targets = k.choose_targets(score, n_ops, self.rng.random(n_cells))
        n_ops = len(targets)
        self._strength_current = True  # gang_strength is set from control and members as they stand
        if n_ops == 0:
            self.gang_strength[:] = strength
            return 0, 0, sec_deaths, civ_cells, 0.0
        raid = raid[: n_ops * p["units_per_operation"]]
        self.unit_role[raid] = OPERATION
        self.unit_cell[raid] = targets[np.arange(len(raid)) % n_ops]
        cleared, civilians, killed, arrested, hnp_loss, mss_loss = k.raid(
            self.rng, targets, raid, self.unit_personnel, self.unit_eff, self.unit_force, self.unit_morale, strength,
            self.controller, self.nbr, self.nbr_valid, self.gang_confront, self.gang_members, self.gang_arms,
            self.trust, presence, self.population, self.area_km2, self.ref_density, p["security_lethality"],
            p["gang_lethality"], p["roe_caution"], p["gang_reinforcement_share"], p["low_profile_engagement"],
            p["trust_intel_weight"], p["arrest_share"], p["detention_capacity"] - self.detained,
            p["civilian_harm_ratio"], p["clear_ratio"])
        self.detained += arrested
        self.hnp = max(0.0, self.hnp - hnp_loss)
        self.mss = max(0.0, math.floor(self.mss - mss_loss))
        sec_deaths[:] = (killed, HNP_DEATH_SHARE * hnp_loss, HNP_DEATH_SHARE * mss_loss)
        civ_cells[targets] = civilians  # distinct cells of a zero array
        hold = p["hold_days"] * (2 if self.phase >= phases.STABILISATION else 1)
        done = targets[cleared]
        self.controller[done] = territory.NO_GANG
        self.held_until[done] = t + hold
        self.cleared_on[done] = t
        self.events[targets] += 1.0
        self.gang_strength[:] = k.cell_strength(self.controller, self.gang_members)
        return n_ops, int(cleared.sum()), sec_deaths, civ_cells, arrested

    def _gang_attacks(self, presence: np.ndarray):
        k = self.kernels
        p = self.p
        n_cells = self.city.n_cells
        sites = self.city.site_cells
        civ_cells = np.zeros(n_cells)
        deaths = np.zeros(3)
        # the strongest confronting neighbour of each site
        att, owner = k.strongest_attacker(self.gang_strength, self.controller, self.gang_confront, self._site_nbr)
        open_site = self.controller[sites] == territory.NO_GANG
        prob = retaliation.attack_probability(p["gang_attack_rate"], self.retaliation[sites])
        attacked = open_site & (att > 0) & (self.rng.random(len(sites)) < prob)
        events = self.events
        if attacked.any():
            self._strength_current = False  # losses and captures change gang_strength's inputs
            cells = sites[attacked]
            # several sites can share a cell: the defence of a cell is fought once, by the first site listed
            cells, first = np.unique(cells, return_index=True)
            attackers = owner[attacked][first]
            red = p["gang_attack_mass"] * att[attacked][first]
            guards = self.unit_cell == cells[:, None]
            blue = (guards * self.unit_personnel).sum(axis=1)
            blue_eff = (guards * self.unit_eff).sum(axis=1)
            armed = np.minimum(1.0, self.gang_arms[attackers] / np.maximum(self.gang_members[attackers], 1e-9))
            a = combat.caution_lethality(p["security_lethality"], p["roe_caution"]) * blue_eff / np.maximum(blue, 1e-9)
            blue_loss, red_loss = k.engage(blue, red, a, p["gang_lethality"] * armed, self.rng)
            captured = (blue - blue_loss) * p["clear_ratio"] <= (red - red_loss)
            self.gang_members = np.maximum(0.0, self.gang_members - np.bincount(attackers, weights=red_loss, minlength=len(self.gangs)))
            force_loss = (guards * self.unit_personnel * (blue_loss / np.maximum(blue, 1e-9))[:, None]).sum(axis=0)
            hnp_loss = force_loss[: self.n_hnp_units].sum()
            mss_loss = force_loss[self.n_hnp_units:].sum()
            self.hnp = max(0.0, self.hnp - hnp_loss)
            self.mss = max(0.0, math.floor(self.mss - mss_loss))
            deaths[:] = (red_loss.sum(), HNP_DEATH_SHARE * hnp_loss, HNP_DEATH_SHARE * mss_loss)
            density = self.population[cells] / self.ref_density
            harm = combat.civilian_harm_expected(blue_loss + red_loss, density, 1.0, p["civilian_harm_ratio"], 0.0)
            civ_cells[cells] = k.poisson_where_positive(self.rng, harm)  # distinct cells of a zero array
            taken = cells[captured]
            self.controller[taken] = attackers[captured]
            self.held_until[taken] = -1
            events[cells] += 1.0
            prisons_taken = self.prison_sites & np.isin(sites, taken)
            if prisons_taken.any() and self.detained > 0:
                freed = self.detained * prisons_taken.sum() / self.prison_sites.sum()
                self.detained -= freed
                np.add.at(self.gang_members, self.controller[sites[prisons_taken]], freed / prisons_taken.sum())
        self.retaliation[:] = k.update_intensity_near_events(
            self.retaliation, events, self.nbr, self.nbr_valid, p["retaliation_jump"], p["retaliation_decay"])
        self.site_closed_today = attacked | (self.controller[sites] != territory.NO_GANG)
        self.site_closed_days += self.site_closed_today
        return int(attacked.sum()), deaths, civ_cells

    def _territory(self, presence: np.ndarray) -> None:
        k = self.kernels
        p = self.p
        if self._strength_current:  # no attack has changed control or members since _operations
            strength = self.gang_strength
        else:
            strength = k.cell_strength(self.controller, self.gang_members)
        # gangs return faster to ground an operation recently took from them (seed 002: holding is demanding)
        self.gang_strength[:] = k.advance(
            self.rng, self.controller, self.gang_members, strength, presence, p["community_resistance"], self.land,
            self.nbr, p["gang_expansion_rate"], p["retake_multiplier"], self.cleared_on,
            self.day - p["retake_memory_days"], self.gang_confront, self._side_of, p["contest_rate"], self.held_until)
        front, gang_front = self._fronts()
        self.contested = k.contested_cells(front, gang_front, presence, self.land, self.nbr)

    def _population(self, civ_ops_cells: np.ndarray) -> tuple[float, np.ndarray]:
        p = self.p
        held = self.controller != territory.NO_GANG
        deaths, kidnaps, inside, out, secure = self.kernels.population_day(
            self.rng, self.population, held, self.contested, self.patrolled, self.land, civ_ops_cells,
            self.violence, self.displaced, p["predation_killing_rate"], p["border_killing_rate"], p["kidnap_rate"],
            p["displaced_per_death"], p["front_flight_rate"], p["displaced_out_share"])
        self._held_secure = (self.day, held, secure)  # unchanged until _record
        self.displaced_total += inside + out
        self.displaced_out += out
        return deaths, kidnaps

    def _economy(self, kidnaps: np.ndarray) -> None:
        p = self.p
        self.kernels.economy_day(self.rng, self.controller, self.population, self.trust, self.road, self.city.site_cells,
                        self.fuel_sites, kidnaps, self.gang_cash, self.gang_members, self.gang_arms,
                        self.displaced_total / self.initial_population, p["trust_initial"],
                        p["extortion_usd_per_person_day"], p["toll_usd_per_road_cell_day"],
                        p["blockade_usd_per_site_day"], p["ransom_usd"], p["recruitment_rate"], p["recruit_cost_usd"],
                        p["desertion_rate"], p["arms_supply_per_day"], p["arms_embargo_effectiveness"],
                        p["arms_price_usd"])

    def _trust(self, presence: np.ndarray, civ_ops_cells: np.ndarray) -> None:
        p = self.p
        incidents = self.rng.poisson(trust.misconduct_expected(self.hnp + self.mss, p["misconduct_rate"],
                                                               p["oversight_strength"]))
        static_share = p["mss_static_share"] if self.phase != phases.DEPLOYMENT else 1.0
        passive = trust.passivity(static_share, self.mss > 0)
        self.kernels.trust_day(self.trust, presence, p["unit_size"], civ_ops_cells, self.population, self.land, incidents,
                      passive, p["trust_gain_presence"], p["trust_loss_harm"], p["trust_loss_misconduct"],
                      p["passivity_penalty"])

    def _advance_phase(self) -> None:
        p = self.p
        share = self.gang_population_share()
        self._share_today = (self.day, share)
        self.days_below_transition = self.days_below_transition + 1 if share < p["transition_threshold"] else 0
        target = p["mss_target_personnel"]
        self.phase = phases.next_phase(self.phase, self.mss / target if target > 0 else 0.0, share,
                                       self.days_below_transition, p["decisive_threshold"],
                                       p["stabilisation_threshold"], p["transition_threshold"], p["transition_days"])

    # --- indicators ---------------------------------------------------------------------------------
    def gang_population_share(self) -> float:
        total = self.population.sum()
        return float(self.population[self.controller != territory.NO_GANG].sum() / total) if total > 0 else 0.0

    def _record(self, ops: int, cleared: int, attacks: int, deaths: np.ndarray, civ_ops: float, arrests: float,
                kidnaps: float) -> None:
        pop = self.population
        total = float(pop.sum())
        day, gang_held, secure = self._held_secure  # from _population today: control and fronts unchanged since
        if day != self.day:
            gang_held = self.controller != territory.NO_GANG
            secure = ~gang_held & ~self.contested & self.land
        secure_2d = secure.reshape(self.city.land.shape)
        secure_share = float(pop[secure].sum() / total) if total > 0 else 0.0
        nh = self.n_hnp_units
        readiness = self.unit_readiness[nh:][self.unit_personnel[nh:] > 0]  # active MSS units
        day, gang_share = self._share_today  # today's, from _advance_phase (nothing has changed since)
        if day != self.day:
            gang_share = float(pop[gang_held].sum() / total) if total > 0 else 0.0
        self.recorder.write(self.day, {
            "gang_territory_share": np.count_nonzero(gang_held & self.land) / self._land_cells,
            "gang_population_share": gang_share,
            "contested_cells": float(self.contested.sum()),
            "deaths_civilian": deaths[0], "deaths_civilian_operations": civ_ops,
            "deaths_gang": deaths[1], "deaths_hnp": deaths[2], "deaths_mss": deaths[3],
            "arrests": arrests, "detained": self.detained, "kidnappings": kidnaps,
            "displaced_total": self.displaced_total,
            "displaced_out": self.displaced_out,
            "population_in_city": total,
            "key_sites_held": float((~self.site_closed_today).sum()),
            "schools_open_share": secure_share,
            "humanitarian_access": self.kernels.humanitarian_access(
                (~gang_held & self.land).reshape(secure_2d.shape), self.anchors, pop.reshape(secure_2d.shape)),
            "secure_population_share": secure_share,
            "trust": float((self.trust * pop).sum() / total) if total > 0 else 0.0,
            "mss_personnel": self.mss, "hnp_personnel": self.hnp,
            "operations": ops, "cells_cleared": cleared,
            "cells_held": float(np.count_nonzero(self.held_until > self.day)),
            "gang_attacks": attacks,
            "gang_members": float(self.gang_members.sum()), "gang_arms": float(self.gang_arms.sum()),
            "gang_cash": float(self.gang_cash.sum()),
            "funds_received": self.received, "funds_spent": self.spent, "funds_balance": self.balance,
            "cost_unpaid": self.unpaid_total,
            "mss_readiness": float(np.add.reduce(readiness) / len(readiness)) if len(readiness) else 0.0,  # mean
            "phase": float(self.phase),
        })
