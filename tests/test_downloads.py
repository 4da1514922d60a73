"""The GIS downloads read back with every feature and the GeoJSON's values, by pyogrio and by the
GDAL command line (Debian's gdal-bin, which .ci/run installs): GeoPackage, CSV, KML, FlatGeobuf."""

from __future__ import annotations

import html
import json
import re
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pyogrio
import pytest
import shapely
from shapely.geometry import shape

from geo.contract import BY_NAME, PROPERTIES
from geo.downloads import ALL, GIS_FORMATS, Downloads, columns, styles
from geo.store import Store

OGR = shutil.which("ogr2ogr")


@pytest.fixture
def gdal_cli():
    # GDAL's command line is a real client these tests need: a missing one is a failure, not a skip.
    assert OGR and shutil.which("ogrinfo"), "gdal-bin is not installed (.ci/run installs it with apt)"
KML_NS = {"k": "http://www.opengis.net/kml/2.2"}


@pytest.fixture(scope="module")
def store(dataset) -> Store:
    return Store.load(dataset)


@pytest.fixture(scope="module")
def files(store, tmp_path_factory) -> dict[tuple[str, str], Path]:
    """Every place's file and two layers' files in each format, on disk."""
    root = tmp_path_factory.mktemp("downloads")
    made = Downloads(store)
    names = [ALL] + sorted(store.layers, key=lambda lid: -len(store.layers[lid].meta["geometry_types"]))[:2]
    out = {}
    for name in names:
        for ext in GIS_FORMATS:
            path = root / f"{name}.{ext}"
            path.write_bytes(made.blob(name, ext).body)
            out[name, ext] = path
    return out


def map_symbols(store) -> dict[str, dict]:
    """Each layer's symbol as the map page draws it (geo.mapview uses the same)."""
    from geo import symbols

    return symbols.assign(store.themes, [layer.meta for layer in store.layers.values()])


def expected(store, name) -> dict[str, dict]:
    features = (json.loads(store.locations.body)["features"] if name == ALL
                else store.layer(name).features)
    return {f["id"]: f for f in features}


def assert_same_values(record: dict, feature: dict, *, skip=()):
    """A read-back record (column -> value, maybe text) equals the feature's GeoJSON properties."""
    props = feature["properties"]
    for prop in PROPERTIES:
        if prop.name in skip or prop.name not in props:
            continue
        assert columns.decode(prop, record.get(prop.name)) == props[prop.name], (feature["id"], prop.name)
        if prop.is_list:
            assert "(2:" not in str(record.get(prop.name))
    assert record["sources_text"] == columns.sources_text(props["sources"])


def assert_same_geometry(geom, feature):
    want = shape(feature["geometry"])
    geom = shapely.force_2d(geom)
    assert geom.equals(want), feature["id"]
    # Same vertices to the last decimal (multi-part promotion changes no coordinate).
    assert shapely.get_coordinates(geom).round(6).tolist() == shapely.get_coordinates(want).tolist()


def read_all_layers(path: Path):
    """(layer name, GeoDataFrame) for every table of a file, layer_styles aside."""
    for layer_name, _ in pyogrio.list_layers(path):
        if layer_name != "layer_styles":
            yield layer_name, pyogrio.read_dataframe(path, layer=layer_name)


@pytest.mark.parametrize("ext", ["gpkg", "fgb", "csv"])
def test_pyogrio_reads_every_feature_with_its_values(store, files, ext):
    for (name, e), path in files.items():
        if e != ext:
            continue
        want = expected(store, name)
        seen = []
        for _, frame in read_all_layers(path):
            for record, geom in zip(frame.drop(columns="geometry").to_dict("records"), frame.geometry):
                feature = want[record["id"]]
                assert_same_values(record, feature)
                assert_same_geometry(geom, feature)
                seen.append(record["id"])
        assert sorted(seen) == sorted(want), (name, ext)


def test_kml_has_every_feature_with_names_descriptions_and_values(store, files):
    for (name, ext), path in files.items():
        if ext != "kml":
            continue
        want = expected(store, name)
        seen = []
        for _, frame in read_all_layers(path):
            for record, geom in zip(frame.drop(columns="geometry").to_dict("records"), frame.geometry):
                feature = want[record["id"]]
                props = feature["properties"]
                assert record["Name" if "Name" in record else "name"] == props["name"]
                # <description> is the readable summary: the description and every source's words.
                # What Google Earth shows: the markup's text.
                shown = html.unescape(re.sub(r"<[^>]+>", "", record["description"]))
                assert props["description"] in shown
                for s in props["sources"]:
                    assert s["mention"] in shown and s["title"] in shown
                assert_same_values(record, feature, skip=("description", "name"))
                assert_same_geometry(geom, feature)
                seen.append(record["id"])
        assert sorted(seen) == sorted(want)


