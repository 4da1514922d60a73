"""Writing outputs: all or nothing, deterministic JSON, stale layer files pruned."""

import os

import pytest
from shapely.geometry import Polygon

from geo import export
from geo.export import LOCK


def test_geometry_json_rounds_to_six_decimals():
    g = export.geometry_json(Polygon([(0.12345678, 0), (1, 0), (1, 1.000000049)]))
    assert g["coordinates"][0][0] == [0.123457, 0.0] and g["coordinates"][0][2] == [1.0, 1.0]


def test_dumps_is_compact_utf8_and_stable():
    data = export.dumps({"name_zh": "郑州", "b": [1.5]})
    assert data == '{"name_zh":"郑州","b":[1.5]}\n'.encode("utf-8")


def test_bounds():
    feats = [{"geometry": {"type": "Point", "coordinates": [3, 4]}},
             {"geometry": {"type": "LineString", "coordinates": [[1, 5], [2, 2]]}}]
    assert export.bounds(feats) == [1, 2, 3, 5] and export.bounds([]) is None


def test_write_outputs_replaces_and_prunes(tmp_path):
    (tmp_path / "layers").mkdir()
    (tmp_path / "layers" / "gone.geojson").write_text("old")
    (tmp_path / "layers" / "keep.txt").write_text("not ours")
    export.write_outputs(str(tmp_path), {"a.geojson": b"A", "layers/x.geojson": b"X"},
                         prune={"layers": ".geojson"})
    assert (tmp_path / "a.geojson").read_bytes() == b"A"
    assert sorted(os.listdir(tmp_path / "layers")) == ["keep.txt", "x.geojson"]


def test_failed_write_keeps_previous_files_and_leaves_no_temporaries(tmp_path):
    (tmp_path / "a.geojson").write_bytes(b"previous")
    (tmp_path / "blocked").write_text("a file where a folder is needed")
    with pytest.raises(OSError):
        export.write_outputs(str(tmp_path), {"a.geojson": b"new", "blocked/b.geojson": b"B"})
    assert (tmp_path / "a.geojson").read_bytes() == b"previous"
    assert sorted(set(os.listdir(tmp_path)) - {LOCK}) == ["a.geojson", "blocked"]


KILL_SCRIPT = """
import os, sys
from geo import export
from geo.export import LOCK
real_replace, count = os.replace, [0]
def replace(src, dst):
    if export.TMP_MARK in src and export.JOURNAL not in dst:
        if count[0] == int(sys.argv[2]):
            os._exit(137)  # as abrupt as SIGKILL: no cleanup, no finally
        count[0] += 1
    real_replace(src, dst)
os.replace = replace
export.write_outputs(sys.argv[1], {"a.geojson": b"new a", "layers/b.geojson": b"new b",
                                   "layers/c.geojson": b"new c", "d.json": b"new d"})
"""


def snapshot(folder):
    out = {}
    for base, _, files in os.walk(folder):
        for name in files:
            if name == LOCK:  # the build lock's file: empty, and not an output
                continue
            path = os.path.join(base, name)
            out[os.path.relpath(path, folder)] = open(path, "rb").read()
    return out


@pytest.mark.parametrize("killed_after", [0, 1, 3])
def test_kill_while_renaming_is_rolled_back_to_the_previous_outputs(tmp_path, killed_after):
    import subprocess
    import sys

    (tmp_path / "layers").mkdir()
    (tmp_path / "a.geojson").write_bytes(b"old a")
    (tmp_path / "layers" / "b.geojson").write_bytes(b"old b")
    before = snapshot(tmp_path)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    run = subprocess.run([sys.executable, "-c", KILL_SCRIPT, str(tmp_path), str(killed_after)],
                         cwd=root, capture_output=True, text=True)
    assert run.returncode == 137, run.stderr
    assert (tmp_path / export.JOURNAL).exists()  # the swap was under way
    assert export.recover(str(tmp_path)) is True
    assert snapshot(tmp_path) == before
    # and the next write goes through on a clean slate
    export.write_outputs(str(tmp_path), {"a.geojson": b"next"})
    assert (tmp_path / "a.geojson").read_bytes() == b"next"
    assert not any(export.TMP_MARK in n or export.BAK_MARK in n for n in snapshot(tmp_path))


