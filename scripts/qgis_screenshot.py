"""Render the atlas's GeoPackage as QGIS draws it (its own default styles), to a PNG.

    curl -o locations.gpkg http://127.0.0.1:8000/download/locations.gpkg
    QT_QPA_PLATFORM=offscreen /usr/bin/python3 scripts/qgis_screenshot.py locations.gpkg docs/qgis.png

Run under Debian's python3-qgis. Takes the file the app serves at /download/locations.gpkg; the
province outlines (data/base/provinces.geojson) go underneath, as on the map's offline background.
"""

import os
import sys

from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem, QgsFillSymbol, QgsMapRendererParallelJob,
                       QgsMapSettings, QgsRectangle, QgsVectorLayer, QgsPalLayerSettings,
                       QgsVectorLayerSimpleLabeling, QgsTextFormat)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor, QFont

gpkg, out = sys.argv[1], sys.argv[2]
base = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "base", "provinces.geojson")
app = QgsApplication([], False)
app.initQgis()

provinces = QgsVectorLayer(base, "provinces", "ogr")
provinces.renderer().setSymbol(QgsFillSymbol.createSimple(
    {"color": "246,243,234,255", "outline_color": "138,143,152,255", "outline_width": "0.26"}))
layers = []
for table in ("locations-points", "locations-lines", "locations-polygons"):
    layer = QgsVectorLayer(f"{gpkg}|layername={table}", table, "ogr")  # default style from layer_styles
    assert layer.isValid(), table
    layers.append(layer)
# Names of the points, as a QGIS user would switch on.
labels = QgsPalLayerSettings()
labels.fieldName = "name"
fmt = QgsTextFormat()
fmt.setFont(QFont("DejaVu Sans", 7))
fmt.setSize(7)
labels.setFormat(fmt)
layers[0].setLabeling(QgsVectorLayerSimpleLabeling(labels))
layers[0].setLabelsEnabled(True)

settings = QgsMapSettings()
settings.setLayers(layers + [provinces])  # first is on top
settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:4326"))
settings.setBackgroundColor(QColor("#dbe7ef"))
settings.setOutputSize(QSize(1400, 1000))
settings.setOutputDpi(110)
settings.setExtent(QgsRectangle(108.0, 24.0, 120.5, 41.0))
job = QgsMapRendererParallelJob(settings)
job.start()
job.waitForFinished()
job.renderedImage().save(out, "png")
print(out)
os._exit(0)
