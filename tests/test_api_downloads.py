"""/download/<layer>.<ext> and /download/locations.<ext>: media types, attachments, ETags, 404s."""

import pytest

from geo.downloads import FORMATS, GIS_FORMATS

MEDIA = {"gpkg": "application/geopackage+sqlite3", "csv": "text/csv",
         "kml": "application/vnd.google-earth.kml+xml", "fgb": "application/flatgeobuf"}
MAGIC = {"gpkg": b"SQLite format 3\x00", "csv": b"\xef\xbb\xbfWKT,", "kml": b"<?xml", "fgb": b"fgb\x03"}


@pytest.mark.parametrize("ext", GIS_FORMATS)
@pytest.mark.parametrize("name", ["locations", "corridors", "metropolitan-circles"])
def test_download_in_each_format(client, name, ext):
    response = client.get(f"/download/{name}.{ext}")
    assert response.status_code == 200
    assert response.mimetype == MEDIA[ext] == FORMATS[ext].media_type.split(";")[0]
    if ext == "csv":
        assert response.mimetype_params == {"charset": "utf-8"}
    assert response.headers["Content-Disposition"] == f'attachment; filename="central-china-atlas-{name}.{ext}"'
    assert response.data.startswith(MAGIC[ext])
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    etag = response.headers["ETag"]
    again = client.get(f"/download/{name}.{ext}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag and not again.data
    zipped = client.get(f"/download/{name}.{ext}", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and zipped.headers["ETag"] != etag


def test_the_same_file_for_every_app_on_the_same_data(app, data_dir):
    from app import create_app

    other = create_app({"TESTING": True, "DATA_DIR": str(data_dir)}).test_client()
    for ext in GIS_FORMATS:
        first = app.test_client().get(f"/download/locations.{ext}")
        assert other.get(f"/download/locations.{ext}").headers["ETag"] == first.headers["ETag"]


@pytest.mark.parametrize("url, words", [
    ("/download/corridors.shp", "unknown download format 'shp'"),
    ("/download/corridors.GPKG", "unknown download format"),
    ("/download/no-such-layer.gpkg", "unknown layer 'no-such-layer'"),
    ("/download/index.csv", "unknown layer 'index'"),
    ("/download/..%2Flocations.kml", "not found"),  # a path, never a layer id
])
def test_unknown_layer_or_format_is_a_json_404(client, url, words):
    response = client.get(url)
    assert response.status_code == 404 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["status"] == 404 and words in body["message"].lower()


def test_a_big_file_not_made_yet_is_a_503_with_retry_after(client, monkeypatch):
    from geo import downloads

    monkeypatch.setattr(downloads, "BIG", 0)
    response = client.get("/download/corridors.gpkg")
    assert response.status_code == 503 and int(response.headers["Retry-After"]) >= 5
    body = response.get_json()
    assert body["status"] == 503 and "is being made; try again in" in body["message"]