def test_recover_without_journal_only_removes_strays(tmp_path):
    (tmp_path / "a.geojson").write_bytes(b"A")
    (tmp_path / "a.geojson.tmp-123").write_bytes(b"half")
    (tmp_path / "a.geojson.bak-123").write_bytes(b"A")
    assert export.recover(str(tmp_path)) is False
    assert snapshot(tmp_path) == {"a.geojson": b"A"}


# --- hostile journals: nothing outside the data directory is read, moved or deleted -------------

def _data_with_sentinel(tmp_path):
    """A data directory inside tmp_path, and a sentinel file beside it (outside the data)."""
    data = tmp_path / "data"
    (data / "layers").mkdir(parents=True)
    (data / "layers" / "index.json").write_bytes(b"index")
    (data / "a.geojson").write_bytes(b"A")
    sentinel = tmp_path / "SENTINEL"
    sentinel.write_bytes(b"keep me")
    return data, sentinel


HOSTILE_JOURNALS = [
    ("created-parent", {"backups": {}, "created": ["../SENTINEL"]}),
    ("created-absolute", {"backups": {}, "created": ["/tmp/../{sentinel}"]}),
    ("created-deep-parent", {"backups": {}, "created": ["layers/../../SENTINEL"]}),
    ("backup-target-outside", {"backups": {"../X": "layers/index.json"}, "created": []}),
    ("backup-source-outside", {"backups": {"a.geojson": "../SENTINEL"}, "created": []}),
    ("backup-not-a-backup", {"backups": {"a.geojson": "layers/index.json"}, "created": []}),
    ("backslash", {"backups": {}, "created": ["..\\SENTINEL"]}),
    ("nul", {"backups": {}, "created": ["a.geojson\u0000x"]}),
    ("through-symlink", {"backups": {}, "created": ["out/SENTINEL"]}),
    ("lists-for-objects", {"backups": [], "created": {}}),
    ("not-an-object", ["a.geojson"]),
    ("number-for-name", {"backups": {"a.geojson": 5}, "created": []}),
    ("created-not-strings", {"backups": {}, "created": [["a.geojson"]]}),
]


@pytest.mark.parametrize("case, plan", HOSTILE_JOURNALS, ids=[c[0] for c in HOSTILE_JOURNALS])
def test_a_hostile_journal_touches_nothing(tmp_path, case, plan):
    import json

    data, sentinel = _data_with_sentinel(tmp_path)
    (data / "out").symlink_to(tmp_path)  # a link that leads out of the data directory
    text = json.dumps(plan).replace("{sentinel}", str(sentinel).lstrip("/"))
    (data / export.JOURNAL).write_text(text)
    before_outside = sorted(p.name for p in tmp_path.iterdir())
    before = snapshot(data)
    with pytest.raises(export.JournalError) as info:
        export.recover(str(data))
    message = str(info.value)
    assert "\n" not in message and export.JOURNAL in message and "nothing was moved or deleted" in message
    assert sentinel.read_bytes() == b"keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == before_outside
    assert snapshot(data) == before  # the journal stays, for a person to look at


@pytest.mark.parametrize("text", ["[" * 200_000 + "]" * 200_000, "{not json", "\xff\xfe", ""])
def test_an_unreadable_journal_is_one_line(tmp_path, text):
    data, _ = _data_with_sentinel(tmp_path)
    (data / export.JOURNAL).write_text(text, encoding="latin-1")
    with pytest.raises(export.JournalError, match="build journal .* is unreadable") as info:
        export.recover(str(data))
    assert "\n" not in str(info.value) and len(str(info.value)) < 400


def test_only_our_scratch_files_count_as_strays(tmp_path):
    (tmp_path / "catalog").mkdir()
    keep = {"catalog/notes.tmp-draft.yaml": b"a person's file", "catalog/x.bak-old": b"theirs",
            "a.geojson": b"A"}
    for rel, data in keep.items():
        (tmp_path / rel).write_bytes(data)
    (tmp_path / "a.geojson.tmp-77-0af3").write_bytes(b"ours")
    (tmp_path / "catalog" / "b.geojson.bak-12").write_bytes(b"ours")
    export.recover(str(tmp_path))
    assert snapshot(tmp_path) == keep


