"""Rebuild ``metro_sections.geojson`` from the OCHA COD-AB files of Haiti (not needed to run the model).

    pip install "pap-sim[mapdata]"
    python scenarios/map/build_metro.py COD_AB_FOLDER [--out scenarios/map/metro_sections.geojson]

``COD_AB_FOLDER`` holds the HDX dataset ``cod-ab-hti`` (CNIGS / OCHA, valid 2018-11-29, CC BY-IGO): the
shapefile of communal sections ``hti_admbnda_adm3_cnigs_20181129.*`` and the workbook
``hti_adminboundaries_tabulardata.xlsx`` with the IHSI/UNFPA 2019 population estimates (sheet
``hti_pop2019_adm3``). The script keeps the 44 sections of the nine metro communes, joins each to its
population by P-code and writes them as GeoJSON in lon/lat (CRS84), coordinates rounded to 1e-6 degree
(about 0.1 m), sorted by P-code so that the output is the same byte for byte on every machine.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import openpyxl
import shapefile

METRO_COMMUNES = ("HT0111", "HT0112", "HT0113", "HT0114", "HT0115", "HT0116", "HT0117", "HT0118", "HT0131")
SECTIONS = "hti_admbnda_adm3_cnigs_20181129"
WORKBOOK = "hti_adminboundaries_tabulardata.xlsx"
ATTRIBUTION = ("Administrative boundaries: CNIGS / OCHA (HDX, cod-ab-hti, valid 2018-11-29), CC BY-IGO; "
               "population: IHSI / UNFPA 2019 estimates (same dataset)")


def populations(folder: Path) -> dict[str, float]:
    """The 2019 population estimate of every communal section, by P-code."""
    sheet = openpyxl.load_workbook(folder / WORKBOOK, read_only=True)["hti_pop2019_adm3"]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows)
    code, pop = header.index("adm3code"), header.index("IHSI_UNFPA_2019")
    return {row[code]: float(row[pop]) for row in rows if row[code]}


def rounded(coords: object) -> object:
    """Nested coordinate lists with every number rounded to 6 decimals."""
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(float(c), 6) for c in coords]
    return [rounded(c) for c in coords]


def build(folder: Path) -> dict:
    """The metro sections as a GeoJSON FeatureCollection."""
    pop = populations(folder)
    reader = shapefile.Reader(str(folder / SECTIONS))
    features = []
    for shape_record in reader.iterShapeRecords():
        rec = shape_record.record.as_dict()
        if rec["ADM2_PCODE"] not in METRO_COMMUNES:
            continue
        geometry = shape_record.shape.__geo_interface__
        features.append({"type": "Feature", "properties": {
            "ADM3_PCODE": rec["ADM3_PCODE"], "ADM3_FR": rec["ADM3_FR"], "ADM2_PCODE": rec["ADM2_PCODE"],
            "ADM2_FR": rec["ADM2_FR"], "pop2019": round(pop[rec["ADM3_PCODE"]])},
            "geometry": {"type": geometry["type"], "coordinates": rounded(geometry["coordinates"])}})
    features.sort(key=lambda f: f["properties"]["ADM3_PCODE"])
    return {"type": "FeatureCollection", "name": "pap_metro_sections", "attribution": ATTRIBUTION,
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}, "features": features}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="folder with the COD-AB shapefiles and the population workbook")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("metro_sections.geojson"),
                        help="where to write the GeoJSON")
    args = parser.parse_args()
    collection = build(args.folder)
    args.out.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(collection['features'])} sections")


if __name__ == "__main__":
    main()