def test_kml_styles_carry_the_layer_colours(store, files):
    """Every placemark has an inline style in its layer's colour (KML's aabbggrr)."""
    # Fill colour for points and areas, the outline colour for lines (what the map draws them in).
    colours = {lid: [c.lstrip("#").lower() for c in (sym["colour"], sym["outline"])]
               for lid, sym in map_symbols(store).items()}
    tree = ET.parse(files[ALL, "kml"])
    folders = tree.findall(".//k:Document/k:Document", KML_NS)
    assert len(folders) == len({f["properties"]["layer"] for f in expected(store, ALL).values()})
    for mark in tree.iterfind(".//k:Placemark", KML_NS):
        layer_id = next(d.text for d in mark.iterfind(".//k:SimpleData", KML_NS) if d.get("name") == "layer")
        kml_colours = [c[4:6] + c[2:4] + c[0:2] for c in colours[layer_id]]  # aabbggrr
        found = [c.text.lower() for c in mark.iterfind("k:Style//k:color", KML_NS)]
        assert any(c.endswith(k) for c in found for k in kml_colours), (mark.get("id"), found)
        assert mark.find("k:name", KML_NS).text


def test_csv_opens_in_excel_with_chinese_intact(store, files):
    data = files[ALL, "csv"].read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    text = data[3:].decode("utf-8")
    header = text.split("\r\n", 1)[0].split(",")
    assert header[0] == "WKT" and {"id", "name", "name_zh", "lon", "lat", "sources_text"} <= set(header)
    import csv as csvmod
    import io

    rows = list(csvmod.DictReader(io.StringIO(text, newline="")))
    by_id = {r["id"]: r for r in rows}
    for fid, feature in expected(store, ALL).items():
        row = by_id[fid]
        assert row["name_zh"] == feature["properties"]["name_zh"]  # Chinese intact
        if feature["geometry"]["type"] == "Point":
            lon, lat = feature["geometry"]["coordinates"]
            assert (float(row["lon"]), float(row["lat"])) == (lon, lat)
        else:
            assert row["lon"] == "" and row["lat"] == ""
        assert shapely.from_wkt(row["WKT"]).equals(shape(feature["geometry"]))


def test_gpkg_has_a_table_per_geometry_kind_and_a_default_style_for_each(store, files):
    for (name, ext), path in files.items():
        if ext != "gpkg":
            continue
        want = expected(store, name)
        kinds = {styles.kind_of(f["geometry"]["type"]) for f in want.values()}
        tables = [t for t, _ in pyogrio.list_layers(path) if t != "layer_styles"]
        assert len(tables) == len(kinds)
        with sqlite3.connect(path) as db:
            rows = db.execute("SELECT f_table_name, f_geometry_column, useAsDefault, styleQML, styleSLD "
                              "FROM layer_styles").fetchall()
            last_change = {r[0] for r in db.execute("SELECT last_change FROM gpkg_contents")}
        assert sorted(r[0] for r in rows) == sorted(tables)
        for table, column, default, qml, sld in rows:
            assert column == "geom" and default == 1
            ET.fromstring(qml.split("\n", 1)[1])  # well-formed after the DOCTYPE line
            ET.fromstring(sld.split("\n", 1)[1])
            for layer_id in {f["properties"]["layer"] for f in want.values()}:
                if f"'{layer_id}'" in qml:
                    sym = map_symbols(store)[layer_id]
                    assert any("{},{},{},".format(*styles._rgb(sym[k])) in qml for k in ("colour", "outline"))
        assert len(last_change) == 1 and last_change.pop().startswith(columns_date(want))


def columns_date(features: dict) -> str:
    from geo.downloads.writers import data_date

    return data_date(list(features.values()))[:10]


def test_files_are_byte_identical_when_made_again(store, files):
    again = Downloads(Store.load(store.data_dir))
    for (name, ext), path in files.items():
        assert again.blob(name, ext).body == path.read_bytes(), (name, ext)