def test_output_names_are_confined(tmp_path):
    for rel in ["../escape.geojson", "/etc/x", "layers/../../x", "a\\b"]:
        with pytest.raises(export.WriteError, match="refusing to write"):
            export.write_outputs(str(tmp_path / "data"), {rel: b"x"})
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# --- the build lock -------------------------------------------------------------------------------

def test_a_second_writer_waits_for_the_lock_and_says_so(tmp_path):
    import threading

    told = []
    with export.build_lock(str(tmp_path)):
        with pytest.raises(export.LockTimeout, match="another build has been writing to"):
            export.write_outputs(str(tmp_path), {"a.geojson": b"A"}, on_wait=told.append, timeout=0.3)
        assert told == [f"another build is writing to {tmp_path}; waiting for it to finish"]
        assert not (tmp_path / "a.geojson").exists()
        waiter = threading.Thread(target=export.write_outputs, args=(str(tmp_path), {"a.geojson": b"A"}))
        waiter.start()
        waiter.join(0.5)
        assert waiter.is_alive() and not (tmp_path / "a.geojson").exists()  # waiting, not writing
    waiter.join(10)
    assert (tmp_path / "a.geojson").read_bytes() == b"A"


def test_start_up_recovery_waits_for_a_running_build(tmp_path):
    (tmp_path / "a.geojson.tmp-1-00").write_bytes(b"a running build's temporary file")
    with export.build_lock(str(tmp_path)):
        with pytest.raises(export.LockTimeout):
            export.recover(str(tmp_path), timeout=0.2)
    assert (tmp_path / "a.geojson.tmp-1-00").exists()  # not removed under the build's feet


RACE_SCRIPT = """
import sys
from geo import export
tag = sys.argv[2].encode()
outputs = {f"layers/l{i}.geojson": tag * 20000 for i in range(12)}
outputs["locations.geojson"] = tag * 50000
for _ in range(int(sys.argv[3])):
    export.write_outputs(sys.argv[1], outputs, prune={"layers": ".geojson"})
"""


def test_racing_writers_leave_one_whole_set(tmp_path):
    import subprocess
    import sys

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    procs = [subprocess.Popen([sys.executable, "-c", RACE_SCRIPT, str(tmp_path), tag, "6"], cwd=root,
                              stderr=subprocess.PIPE, text=True) for tag in ("A", "B")]
    for proc in procs:
        assert proc.wait(timeout=120) == 0, proc.stderr.read()
    files = snapshot(tmp_path)
    tags = {data[:1] for data in files.values()}
    assert len(files) == 13 and len(tags) == 1, sorted(files)


KILL_ANYWHERE = """
import sys
from geo import export
tag = sys.argv[2].encode()
outputs = {f"layers/l{i}.geojson": tag * 100_000 for i in range(int(sys.argv[3]))}
outputs["locations.geojson"] = tag * 400_000
print("go", flush=True)
export.write_outputs(sys.argv[1], outputs, prune={"layers": ".geojson"})
"""


def test_sigkill_at_random_points_leaves_the_old_or_the_new_set(tmp_path):
    import random
    import signal
    import subprocess
    import sys
    import time

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    data = str(tmp_path / "data")

    def write(tag, layers):
        proc = subprocess.run([sys.executable, "-c", KILL_ANYWHERE, data, tag, str(layers)], cwd=root)
        assert proc.returncode == 0
        return snapshot(data)

    def started(tag, layers):
        proc = subprocess.Popen([sys.executable, "-c", KILL_ANYWHERE, data, tag, str(layers)], cwd=root,
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline() == "go\n"
        return proc

    calibrate = started("N", 40)  # how long one write takes here, to kill within it
    t0 = time.perf_counter()
    assert calibrate.wait() == 0
    duration = time.perf_counter() - t0
    rng = random.Random(11)
    old = write("O", 48)
    outcomes = {"old": 0, "new": 0}
    for _ in range(16):
        proc = started("N", 40)
        time.sleep(rng.uniform(0, duration))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        export.recover(data)  # what the next build or the app's start-up does first
        after = snapshot(data)
        if after == old:
            outcomes["old"] += 1
        else:
            assert set(after) == {f"layers/l{i}.geojson" for i in range(40)} | {"locations.geojson"}
            assert {v[:1] for v in after.values()} == {b"N"} and len(after["locations.geojson"]) == 400_000
            outcomes["new"] += 1
            old = write("O", 48)  # back to the old set for the next round
    print(outcomes)
