"""The one registry of model parameters.

Every scalar parameter of the model is declared here once, with its default, unit, plausible range and
source (a line of ``docs/record/haiti-record.md`` with its quality mark, a seed document, or the word
"assumption"). The scenario loader validates against it, the CLI lists it, the experiments engine takes
its ranges as default sensitivity-analysis bounds and the docs generate their tables from it.

Marks, as in the record: [V] the source says it; [S] secondary; [NV] not verified; [D] derived.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["float", "int", "bool", "choice"]


@dataclass(frozen=True)
class Parameter:
    """One model parameter: what it is, its default, what values are plausible and where it comes from."""

    name: str
    default: float | int | bool | str
    unit: str
    low: float | None
    high: float | None
    source: str
    group: str
    description: str
    kind: Kind = "float"
    choices: tuple[str, ...] = ()

    @property
    def allowed(self) -> str:
        """Human-readable statement of the allowed values, used in error messages."""
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "bool":
            return "true or false"
        return f"a {self.kind} in [{self.low:g}, {self.high:g}]"

    @property
    def uncertain(self) -> bool:
        """Numeric parameters with a range are factors for sweeps and sensitivity analyses."""
        return self.kind in ("float", "int") and self.low is not None and self.low < self.high


def _p(name, default, unit, low, high, source, group, description, kind="float", choices=()):
    return Parameter(name, default, unit, low, high, source, group, description, kind, tuple(choices))


_PARAMETERS: tuple[Parameter, ...] = (
    # --- map ---------------------------------------------------------------------------------------
    _p("cell_size_m", 500, "m", 250, 1000, "assumption (resolution of the raster of the communal sections)", "map",
       "Side of one grid cell.", "int"),
    _p("population_gradient_km", 5.0, "km", 1.0, 50.0,
       "assumption; exponential density gradient from the centre (Clark 1951, J. R. Stat. Soc. A 114: 490-496); "
       "the data give population by communal section only (IHSI/UNFPA 2019)", "map",
       "Distance over which density falls by a factor e inside a communal section, from downtown; large values "
       "spread a section's residents evenly."),
    _p("population_growth_per_year", 0.012, "1/year", 0.0, 0.03,
       "assumption; Haiti's population grows about 1.2% a year (UN World Population Prospects) [NV]", "map",
       "Growth of every section's residents from the 2019 estimate (1 July 2019) to the start date."),
    _p("urban_density_km2", 2000.0, "persons/km2", 500.0, 5000.0,
       "assumption; gang territory is reported for the capital's built-up area (~80% of the capital, UN via "
       "AP) [V], not for the rural sections of Croix-des-Bouquets, Kenscoff and Gressier", "map",
       "Residents per km2 at the start from which a cell counts as the built-up capital (territory shares and "
       "the initial territory; the densest cell of every commune always counts)."),
    _p("displaced_at_start", 200000.0, "persons", 0.0, 400000.0,
       "record: ~200,000 displaced in Oct 2023 (seed 004) [V]; >310,000 nationally, 94% from the West, Dec 2023 "
       "(IOM) [V]", "population",
       "People already displaced from gang-held cells at the start, hosted in cells no gang holds."),
    # --- gangs -------------------------------------------------------------------------------------
    _p("gang_members_total", 5500, "persons", 3000, 15000,
       "record: ~5,500 (sitadelmagazine) [S]; '12,000' [NV]", "gangs",
       "Armed gang members in the metro area at the start."),
    _p("initial_gang_territory_share", 0.75, "share", 0.6, 0.85,
       "assumption anchored on ~80% of the capital in Mar 2024 (UN via AP) [V]", "gangs",
       "Share of the built-up capital's cells (urban_density_km2) under gang control at the start date."),
    _p("gang_arms_per_member", 0.8, "weapons/person", 0.4, 1.2,
       "assumption; some gangs better armed than police (UN experts) [S]", "gangs",
       "Weapons held per member at the start."),
    _p("gang_confront_share", 0.5, "share", 0.0, 1.0,
       "seed 003_95e9fba624dc4210 (confront or keep a low profile); value assumption", "gangs",
       "Share of groups (by size rank) whose strategy is to confront the forces."),
    _p("gang_expansion_rate", 0.015, "1/day", 0.005, 0.1, "assumption (calibrated)", "gangs",
       "Daily rate at which gangs take a weakly defended neighbouring cell."),
    _p("gang_reinforcement_share", 0.5, "share", 0.0, 1.0, "assumption; gangs mass against an operation", "gangs",
       "Share of the strength of a group's neighbouring cells that joins the defence of a raided cell."),
    _p("gang_attack_mass", 2.0, "-", 1.0, 5.0, "assumption", "gangs",
       "Multiple of its per-cell strength that a group masses to attack a key site or a held cell."),
    _p("gang_attack_resolve", 1.0, "ratio", 0.0, 4.0,
       "assumption: groups attack what they expect to win (square-law fighting strengths, Lanchester 1916)",
       "gangs", "Fighting strength a group needs against a target's guards, relative to theirs, to attack it."),
    _p("offensive_start_day", 59, "day", 0, 3650,
       "record: the Viv Ansanm coordinated offensive from 29 Feb 2024 (AP; record additions 7a) [V], day 59 of a "
       "run from 1 Jan 2024 [D]", "gangs",
       "Day of the run on which the coalition's offensive begins (its groups mass against key sites).", "int"),
    _p("offensive_days", 54, "days", 0, 365,
       "record: police buildings ransacked or burned 29 Feb-mid-Apr 2024 (BINUH), the Palace attacked 1, 13 and "
       "22 Apr 2024 [V]: 29 Feb-22 Apr, 54 days [D]; 0: no offensive", "gangs",
       "Length of the coalition's offensive.", "int"),
    _p("offensive_attack_rate", 0.2, "1/day", 0.03, 1.0,
       "record: >=22 police buildings ransacked or burned in 7 weeks, both prisons stormed on days 3-4 of the "
       "offensive, the airport attacked on day 5 and the port on days 7-8 (record additions 3d, 7a) [V]; value "
       "assumption", "gangs",
       "Daily rate at which the coalition attacks an open key site it can take during its offensive."),
    _p("offensive_reach_km", 2.0, "km", 0.5, 5.0,
       "assumption: the coalition's groups from Martissant, Bel Air and Delmas 6 converged on the downtown sites "
       "(record additions 7a [V])", "gangs",
       "Distance from a key site within which the coalition's fighters join an attack on it in its offensive."),
    _p("low_profile_engagement", 0.3, "share", 0.1, 0.8,
       "seed 003_95e9fba624dc4210 (keep a low profile and wait); value assumption", "gangs",
       "Share of a low-profile group's local strength that stands and fights an operation."),
    _p("retake_memory_days", 90, "days", 30, 365, "assumption", "gangs",
       "Days during which a group tries harder to retake ground an operation cleared.", "int"),
    _p("retake_multiplier", 5.0, "-", 1.0, 20.0,
       "seed 002_d688c9cc41807fef (holding liberated areas is demanding); value assumption", "gangs",
       "How much faster gangs retake ground an operation cleared recently (see retake_memory_days)."),
    _p("contest_rate", 0.02, "1/day", 0.0, 0.1, "assumption", "gangs",
       "Daily rate at which a stronger rival takes a border cell from another gang (outside a truce)."),
    _p("advance_share", 0.5, "share", 0.1, 0.9, "assumption", "gangs",
       "Share of the fighters of the cell a cell is taken from who move in to occupy it."),
    _p("fighter_redeploy_rate", 0.1, "1/day", 0.01, 0.5, "assumption (gangs redeploy within days to weeks)",
       "gangs", "Daily share of the gap to a group's preferred spread of fighters that closes."),
    _p("front_pull", 2.0, "-", 0.0, 10.0,
       "assumption; gangs mass on their fronts (record: G9/G-Pep fighting Jul 2022; Viv Ansanm offensives 2024 [V])",
       "gangs", "Extra fighters a front cell draws, relative to a quiet cell of the same group (0: an even spread)."),
    _p("viv_ansanm_truce", True, "flag", None, None,
       "record: Viv Ansanm pact Sep 2023 / 29 Feb 2024 (Reuters; GI-TOC) [V]", "gangs",
       "Gangs of the same coalition do not fight each other.", "bool"),
    _p("gang_lethality", 0.004, "casualties/(armed member*day)", 0.001, 0.02,
       "assumption (calibrated on 48 HNP killed in 2023 [V])", "gangs",
       "Lanchester coefficient: security casualties per armed gang member per engagement day."),
    _p("gang_attack_rate", 0.03, "1/day", 0.0, 0.2, "seed 003_95e9fba624dc4210 (attacks on the forces); value assumption",
       "gangs", "Base daily rate at which a confronting gang attacks a neighbouring post or site."),
    _p("extortion_usd_per_person_day", 0.02, "USD/(person*day)", 0.005, 0.1,
       "assumption; extortion is a main revenue (GI-TOC) [S]", "economy",
       "Extortion taken from each resident of a gang cell."),
    _p("toll_usd_per_road_cell_day", 300.0, "USD/(cell*day)", 50.0, 1500.0,
       "assumption; road tolls on RN2, RN8 (GI-TOC; local press) [S]", "economy",
       "Toll revenue from a gang-held road cell."),
    _p("blockade_usd_per_site_day", 5000.0, "USD/(site*day)", 0.0, 30000.0,
       "assumption; blockades of fuel and ports (AP; Reuters) [V]", "economy",
       "Revenue (ransom, diverted goods) from a blockaded key site."),
    _p("ransom_usd", 20000.0, "USD/kidnapping", 2000.0, 100000.0, "assumption [NV]", "economy",
       "Mean ransom collected per kidnapping."),
    _p("recruit_cost_usd", 400.0, "USD/recruit", 100.0, 2000.0, "assumption", "economy",
       "Cash a gang spends to recruit and keep one new member."),
    _p("arms_price_usd", 3000.0, "USD/weapon", 1000.0, 10000.0, "assumption [NV]", "economy",
       "Price of a trafficked weapon in Port-au-Prince."),
    _p("arms_supply_per_day", 12.0, "weapons/day", 1.0, 40.0,
       "assumption; arms trafficked mainly from the US (UN experts) [S]", "economy",
       "Weapons offered to the metro area's gangs per day without any embargo enforcement."),
    _p("arms_embargo_effectiveness", 0.1, "share", 0.0, 0.9,
       "resolution 2699 §13-14 (seed 000_0ef45d2968df0eb0); value assumption", "policy",
       "Share of the arms flow stopped by the embargo and port and border control."),
    _p("recruitment_rate", 0.004, "1/day", 0.0, 0.02,
       "assumption; child recruitment +70% in a year (UNICEF, Nov 2024) [V]", "recruitment",
       "Daily recruits per member under full hardship, no trust in the state and unlimited cash."),
    _p("desertion_rate", 0.0005, "1/day", 0.0, 0.003, "assumption", "recruitment",
       "Daily share of members who leave a gang."),
    _p("arrest_share", 0.7, "share", 0.2, 0.9,
       "record: HNP killed 268 and arrested 654 gang members in 2023 [V] -> 0.71 [D]", "combat",
       "Share of gang losses in operations that are arrests rather than deaths."),
    _p("detention_capacity", 5000, "persons", 2000, 8000,
       "record: 3,700-4,700 escaped the prisons stormed in Mar 2024 [S]; prisons at 454% occupancy in Jan 2024 "
       "(World Prison Brief, record additions 6) [V]: at least the detainees who escaped [D]", "combat",
       "Detainees the prisons of the metro area can hold, crowded as they are; arrests beyond it are released.",
       "int"),
    _p("detained_at_start", 4000, "persons", 3700, 4700,
       "record additions 0: >3,800 (AP), ~4,500 (UN News), >4,600 (BINUH) escaped the National Penitentiary and "
       "the Croix-des-Bouquets prison on 2-3 Mar 2024 [S]", "combat",
       "Detainees in the metro area's prisons at the start."),
    _p("escapee_join_share", 0.25, "share", 0.0, 1.0,
       "assumption (the record has no count of escapees who joined the gangs)", "combat",
       "Share of the detainees freed by a prison break who join the group that took the prison."),
    _p("security_lethality", 0.5, "casualties/(effective unit*day)", 0.005, 5.0,
       "assumption; range wide enough for the record's police operations (>=590 killed in Q1 2024, 860 in H1 "
       "2024 [V], record additions section 2)", "combat",
       "Lanchester coefficient of aimed fire: gang casualties per day per unit at full effectiveness "
       "(an operation's fire is aimed only as far as its intelligence allows)."),
    _p("intelligence_base", 0.3, "share", 0.02, 1.0,
       "assumption (Kress & Szechtman 2009: fire aimed as far as intelligence allows)", "combat",
       "Share of an operation's fire that is aimed at trust 0.5 and no recent reprisals; the rest is unaimed "
       "and finds fighters only among the cell's residents."),
    _p("drone_strikes_per_day", 0.0, "strikes/day", 0.0, 10.0,
       "record: armed drones operated by an HNP task force with a contracted firm from Mar 2025 [S]; rate "
       "assumption (0: no drones)", "combat", "Mean armed-drone strikes a day on gang-held cells, from drone_start_day."),
    _p("drone_start_day", 0, "day", 0, 3650,
       "record: from Mar 2025 [S] (day 425 of a run from 1 Jan 2024 [D])", "combat",
       "Day of the run from which the drone task force strikes.", "int"),
    _p("drone_fighters_per_strike", 2.0, "fighters/strike", 0.0, 10.0, "assumption", "combat",
       "Gang fighters a strike kills when fully aimed (scaled by the aimed share of intelligence)."),
    _p("drone_harm_per_strike", 0.5, "residents/strike", 0.0, 5.0, "assumption", "combat",
       "Residents a strike kills at reference density when not aimed at all (scaled by density and the "
       "unaimed share)."),
    _p("civilian_harm_ratio", 0.05, "civilians/casualty", 0.01, 1.5,
       "assumption; dense urban terrain (seed 002_d688c9cc41807fef); 0.05 puts residents at about half the "
       "deaths of the baseline's operations in Q1 2024 (record: 'some not involved in violence' [V])", "combat",
       "Residents killed per unit of an operation's unaimed fire that falls among residents (per combatant "
       "casualty in a gang attack), at reference density and no caution."),
    _p("roe_caution", 0.5, "share", 0.0, 1.0, "seed 002_d688c9cc41807fef (dense terrain forces caution)", "policy",
       "Caution of the rules of engagement: cuts civilian harm, and somewhat the lethality of operations."),
    _p("clear_ratio", 2.0, "ratio", 1.0, 5.0, "assumption", "combat",
       "Force ratio (operation : remaining local gang strength) at which a cell is cleared."),
    _p("predation_killing_rate", 2.5, "deaths/(million residents*day)", 0.5, 15.0,
       "assumption (calibrated on 4,789 killed nationally in 2023 [V])", "population",
       "Killings of residents by gangs in the cells they control, where as many fighters stand as on average "
       "at the start (in proportion to the fighters elsewhere)."),
    _p("injured_per_killed", 0.39, "persons/person", 0.3, 0.55,
       "record: BINUH 2024 5,626 killed, 2,213 injured [V] -> 0.39 [D]; Q1 2024 845/1,660 -> 0.51; police "
       "operations H1 2024 393/860 -> 0.46 [V]/[D]", "population",
       "Residents wounded per resident killed, whoever caused it."),
    _p("border_killing_rate", 0.02, "deaths/(contested cell*day)", 0.0, 0.5,
       "assumption; violence concentrates on borders (record: Jul 2022 Cite Soleil) [V]", "population",
       "Killings per contested cell per day."),
    _p("kidnap_rate", 2.5, "kidnappings/(million residents*day)", 0.5, 10.0,
       "assumption (calibrated on 2,490 kidnapped nationally in 2023 [V])", "population",
       "Kidnappings among residents of gang cells."),
    _p("displaced_per_death", 40.0, "persons/death", 5.0, 150.0,
       "record: IDPs 362,000 -> 578,000 Mar-Jun 2024 [V] against 3,661 killed in H1 2024 [V] -> ~60 [D]",
       "population", "People who flee a cell for each violent death in it."),
    _p("front_flight_rate", 0.0005, "1/day", 0.0, 0.003, "assumption", "population",
       "Daily share of the residents of a contested cell who flee, deaths or not."),
    _p("displaced_out_share", 0.3, "share", 0.05, 0.7, "assumption", "population",
       "Share of people fleeing who leave the metro area rather than move to a safer cell."),
    _p("area_share_of_national_violence", 0.8, "share", 0.6, 0.95,
       "assumption; most events are in the West department (record)", "population",
       "Share of national killings and kidnappings that fall in the modelled area (for calibration)."),
    _p("displaced_site_share", 0.5, "share", 0.3, 0.7,
       "record additions 5: IOM DTM, 38% of the capital's IDPs in sites in Feb-Mar 2023, almost half in Oct 2023, "
       "61% of the metro IDPs in Jun 2024 [V]", "population",
       "Share of the people fleeing within the metro area who go to displacement sites rather than host families."),
    _p("return_after_days", 60, "days", 14, 365,
       "assumption; returns are rarely counted (45,864 returnees in IOM DTM Round 3, Feb-Mar 2023 [V])",
       "population", "Consecutive days an origin cell must be secure (no gang, not contested) before its "
       "displaced start going home.", "int"),
    _p("return_rate", 0.01, "1/day", 0.0, 0.05,
       "assumption; returns are rarely counted (45,864 returnees in IOM DTM Round 3, Feb-Mar 2023 [V])",
       "population", "Daily share of an eligible origin's displaced (in sites, hosted or outside) who go home."),
    # --- HNP ---------------------------------------------------------------------------------------
    _p("hnp_total_strength", 13196, "persons", 8000, 20000, "record: 13,196 on 31 Dec 2023 (UN SG) [V]", "hnp",
       "HNP strength nationally at the start.", "int"),
    _p("hnp_capital_share", 0.5, "share", 0.3, 0.67, "record: about two thirds in greater PAP (~2014, OSAC) [S]",
       "hnp", "Share of the HNP deployed in the metro area."),
    _p("hnp_on_duty_share", 0.55, "share", 0.35, 0.75,
       "record: <10,000 on duty (ICG) [V]; '5,000 available' (HNP chief) [S]", "hnp",
       "Share of HNP personnel available for duty at any time."),
    _p("hnp_attrition_base", 0.03, "1/year", 0.01, 0.08,
       "record additions 3a: ~400 left a year before 2023 of ~14,000 [V] -> 0.03 [D]", "hnp",
       "Share of HNP personnel leaving per year without officer deaths."),
    _p("hnp_attrition_per_death", 0.002, "1/year per officer killed/year", 0.0, 0.005,
       "record: 1,663 left in 2023 of 13,196 [V] with 48 killed (UN) [V]: (0.126 - 0.03)/48 [D]", "hnp",
       "Extra yearly attrition per officer killed per year (the recent rate, hnp_grief_days)."),
    _p("hnp_grief_days", 90, "days", 14, 365, "assumption (the Jan 2023 killings were followed by months of "
       "protests and departures: record additions 3b [V])", "hnp",
       "Memory of officer deaths in attrition and capacity: a death weighs for about this many days."),
    _p("hnp_killed_reference", 40.0, "officers/year", 10.0, 200.0,
       "assumption; >40 killed a year in 2019, 2021-2023 (RNDDH, record additions 3b) [V]", "hnp",
       "Yearly rate of officers killed at which half of hnp_capacity_loss is lost."),
    _p("hnp_capacity_loss", 0.3, "share", 0.0, 0.6,
       "assumption; ~9,700 of 14,861 available for active service, ~4,000 for public security (record additions "
       "3a) [V]", "hnp", "Largest share of the on-duty HNP that officer deaths keep out of the units."),
    _p("hnp_capacity_recovery_days", 30, "days", 7, 180, "assumption", "hnp",
       "Time constant of the HNP's operational capacity towards its level."),
    _p("hnp_academy_cohort", 750, "persons", 0, 2000, "record: 796 cadets (Nov 2023), 739 graduates (Jan 2025) [V]",
       "hnp", "Graduates per academy class.", "int"),
    _p("hnp_academy_interval_days", 365, "days", 120, 730, "record: one class per ~year 2023-25 [V]", "hnp",
       "Days between academy graduations.", "int"),
    _p("hnp_training", 0.5, "index", 0.2, 1.0, "assumption", "hnp", "HNP training (effectiveness factor)."),
    _p("hnp_equipment", 0.5, "index", 0.2, 1.0, "assumption; some gangs better armed than police [S]", "hnp",
       "HNP equipment (effectiveness factor)."),
    _p("hnp_static_share", 0.6, "share", 0.0, 1.0, "assumption", "policy",
       "Share of HNP units on static protection."),
    # --- MSS / GSF ---------------------------------------------------------------------------------
    _p("mss_target_personnel", 2500, "persons", 0, 52000,
       "record: ~2,500 planned (res. 2699) [V]; 5,550 ceiling (res. 2793) [V]; 52,000 benchmark [D]", "mss",
       "Personnel the mission deploys towards.", "int"),
    _p("mss_follow_schedule", True, "flag", None, None, "record: dated arrivals (scenario file)", "mss",
       "Deploy by the dated arrivals of the scenario (true) or ramp up at the deployment rate (false).", "bool"),
    _p("mss_start_day", 0, "day", 0, 730, "assumption", "mss", "First arrival day when ramping up.", "int"),
    _p("mss_deploy_rate", 300.0, "persons/30 days", 50.0, 2000.0,
       "assumption; ~400 in the first month, then ~100/month 2024-25 (record) [V]", "mss",
       "Fastest ramp-up when funding and logistics allow."),
    _p("mss_training", 0.8, "index", 0.3, 1.0, "assumption", "mss", "MSS training (effectiveness factor)."),
    _p("mss_equipment", 0.7, "index", 0.3, 1.0, "assumption; under-equipped (seed 002_d688c9cc41807fef)", "mss",
       "MSS equipment (effectiveness factor)."),
    _p("mss_static_share", 0.6, "share", 0.0, 1.0,
       "resolution 2699: protect airport, ports, schools, hospitals, intersections (seed 000)", "policy",
       "Share of MSS units on static protection of key sites."),
    _p("mss_joint_patrols_day", 179, "day", 0, 3650,
       "record: first joint MSS-HNP foot patrol on 28 Jun 2024 [V] (record additions), day 179 of a run from "
       "1 Jan 2024 [D]", "mss",
       "Day of the run from which MSS units in the deployment phase patrol and join operations (before it they "
       "only guard key sites).", "int"),
    _p("mss_independent_ops", False, "flag", None, None, "resolution 2699: support HNP-led joint operations (seed 000)",
       "policy", "Whether MSS units may run operations without HNP units.", "bool"),
    _p("mss_per_hnp_in_joint_ops", 2.0, "ratio", 0.5, 5.0, "assumption", "policy",
       "MSS units one HNP unit can lead in a joint operation."),
    _p("unit_size", 30, "persons", 15, 45, "assumption (a section or platoon)", "forces",
       "Personnel per security unit.", "int"),
    _p("units_per_operation", 3, "units", 1, 10, "assumption (a company)", "policy",
       "Dynamic units that act together in one operation.", "int"),
    _p("operation_tempo", 0.25, "share", 0.05, 1.0, "assumption (rotation, rest and logistics between raids)",
       "policy", "Share of raid-ready dynamic units that go on an operation on a given day."),
    _p("recapture_rate", 0.03, "1/day", 0.005, 0.2,
       "record: the HUEH occupied 1 Apr 2024 and retaken by the police in early Jul 2024; the Gressier station "
       "abandoned 10-11 May and retaken after 30 Jun 2024; the airport closed 4 Mar-20 May 2024 (record additions, "
       "site histories and 3d) [V]: weeks to months; value assumption", "policy",
       "Daily rate at which the guards of a key site a gang holds counter-attack it."),
    _p("post_share", 0.3, "share", 0.0, 1.0,
       "record additions 9: MINUSTAH held cleared ground in Bel Air and Cite Soleil with permanent posts of 30-40 "
       "(2005-2007; 'Strong Point 16' still held in 2010) [V]; seed 002_d688c9cc41807fef (holding liberated areas "
       "is demanding); the share an assumption", "policy",
       "Share of the raid-capable units that hold posts on ground operations cleared (one unit a post, held until "
       "lost in a fight or until fewer units can hold them; 0: clear and leave)."),
    _p("patrol_share", 0.15, "share", 0.0, 0.6, "seed 002_d688c9cc41807fef (active patrolling of public spaces)",
       "policy", "Share of dynamic units patrolling public spaces rather than raiding."),
    _p("target_rule", "border", "-", None, None, "assumption", "policy",
       "How operations choose targets: the gang frontier, the most populous, the strongest or near key sites.",
       "choice", ("border", "population", "strength", "sites")),
    # --- funding -----------------------------------------------------------------------------------
    _p("cost_per_person_month_usd", 20000.0, "USD/(person*month)", 8000.0, 40000.0,
       "record: ~$600M/yr for ~2,500 [V] -> $20,000 [D]; one source $240M/yr [S]", "funding",
       "Full monthly cost of one deployed person (pay, equipment, bases, logistics)."),
    _p("logistics_share", 0.4, "share", 0.2, 0.6, "assumption", "funding",
       "Share of that cost that is logistics (paid by a UN support office when there is one)."),
    _p("un_support_office", False, "flag", None, None, "record: resolution 2793 creates UNSOH [V]", "funding",
       "Logistics paid from assessed contributions, outside the voluntary funds.", "bool"),
    _p("initial_funds_usd", 0.0, "USD", 0.0, 1.0e9, "scenario", "funding", "Funds in hand on day 0."),
    _p("pledge_scale", 1.0, "share", 0.0, 2.0, "assumption", "funding",
       "Multiplier on the scenario's dated pledges (what share is actually disbursed)."),
    _p("funding_share_of_need", 0.0, "share", 0.0, 1.5, "assumption", "funding",
       "Steady inflow as a share of the monthly cost of the target force (0: pledges only)."),
    _p("disbursement_delay_days", 60, "days", 0, 365, "record: slow disbursement of pledges (seed 002) [V]",
       "funding", "Days between a pledge and the money reaching the mission.", "int"),
    _p("reserve_months", 1.0, "months", 0.0, 6.0, "assumption", "funding",
       "Months of the new force's cost that must be in hand before personnel deploy."),
    _p("repatriation_grace_days", 90, "days", 0, 365, "record: pay delays, resignations (Dec 2024) [S]", "funding",
       "Days of unpaid costs before contingents start to go home.", "int"),
    _p("repatriation_rate", 0.01, "1/day", 0.0, 0.05, "assumption", "funding",
       "Daily share of MSS personnel repatriated while the shortfall lasts past the grace period."),
    _p("unpaid_readiness_loss", 0.01, "1/day", 0.0, 0.05, "assumption", "funding",
       "Daily loss of MSS readiness while costs go unpaid."),
    # --- trust -------------------------------------------------------------------------------------
    _p("trust_initial", 0.7, "share", 0.4, 0.9, "seed 001_c89b9ae9724bcb68: 70% favoured a force (2023 survey) [V]",
       "trust", "Support for the mission and the state at the start."),
    _p("trust_gain_presence", 0.004, "1/day", 0.0, 0.02, "assumption; 'psychological' impact (seed 002)", "trust",
       "Daily trust gain in a cell with visible security presence."),
    _p("trust_loss_harm", 0.05, "per death per 1,000 residents", 0.0, 0.3, "assumption", "trust",
       "Trust lost in a cell per civilian killed by operations, per 1,000 residents."),
    _p("misconduct_rate", 0.5, "incidents/(1,000 personnel*month)", 0.0, 3.0,
       "assumption; vetting and oversight concerns (seed 001)", "trust",
       "Misconduct incidents by security personnel before oversight."),
    _p("oversight_strength", 0.5, "share", 0.0, 1.0,
       "resolution 2699 compliance mechanism (seed 000); no independent body (seed 002)", "policy",
       "Share of misconduct an oversight mechanism prevents."),
    _p("trust_loss_misconduct", 0.002, "per incident", 0.0, 0.01, "assumption", "trust",
       "Trust lost everywhere per misconduct incident."),
    _p("passivity_penalty", 0.0005, "1/day", 0.0, 0.003,
       "seed 002_d688c9cc41807fef ('passive force' perception erodes support)", "trust",
       "Daily trust loss from a mostly static posture, scaled by the static share above one half."),
    _p("trust_intel_weight", 1.0, "-", 0.0, 2.0, "assumption (Kress & Szechtman 2009: intelligence from residents)",
       "trust", "How much residents' trust raises the share of an operation's fire that is aimed (per unit of "
       "trust above 0.5)."),
    _p("execution_share", 0.8, "share", 0.0, 1.0,
       "assumption with a range; record additions 2: 281 alleged summary executions with specialised units in "
       "2024 (BINUH) [S], >=106 in Q3 and 80 in Q4 2024 [V]: ~0.4 of the default run's captives [D], before "
       "oversight", "trust",
       "Share of an operation's captives the units would execute summarily without oversight "
       "(oversight_strength prevents its share)."),
    # --- vigilantes ----------------------------------------------------------------------------------
    _p("vigilante_max_per_cell", 40.0, "fighter-equivalents/cell", 0.0, 120.0,
       "assumption (Bwa Kale brigades from 24 Apr 2023: BINUH, CARDH [V]; their size per cell is not recorded)",
       "vigilantes", "Most armed residents in a cell's self-defence brigades, reached as the threat grows "
       "without police; their defence against gang expansion."),
    _p("vigilante_violence_scale", 5.0, "deaths", 0.5, 50.0, "assumption", "vigilantes",
       "Recent deaths in a cell at which the threat to residents on a gang border doubles."),
    _p("vigilante_protection_scale", 30.0, "personnel", 5.0, 200.0, "assumption", "vigilantes",
       "Security personnel in a cell that halve the level of self-defence (police protection lowers the need)."),
    _p("vigilante_response_days", 14.0, "days", 1.0, 90.0, "assumption", "vigilantes",
       "Time constant of the brigades' response to their level."),
    _p("vigilante_killing_rate", 1e-5, "1/(vigilante*gang member*day)", 0.0, 1e-4,
       "assumption, order of magnitude from >=388 lynched Apr-Sep 2023 (BINUH) [V], 401 Bwa Kale killings "
       "Jan-Sep 2023 = 29% of homicides (CARDH) [V], >=141 in Q1 2024 (OHCHR) [V], 268 in Q4 2024 [V]",
       "vigilantes", "Killings per vigilante per gang member in the bordering gang cells per day."),
    _p("vigilante_gang_share", 0.6, "share", 0.2, 0.9,
       "record: >=238 alleged gang members among ~388 lynched Apr-Sep 2023 (BINUH) [V] -> ~0.6 [D]", "vigilantes",
       "Share of vigilante killings that are gang members (the rest suspects among residents)."),
    # --- retaliation ---------------------------------------------------------------------------------
    _p("retaliation_jump", 0.5, "-", 0.0, 2.0, "assumption; self-exciting retaliation (record: attacks on police)",
       "retaliation", "Rise in the nearby attack intensity after an attack or an operation."),
    _p("retaliation_decay", 0.85, "1/day", 0.5, 0.98, "assumption", "retaliation",
       "Daily survival of the retaliation intensity."),
    # --- phases and indicators ---------------------------------------------------------------------
    _p("decisive_threshold", 0.3, "share", 0.0, 1.0, "seed 002_d688c9cc41807fef (four stages)", "phases",
       "Share of the target deployed for decisive operations to start."),
    _p("stabilisation_threshold", 0.5, "share", 0.1, 0.9, "seed 002_d688c9cc41807fef; assumption", "phases",
       "Gang share of the population below which stabilisation starts."),
    _p("transition_threshold", 0.2, "share", 0.0, 0.5, "seed 002_d688c9cc41807fef; assumption", "phases",
       "Gang share of the population below which, held long enough, transition starts."),
    _p("transition_days", 90, "days", 30, 365, "assumption", "phases",
       "Days below the transition threshold before transition.", "int"),
    _p("election_secure_share", 0.8, "share", 0.5, 1.0, "seed 002 (environment conducive to elections); assumption",
       "phases", "Share of the population in secure cells for the election-ready flag."),
    _p("election_days", 90, "days", 30, 365, "assumption", "phases",
       "Consecutive days that share must hold.", "int"),
)

PARAMETERS: dict[str, Parameter] = {p.name: p for p in _PARAMETERS}


def defaults() -> dict[str, float | int | bool | str]:
    """The default value of every parameter."""
    return {name: p.default for name, p in PARAMETERS.items()}


def factors() -> list[Parameter]:
    """Parameters with a numeric range: the default factors of sweeps and sensitivity analyses."""
    return [p for p in PARAMETERS.values() if p.uncertain and p.group != "map"]