# --- the GDAL command line (Debian's GDAL, not the one in pyogrio's wheel) -------------------

def ogr_to_geojson(path: Path, tmp_path: Path, layer: str | None = None) -> list[dict]:
    out = tmp_path / f"{path.stem}-{path.suffix[1:]}-{(layer or 'all').replace(' ', '_')}.geojson"
    cmd = [OGR, "-f", "GeoJSON", str(out), str(path)] + ([layer] if layer else [])
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    return json.loads(out.read_text(encoding="utf-8"))["features"]


def ogrinfo_layers(path: Path) -> list[str]:
    out = subprocess.run(["ogrinfo", "-ro", "-q", str(path)], check=True, capture_output=True,
                         text=True, timeout=120).stdout
    # Lines like "1: name (Point)"
    return [line.split(": ", 1)[1].rsplit(" (", 1)[0] for line in out.splitlines() if ": " in line]


@pytest.mark.parametrize("ext", GIS_FORMATS)
def test_gdal_command_line_reads_every_feature_with_its_values(store, files, ext, tmp_path, gdal_cli):
    for (name, e), path in files.items():
        if e != ext:
            continue
        want = expected(store, name)
        seen = []
        for layer in ogrinfo_layers(path):
            if layer == "layer_styles":
                continue
            for f in ogr_to_geojson(path, tmp_path, layer):
                record = f["properties"]
                feature = want[record.get("id") or record["feature_id"]]
                if ext == "kml":
                    assert record["Name"] == feature["properties"]["name"]
                    assert_same_values(record, feature, skip=("description", "name"))
                else:
                    assert_same_values(record, feature)
                if ext != "csv":  # the CSV's geometry is its WKT column, checked as text above
                    assert_same_geometry(shape(f["geometry"]), feature)
                seen.append(feature["id"])
        assert sorted(seen) == sorted(want), (name, ext)


def test_contract_columns_are_the_columns(store, files):
    frame = pyogrio.read_dataframe(files[ALL, "fgb"])
    assert [c for c in frame.columns if c != "geometry"] == (
        ["id"] + [p.name for p in PROPERTIES] + [p.name for p in columns.READABLE])
    assert BY_NAME["aliases"].is_list and BY_NAME["gazetteer"].is_nested


# --- big files: made in the background, one at a time, on first request ---------------------------

def _wait_for(made: Downloads, name: str, ext: str, seconds: float = 120):
    """The file once the background worker has made it (polled; a bound, not a timing)."""
    import time

    from geo.downloads import NotReady

    deadline = time.monotonic() + seconds
    while True:
        try:
            return made.blob(name, ext)
        except NotReady:
            assert time.monotonic() < deadline, f"{name}.{ext} was not made in {seconds} s"
            time.sleep(0.05)


def test_a_big_file_is_made_in_the_background_and_is_the_same_file(store, monkeypatch):
    from geo import downloads
    from geo.downloads import NotReady

    layer_id = max(store.layers, key=lambda lid: store.layers[lid].count)
    small = Downloads(store).blob(layer_id, "csv")  # made in the request, as for any small layer
    monkeypatch.setattr(downloads, "BIG", store.layers[layer_id].count - 1)
    made = Downloads(store)
    assert made.is_big(layer_id) and made.is_big(ALL)
    with pytest.raises(NotReady) as info:
        made.blob(layer_id, "csv")
    assert info.value.retry_after >= 5 and "is being made; try again in" in str(info.value)
    assert _wait_for(made, layer_id, "csv").body == small.body
    assert made._worker is None or not made._queue


def test_make_all_leaves_big_files_for_a_request(store, monkeypatch):
    from geo import downloads

    monkeypatch.setattr(downloads, "BIG", 2)
    made = Downloads(store)
    small = [lid for lid, layer in store.layers.items() if layer.count <= 2]
    made.make_all()
    assert {name for name, _ in made._blobs} == set(small) and not made._queue


def test_a_big_file_that_fails_says_so(store, monkeypatch):
    from geo import downloads
    from geo.downloads import MakeFailed

    monkeypatch.setattr(downloads, "BIG", 0)
    made = Downloads(store)
    monkeypatch.setattr(made, "_make", lambda name, ext: (_ for _ in ()).throw(OSError("disk full")))
    layer_id = next(iter(store.layers))
    with pytest.raises(MakeFailed, match="could not be made: OSError: disk full"):
        _wait_for(made, layer_id, "kml")
