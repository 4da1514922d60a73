"""geo.paths: names read from files become paths only inside their directory."""

import os

import pytest

from geo.paths import PathError, confined


@pytest.mark.parametrize("rel", ["a.geojson", "layers/x.geojson", "base/provinces.geojson"])
def test_plain_names_are_joined(tmp_path, rel):
    assert confined(str(tmp_path), rel) == os.path.join(str(tmp_path), *rel.split("/"))


@pytest.mark.parametrize("rel", ["../x", "a/../../x", "/etc/passwd", "a\\..\\x", "a\x00b", "a\nb", "",
                                 ".", "a//b", "a/./b", "..", None, 7, ["a"], "x" * 500])
def test_other_names_are_refused(tmp_path, rel):
    with pytest.raises(PathError):
        confined(str(tmp_path), rel)


def test_a_link_out_of_the_directory_is_refused(tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    (root / "out").symlink_to(tmp_path)
    (root / "inside").mkdir()
    (root / "in").symlink_to(root / "inside")
    with pytest.raises(PathError, match="resolves outside"):
        confined(str(root), "out/SENTINEL")
    assert confined(str(root), "in/x") == str(root / "in" / "x")  # a link that stays inside is fine
