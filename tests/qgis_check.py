"""Run by tests/test_downloads_qgis.py under Debian's /usr/bin/python3 (python3-qgis), headless.

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis_check.py FILE.gpkg

Loads every table of the GeoPackage as QGIS does when a user adds it, and prints, per table, one
JSON line: whether it is valid, its feature count, the renderer QGIS applied on its own (the default
style from layer_styles) and each rule's label, filter and symbol colour.
"""

import json
import os
import sys

from qgis.core import QgsApplication, QgsVectorLayer

app = QgsApplication([], False)
app.initQgis()
path = sys.argv[1]
probe = QgsVectorLayer(path, "probe", "ogr")
tables = [s.split("!!::!!")[1] for s in probe.dataProvider().subLayers()]
for table in tables:
    if table == "layer_styles":
        continue
    layer = QgsVectorLayer(f"{path}|layername={table}", table, "ogr")  # loads the default style
    out = {"table": table, "valid": layer.isValid(), "count": layer.featureCount(),
           "kind": {0: "point", 1: "line", 2: "polygon"}.get(int(layer.geometryType()), "other")}
    renderer = layer.renderer()
    out["renderer"] = renderer.type() if renderer else None
    rules = []
    if renderer is not None and renderer.type() == "RuleRenderer":
        for rule in renderer.rootRule().children():
            for child in rule.children() or [rule]:
                symbol = child.symbol()
                rules.append({"label": rule.label(), "filter": rule.filterExpression(),
                              "sub": child.label(), "else": child.isElse(), "active": rule.active(),
                              "colour": symbol.color().name() if symbol else None,
                              "count": sum(1 for _ in layer.getFeatures(rule.filterExpression()))})
    out["rules"] = rules
    print(json.dumps(out), flush=True)
os._exit(0)  # QGIS 3.22 can crash in its own exit; everything is printed
