"""The settings store must never lose or damage what the user already had in settings.json."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from filelock import FileLock
from paths import HELPERS, ROOT

from seqlen_tui.core.errors import SettingsError
from seqlen_tui.core.settings import (
    SettingsStore,
    asset_from_path,
    resolve_settings_path,
    settings_key,
)

CHILD = HELPERS / "settings_child.py"

# What a user of the original article might have: their keys, in their order.
USER_SETTINGS = {
    "home": "/home/ana/lstm-project",
    "AAPL_SL": 30,
    "model": {"units": [64, 32], "dropout": 0.2, "optimizer": {"name": "adam", "lr": 1e-3}},
    "note": "prévision €uro — 予測",
    "ratios": [0.1, 2.5e-07, 1.7976931348623157e308, -0.0],
    "big": 12345678901234567890,
    "flags": {"shuffle": False, "verbose": True, "seed": None},
    "seqlen_tui": {"max_lag": 200, "alpha": 0.05},
    "z_last": "end",
}


def write_json(path: Path, data, **dumps_kwargs) -> bytes:
    raw = json.dumps(data, **dumps_kwargs).encode("utf-8")
    path.write_bytes(raw)
    return raw


def listing(folder: Path) -> set[str]:
    # The .lock sidecar is expected to persist (unlinking it would break mutual exclusion).
    return {p.name for p in folder.iterdir()} - {"settings.json.lock"}


def temp_files(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def snapshot(path: Path) -> tuple[bytes, int, int]:
    st = path.stat()
    return path.read_bytes(), st.st_mtime_ns, stat.S_IMODE(st.st_mode)


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


# -- keys and paths -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("asset", "key"),
    [
        ("BTC-USD", "BTC_USD_SL"),
        ("btc usd.x", "BTC_USD_X_SL"),
        ("eth", "ETH_SL"),
        ("^GSPC", "GSPC_SL"),
        ("  2330.TW  ", "2330_TW_SL"),
        ("a--b__c", "A_B__C_SL"),
        ("€uro/Stoxx 50!", "URO_STOXX_50_SL"),
    ],
)
def test_settings_key_cleans_to_identifier(asset, key):
    assert settings_key(asset) == key


@pytest.mark.parametrize("asset", ["", "---", "  ", "€"])
def test_settings_key_refuses_names_with_nothing_left(asset):
    with pytest.raises(SettingsError, match="«asset»"):
        settings_key(asset)


@pytest.mark.parametrize(
    ("path", "asset"),
    [
        ("BTC-USD.csv", "BTC-USD"),
        ("data/eth.parquet", "eth"),
        (Path("/srv/data/btc usd.x.csv"), "btc usd.x"),
        ("data/BTC-USD.csv.gz", "BTC-USD"),
        ("prices", "prices"),
    ],
)
def test_asset_from_path_is_the_stem(path, asset):
    assert asset_from_path(path) == asset


def test_key_from_data_file():
    assert settings_key(asset_from_path("data/BTC-USD.csv")) == "BTC_USD_SL"


def test_resolve_order_explicit_then_env_then_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"SEQLEN_SETTINGS": str(tmp_path / "from_env.json")}
    assert resolve_settings_path(tmp_path / "given.json", env) == tmp_path / "given.json"
    assert resolve_settings_path(None, env) == tmp_path / "from_env.json"
    assert resolve_settings_path(None, {}) == tmp_path / "settings.json"
    assert resolve_settings_path(None, {"SEQLEN_SETTINGS": ""}) == tmp_path / "settings.json"
    assert resolve_settings_path("rel/s.json", {}) == tmp_path / "rel" / "s.json"


def test_resolve_uses_environ_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQLEN_SETTINGS", str(tmp_path / "env.json"))
    assert resolve_settings_path(None) == tmp_path / "env.json"


def test_resolve_directory_means_settings_json_inside(tmp_path, monkeypatch):
    project = tmp_path / "myproject"
    project.mkdir()
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_settings_path(project, {}) == project / "settings.json"
    assert resolve_settings_path("~/myproject", {}) == project / "settings.json"
    assert resolve_settings_path(None, {"SEQLEN_SETTINGS": str(project)}) == project / "settings.json"
    monkeypatch.chdir(project)
    assert resolve_settings_path(".", {}) == project / "settings.json"


# -- reading --------------------------------------------------------------------------------


def test_read_missing_file_is_empty(tmp_path):
    store = SettingsStore(tmp_path / "settings.json")
    assert store.read() == {}
    assert store.current_value("BTC_USD_SL") is None
    assert store.tool_defaults() == {}


def test_read_keeps_order_and_values(tmp_path):
    path = tmp_path / "settings.json"
    write_json(path, USER_SETTINGS, indent=2, ensure_ascii=False)
    store = SettingsStore(path)
    data = store.read()
    assert list(data) == list(USER_SETTINGS)
    assert data == USER_SETTINGS
    assert store.current_value("AAPL_SL") == 30
    assert store.current_value("nope") is None
    assert store.tool_defaults() == {"max_lag": 200, "alpha": 0.05}


@pytest.mark.parametrize("block", [[1, 2], "max_lag=200", 5])
def test_tool_defaults_must_be_an_object(tmp_path, block):
    path = tmp_path / "settings.json"
    write_json(path, {"seqlen_tui": block})
    with pytest.raises(SettingsError, match=r"seqlen_tui.*must be an object"):
        SettingsStore(path).tool_defaults()


def test_read_error_names_line_and_column(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text('{\n    "home": "/x",\n    "A_SL": 4,\n}\n', encoding="utf-8")
    with pytest.raises(SettingsError) as info:
        SettingsStore(path).read()
    message = str(info.value)
    assert str(path) in message
    assert "line 4 column 1" in message
    assert "fix or move it; it was not changed" in message


def test_unreadable_file_is_a_settings_error(tmp_path):
    folder = tmp_path / "settings.json"
    folder.mkdir()  # a directory where a file should be: refused before any read
    with pytest.raises(SettingsError, match="settings.json is a directory, not a regular file"):
        SettingsStore(folder).read()


# -- saving ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600)])
def test_save_into_missing_file_creates_it_with_just_the_key(tmp_path, umask, mode):
    path = tmp_path / "settings.json"
    old = os.umask(umask)
    try:
        written = SettingsStore(path).save_lag("BTC_USD_SL", 48)
    finally:
        os.umask(old)
    assert written == path
    assert path.read_text(encoding="utf-8") == '{\n    "BTC_USD_SL": 48\n}\n'
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert listing(tmp_path) == {"settings.json"}  # no .bak (nothing to back up), no temp


def test_save_keeps_every_other_key_in_order(tmp_path):
    path = tmp_path / "settings.json"
    original = write_json(path, USER_SETTINGS, indent=2, ensure_ascii=False).decode("utf-8")
    SettingsStore(path).save_lag("BTC_USD_SL", 48)

    expected = {**USER_SETTINGS, "BTC_USD_SL": 48}
    text = path.read_text(encoding="utf-8")
    # The user's 2-space layout stays (it was re-rendered with indent=4 before issue 27).
    assert text == original[:-2] + ',\n  "BTC_USD_SL": 48\n}'
    assert "prévision €uro — 予測" in text  # not \u-escaped
    data = json.loads(text)
    assert data == expected
    assert list(data) == [*USER_SETTINGS, "BTC_USD_SL"]  # new key goes last
    assert type(data["BTC_USD_SL"]) is int
    assert temp_files(tmp_path) == []


def test_save_replaces_existing_key_in_place_and_backs_up_exact_bytes(tmp_path):
    path = tmp_path / "settings.json"
    # Deliberately odd formatting: the .bak must be the user's bytes, not a re-rendering.
    original = b'{"home":"/p",\t"BTC_USD_SL" : 12,  "z": [1,2]}'
    path.write_bytes(original)

    SettingsStore(path).save_lag("BTC_USD_SL", 60)

    data = json.loads(path.read_text(encoding="utf-8"))
    assert list(data) == ["home", "BTC_USD_SL", "z"]
    assert data == {"home": "/p", "BTC_USD_SL": 60, "z": [1, 2]}
    assert (tmp_path / "settings.json.bak").read_bytes() == original

    first_save = path.read_bytes()
    SettingsStore(path).save_lag("ETH_SL", 7)
    assert (tmp_path / "settings.json.bak").read_bytes() == first_save
    assert list(json.loads(path.read_text(encoding="utf-8"))) == ["home", "BTC_USD_SL", "z", "ETH_SL"]


def test_update_sets_several_keys(tmp_path):
    path = tmp_path / "settings.json"
    write_json(path, {"home": "/p", "A_SL": 1})
    SettingsStore(path).update({"A_SL": 2, "B_SL": 3})
    assert json.loads(path.read_text(encoding="utf-8")) == {"home": "/p", "A_SL": 2, "B_SL": 3}


def test_save_accepts_numpy_integers_as_plain_int(tmp_path):
    np = pytest.importorskip("numpy")
    path = tmp_path / "settings.json"
    SettingsStore(path).save_lag("X_SL", np.int64(24))
    assert path.read_text(encoding="utf-8") == '{\n    "X_SL": 24\n}\n'


@pytest.mark.parametrize("lag", [True, False, 0, -3, 2.5, 48.0, "48", None])
def test_save_rejects_non_positive_or_non_int_lags(tmp_path, lag):
    path = tmp_path / "settings.json"
    raw = write_json(path, {"home": "/p"})
    with pytest.raises(ValueError):
        SettingsStore(path).save_lag("X_SL", lag)
    assert path.read_bytes() == raw


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b'{"home": "/p", "AAPL_SL": 3', id="truncated"),
        pytest.param(b'{\n  "home": "/p",\n  "AAPL_SL": 3,\n}\n', id="trailing-comma"),
        pytest.param(b'[{"AAPL_SL": 3}]\n', id="top-level-list"),
        pytest.param(b'  "AAPL_SL"\n', id="top-level-string"),
        pytest.param(b"null", id="top-level-null"),
        pytest.param(b'{"a": 1} {"b": 2}', id="two-documents"),
        pytest.param(b'{"a": "\xff\xfe"}', id="not-utf8"),
    ],
)
def test_malformed_file_is_refused_and_left_byte_identical(tmp_path, content):
    path = tmp_path / "settings.json"
    path.write_bytes(content)
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))  # a distinctive mtime to compare against
    before = snapshot(path)

    with pytest.raises(SettingsError) as info:
        SettingsStore(path).save_lag("BTC_USD_SL", 48)

    message = str(info.value)
    assert str(path) in message and "line" in message and "it was not changed" in message
    assert snapshot(path) == before
    assert listing(tmp_path) == {"settings.json"}  # no .bak, no temp file
    with pytest.raises(SettingsError):
        SettingsStore(path).read()


@pytest.mark.parametrize("content", [b"", b"  \n\t\n"])
def test_empty_file_counts_as_empty_object(tmp_path, content):
    # Documented choice: `touch settings.json` gives a usable file; its bytes still go to .bak.
    path = tmp_path / "settings.json"
    path.write_bytes(content)
    store = SettingsStore(path)
    assert store.read() == {}
    store.save_lag("BTC_USD_SL", 5)
    assert json.loads(path.read_text(encoding="utf-8")) == {"BTC_USD_SL": 5}
    assert (tmp_path / "settings.json.bak").read_bytes() == content


def test_utf8_bom_is_tolerated(tmp_path):
    path = tmp_path / "settings.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"home": "/p"}).encode())
    store = SettingsStore(path)
    assert store.read() == {"home": "/p"}
    store.save_lag("A_SL", 3)
    assert json.loads(path.read_bytes()) == {"home": "/p", "A_SL": 3}


def test_symlinked_file_is_updated_at_target_and_link_kept(tmp_path):
    real_dir, project = tmp_path / "shared", tmp_path / "project"
    real_dir.mkdir()
    project.mkdir()
    target = real_dir / "settings.json"
    original = write_json(target, {"home": str(project), "AAPL_SL": 30}, indent=4)
    target.chmod(0o600)
    link = project / "settings.json"
    link.symlink_to(Path("..") / "shared" / "settings.json")

    written = SettingsStore(link).save_lag("BTC_USD_SL", 48)

    assert written == target.resolve()
    assert link.is_symlink()
    assert os.readlink(link) == os.path.join("..", "shared", "settings.json")
    assert json.loads(target.read_text(encoding="utf-8")) == {
        "home": str(project), "AAPL_SL": 30, "BTC_USD_SL": 48,
    }
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    bak = real_dir / "settings.json.bak"
    assert bak.read_bytes() == original
    assert stat.S_IMODE(bak.stat().st_mode) == 0o600  # the backup is as private as the file
    assert listing(project) == {"settings.json"}
    assert temp_files(real_dir) == []


def test_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "settings.json"
    link.symlink_to(tmp_path / "elsewhere.json")
    SettingsStore(link).save_lag("A_SL", 9)
    assert link.is_symlink()
    assert json.loads((tmp_path / "elsewhere.json").read_text()) == {"A_SL": 9}


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o660])  # 0o444 is refused: test_hardening
def test_file_mode_is_kept(tmp_path, mode):
    path = tmp_path / "settings.json"
    write_json(path, {"home": "/p"})
    path.chmod(mode)
    SettingsStore(path).save_lag("A_SL", 3)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert json.loads(path.read_text()) == {"home": "/p", "A_SL": 3}


def test_missing_folder_is_not_created(tmp_path):
    path = tmp_path / "nope" / "settings.json"
    with pytest.raises(SettingsError, match=r"folder .*nope does not exist; create it or pass «settings»"):
        SettingsStore(path).save_lag("A_SL", 3)
    assert not (tmp_path / "nope").exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_folder_is_refused(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "settings.json"
    write_json(path, {"home": "/p"})
    before = snapshot(path)
    folder.chmod(0o555)
    try:
        with pytest.raises(SettingsError, match="read-only"):
            SettingsStore(path).save_lag("A_SL", 3)
        assert snapshot(path) == before
        assert listing(folder) == {"settings.json"}
    finally:
        folder.chmod(0o755)


def test_read_only_folder_is_refused_even_as_root(tmp_path, monkeypatch):
    # The real permission check above cannot run as root; this pins the refusal itself.
    path = tmp_path / "settings.json"
    write_json(path, {"home": "/p"})
    before = snapshot(path)
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, m, **kw: False if Path(p) == tmp_path else real_access(p, m, **kw)
    )
    with pytest.raises(SettingsError, match=r"read-only.*pass «settings»"):
        SettingsStore(path).save_lag("A_SL", 3)
    assert snapshot(path) == before
    assert listing(tmp_path) == {"settings.json"}


def test_unusable_lock_file_is_a_settings_error(tmp_path):
    path = tmp_path / "settings.json"
    write_json(path, {"home": "/p"})
    before = snapshot(path)
    (tmp_path / "settings.json.lock").mkdir()
    with pytest.raises(SettingsError, match=r"lock file .*settings\.json\.lock.*not changed"):
        SettingsStore(path, lock_timeout=1).save_lag("A_SL", 3)
    assert snapshot(path) == before


@pytest.mark.parametrize("failing", ["fsync", "replace", "mkstemp"])
def test_failed_write_leaves_original_and_no_temp(tmp_path, monkeypatch, failing):
    # Stands in for a full disk / read-only folder when running as root, where chmod cannot.
    path = tmp_path / "settings.json"
    write_json(path, {"home": "/p", "A_SL": 1})
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    before = snapshot(path)

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if failing == "replace":
        real_replace = os.replace
        monkeypatch.setattr(
            os, "replace", lambda s, d: boom() if Path(d) == path else real_replace(s, d)
        )
    elif failing == "mkstemp":
        import tempfile

        monkeypatch.setattr(tempfile, "mkstemp", boom)
    else:
        monkeypatch.setattr(os, "fsync", boom)

    with pytest.raises(SettingsError, match="No space left on device.*not changed"):
        SettingsStore(path).save_lag("A_SL", 2)
    assert snapshot(path) == before
    assert temp_files(tmp_path) == []


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
@pytest.mark.parametrize(("how", "returncode"), [("exit", 9), ("sigkill", -signal.SIGKILL)])
def test_process_killed_before_replace_leaves_old_file_whole(tmp_path, how, returncode):
    path = tmp_path / "settings.json"
    original = write_json(path, USER_SETTINGS, indent=4, ensure_ascii=False)

    proc = subprocess.run(
        [sys.executable, str(CHILD), str(path), "BTC_USD_SL", "48"],
        env=child_env(SEQLEN_TEST_DIE=how), cwd=tmp_path, capture_output=True, timeout=30,
    )

    assert proc.returncode == returncode, proc.stderr.decode()
    assert path.read_bytes() == original
    assert json.loads(path.read_bytes()) == USER_SETTINGS
    # The child really got as far as writing the new content before dying.
    (stray,) = temp_files(tmp_path)
    assert json.loads((tmp_path / stray).read_bytes())["BTC_USD_SL"] == 48
    # The lock died with the process: the next save goes through at once.
    SettingsStore(path, lock_timeout=2).save_lag("BTC_USD_SL", 50)
    assert json.loads(path.read_bytes()) == {**USER_SETTINGS, "BTC_USD_SL": 50}


def test_concurrent_processes_keep_every_key(tmp_path):
    """Twenty processes (a batch's finishing assets) save different keys at the same instant."""
    path = tmp_path / "settings.json"
    write_json(path, {"home": "/p", "seqlen_tui": {"max_lag": 100}})
    go = tmp_path / "go"
    n = 20
    procs = []
    for i in range(n):
        ready = tmp_path / f"ready{i}"
        env = child_env(SEQLEN_TEST_READY=str(ready), SEQLEN_TEST_GO=str(go), SEQLEN_TEST_SLOW="0.01")
        procs.append(subprocess.Popen(
            [sys.executable, str(CHILD), str(path), f"ASSET{i}_SL", str(i + 1)],
            env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        ))
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready{i}").exists() for i in range(n)):
        assert time.monotonic() < deadline, "children did not start"
        time.sleep(0.01)
    go.touch()  # release all writers at once
    for p in procs:
        _, err = p.communicate(timeout=30)
        assert p.returncode == 0, err.decode()

    data = json.loads(path.read_text(encoding="utf-8"))
    assert list(data)[:2] == ["home", "seqlen_tui"]
    assert data["seqlen_tui"] == {"max_lag": 100}
    assert {k: v for k, v in data.items() if k.startswith("ASSET")} == {
        f"ASSET{i}_SL": i + 1 for i in range(n)
    }
    assert temp_files(tmp_path) == []
    json.loads((tmp_path / "settings.json.bak").read_text(encoding="utf-8"))  # valid JSON too


def test_concurrent_threads_keep_every_key(tmp_path):
    path = tmp_path / "settings.json"
    write_json(path, {"home": "/p"})
    barrier = threading.Barrier(8)
    errors = []

    def save(i):
        try:
            barrier.wait()
            SettingsStore(path).save_lag(f"T{i}_SL", i + 1)
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == {"home": "/p", **{f"T{i}_SL": i + 1 for i in range(8)}}


def test_lock_timeout_is_a_settings_error(tmp_path):
    path = tmp_path / "settings.json"
    write_json(path, {"home": "/p"})
    before = snapshot(path)
    with FileLock(tmp_path / "settings.json.lock"):
        started = time.monotonic()
        with pytest.raises(SettingsError, match="another seqlen-tui is saving"):
            SettingsStore(path, lock_timeout=0.2).save_lag("A_SL", 3)
        assert time.monotonic() - started >= 0.15  # it waited for its timeout (a floor: load cannot break it)
    assert snapshot(path) == before
    SettingsStore(path, lock_timeout=0.2).save_lag("A_SL", 3)  # free again once released
    assert json.loads(path.read_text()) == {"home": "/p", "A_SL": 3}


# -- a save changes only its own key (issue 27) ---------------------------------------------
#
# Each case: the user's exact bytes before, and the exact bytes after saving MSFT_SL = 48.
# "replace" cases differ in the one value's span; "insert" cases add one member after the last
# one (a new line in the file's own indent and newline, with a comma added at the end of the
# previous member's line; on a one-line file, on that line). Before issue 27 every case came
# back re-serialised with indent=4 (1e400 became Infinity, 3.141592653589793238 became
# 3.141592653589793, 1.0E+2 became 100.0, "\u00e9" became "é").

ODD_NUMBERS = ('{\n    "inf": 1e400,\n    "pi": 3.141592653589793238,\n    "hundred": 1.0E+2,\n'
               '    "MSFT_SL": 12,\n    "neg": -0.0\n}\n')
ONE_LINE_EDITS = [
    pytest.param(ODD_NUMBERS, ODD_NUMBERS.replace('"MSFT_SL": 12,', '"MSFT_SL": 48,'), id="odd-numbers-replace"),
    pytest.param(ODD_NUMBERS.replace('    "MSFT_SL": 12,\n', ""),
                 ODD_NUMBERS.replace('    "MSFT_SL": 12,\n', "").replace('"neg": -0.0\n',
                                                                          '"neg": -0.0,\n    "MSFT_SL": 48\n'),
                 id="odd-numbers-insert"),
    pytest.param('{\n\t"home": "/p",\n\t"model": {\n\t\t"units": [64, 32],\n\t\t"lr": 1E-3\n\t}\n}',
                 '{\n\t"home": "/p",\n\t"model": {\n\t\t"units": [64, 32],\n\t\t"lr": 1E-3\n\t},\n\t"MSFT_SL": 48\n}',
                 id="tabs-nested-insert-no-final-newline"),
    pytest.param('{\n  "MSFT_SL": 12,\n  "model": {"MSFT_SL": 1, "deep": {"x": [1.50, 2e0]}}\n}\n',
                 '{\n  "MSFT_SL": 48,\n  "model": {"MSFT_SL": 1, "deep": {"x": [1.50, 2e0]}}\n}\n',
                 id="two-spaces-nested-same-key-untouched"),
    pytest.param('{"home":"/p","n":1e400}', '{"home":"/p","n":1e400,"MSFT_SL":48}', id="one-line-compact"),
    pytest.param('{ "home": "/p", "n": 10.00 }\n', '{ "home": "/p", "n": 10.00, "MSFT_SL": 48 }\n',
                 id="one-line-spaced"),
    pytest.param('{"only": 1}', '{"only": 1, "MSFT_SL": 48}', id="one-line-one-member"),
    pytest.param('{"MSFT_SL" : 12 , "z": [1,2]}', '{"MSFT_SL" : 48 , "z": [1,2]}', id="odd-spacing-replace"),
    pytest.param('{\r\n    "home": "C:\\\\p",\r\n    "e": "\\u00e9\\/\\ud83d\\ude00"\r\n}\r\n',
                 '{\r\n    "home": "C:\\\\p",\r\n    "e": "\\u00e9\\/\\ud83d\\ude00",\r\n    "MSFT_SL": 48\r\n}\r\n',
                 id="crlf-escapes-insert"),
    pytest.param('{\r\n  "MSFT_SL": 3,\r\n  "e": "\\u00e9"\r\n}', '{\r\n  "MSFT_SL": 48,\r\n  "e": "\\u00e9"\r\n}',
                 id="crlf-replace"),
    pytest.param('{"\\u004dSFT_SL": 5, "t": "\\t"}', '{"\\u004dSFT_SL": 48, "t": "\\t"}', id="escaped-key-replace"),
    pytest.param('{\n "MSFT_SL": 1,\n "MSFT_SL": 2\n}\n', '{\n "MSFT_SL": 1,\n "MSFT_SL": 48\n}\n',
                 id="duplicate-key-last-replaced"),
    pytest.param('{\n    "MSFT_SL": {\n        "old": true\n    },\n    "b": 2\n}\n',
                 '{\n    "MSFT_SL": 48,\n    "b": 2\n}\n', id="multi-line-value-replaced"),
    pytest.param("{}", '{\n    "MSFT_SL": 48\n}', id="empty-object"),
    pytest.param("  {  }\n", '  {\n    "MSFT_SL": 48\n}\n', id="empty-object-spaced"),
    pytest.param("{}\r\n", '{\r\n    "MSFT_SL": 48\r\n}\r\n', id="empty-object-crlf"),
    pytest.param('{\n    "n": NaN\n}\n', '{\n    "n": NaN,\n    "MSFT_SL": 48\n}\n', id="nan-kept-not-added"),
]


def strict_loads(text: str):
    """What Node's JSON.parse accepts: no NaN / Infinity (Python's json reads them)."""
    def refuse(name):
        raise ValueError(f"not JSON: {name}")
    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(("before", "after"), ONE_LINE_EDITS)
def test_a_save_changes_only_its_own_key(tmp_path, before, after):
    path = tmp_path / "settings.json"
    path.write_bytes(before.encode("utf-8"))
    SettingsStore(path).save_lag("MSFT_SL", 48)
    assert path.read_bytes() == after.encode("utf-8")
    assert (tmp_path / "settings.json.bak").read_bytes() == before.encode("utf-8")
    if "NaN" not in before:
        assert strict_loads(after)["MSFT_SL"] == 48


def test_a_save_keeps_the_bom(tmp_path):
    path = tmp_path / "settings.json"
    path.write_bytes(b'\xef\xbb\xbf{\n  "a": 1e400\n}\n')
    SettingsStore(path).save_lag("MSFT_SL", 48)
    assert path.read_bytes() == b'\xef\xbb\xbf{\n  "a": 1e400,\n  "MSFT_SL": 48\n}\n'


def test_the_saved_file_passes_a_strict_parser(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text('{"big": 1e400, "small": -1e400, "pi": 3.141592653589793238}')
    SettingsStore(path).save_lag("MSFT_SL", 48)
    text = path.read_text()
    assert strict_loads(text)["MSFT_SL"] == 48  # before: "Infinity" / "-Infinity", refused
    assert '"big": 1e400' in text and "3.141592653589793238" in text


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_update_never_writes_nan_or_infinity(tmp_path, value):
    path = tmp_path / "settings.json"
    raw = write_json(path, {"home": "/p"})
    with pytest.raises(ValueError, match="cannot store"):
        SettingsStore(path).update({"X": value})  # before: written as NaN / Infinity
    assert path.read_bytes() == raw


def test_save_keeps_a_hard_link(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text('{\n  "home": "/p"\n}\n')
    path.chmod(0o640)
    other = tmp_path / "project-settings.json"
    os.link(path, other)
    inode = path.stat().st_ino

    written = SettingsStore(path).save_lag("MSFT_SL", 48)

    assert written == path
    # before: the rename gave settings.json a new inode; the other name kept the old value
    assert path.stat().st_ino == inode == other.stat().st_ino and path.stat().st_nlink == 2
    assert json.loads(other.read_text()) == {"home": "/p", "MSFT_SL": 48}
    assert other.read_text() == '{\n  "home": "/p",\n  "MSFT_SL": 48\n}\n'
    assert (tmp_path / "settings.json.bak").read_text() == '{\n  "home": "/p"\n}\n'
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert temp_files(tmp_path) == []
    SettingsStore(other).save_lag("MSFT_SL", 50)  # through the other name too
    assert json.loads(path.read_text())["MSFT_SL"] == 50


def test_hard_linked_file_failing_mid_write_is_restored(tmp_path, monkeypatch):
    path = tmp_path / "settings.json"
    original = b'{\n  "home": "/p"\n}\n'
    path.write_bytes(original)
    os.link(path, tmp_path / "other.json")
    real_fsync, calls = os.fsync, []

    def fsync(fd):  # the .bak and the temp copy are synced; the in-place write then fails
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(SettingsError, match="No space left on device.*not changed"):
        SettingsStore(path).save_lag("MSFT_SL", 48)
    assert path.read_bytes() == original == (tmp_path / "other.json").read_bytes()
    assert temp_files(tmp_path) == []


# -- files that crashed the parser (issue 27: "internal error", exit 1) -----------------------

DEEP_FILES = [
    pytest.param('{"a":' * 100_000 + "1" + "}" * 100_000, id="objects"),
    pytest.param("[" * 100_000 + "]" * 100_000, id="lists"),
    pytest.param('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", id="list-in-object"),
]


@pytest.mark.parametrize("content", DEEP_FILES)
def test_a_deeply_nested_file_is_a_settings_error(tmp_path, content):
    path = tmp_path / "settings.json"
    path.write_text(content)
    before = snapshot(path)
    for action in (lambda s: s.read(), lambda s: s.tool_defaults(), lambda s: s.check_writable(),
                   lambda s: s.save_lag("MSFT_SL", 48)):
        with pytest.raises(SettingsError) as info:  # before: RecursionError
            action(SettingsStore(path))
        message = str(info.value)
        assert str(path) in message and "nested too deep (over 200 levels)" in message
        assert message.endswith("fix or move it; it was not changed")
    assert snapshot(path) == before
    assert listing(tmp_path) == {"settings.json"}


def test_moderate_nesting_is_read_and_saved(tmp_path):
    path = tmp_path / "settings.json"
    content = '{"a": ' + "[" * 150 + "]" * 150 + ', "s": "[[[[{{{{"}'
    path.write_text(content)
    SettingsStore(path).save_lag("MSFT_SL", 48)
    assert path.read_text() == content[:-1] + ', "MSFT_SL": 48}'


@pytest.mark.parametrize(
    ("content", "where"),
    [
        pytest.param('{"a": "\\ud800"}', '"a"', id="value"),
        pytest.param('{"seqlen_tui": {"theme": ["x", "ab\\udfffc"]}}', '"seqlen_tui" > "theme" > item 2',
                     id="nested"),
        pytest.param('{"\\udc00": 1}', "a key", id="key"),
    ],
)
def test_a_lone_surrogate_is_a_settings_error(tmp_path, content, where):
    path = tmp_path / "settings.json"
    path.write_text(content)
    before = snapshot(path)
    for action in (lambda s: s.read(), lambda s: s.save_lag("MSFT_SL", 48)):
        with pytest.raises(SettingsError) as info:  # before: UnicodeEncodeError when saved or printed
            action(SettingsStore(path))
        message = str(info.value)
        assert str(path) in message and "lone surrogate" in message and where in message
        assert message.endswith("fix or move it; it was not changed")
        message.encode("utf-8")  # the message itself prints anywhere
    assert snapshot(path) == before


def test_a_surrogate_pair_is_fine(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text('{"emoji": "\\ud83d\\ude00"}')
    SettingsStore(path).save_lag("MSFT_SL", 48)
    assert json.loads(path.read_text()) == {"emoji": "\U0001F600", "MSFT_SL": 48}


@pytest.mark.parametrize("content", [pytest.param('{"a":' * 100_000 + "1" + "}" * 100_000, id="deep"),
                                     pytest.param('{"MSFT_SL": "\\ud800"}', id="lone-surrogate")])
def test_cli_run_refuses_an_unreadable_settings_file_with_one_line(tmp_path, capsys, content, ridge_engine):
    from seqlen_tui.cli import main

    settings = tmp_path / "deep.json"
    settings.write_text(content)
    # before: exit 1 "internal error: RecursionError ..." / "UnicodeEncodeError ..."
    assert main(["run", str(ROOT / "sample_data" / "MSFT.csv"), "--settings", str(settings),
                 "--runs-dir", str(tmp_path / "runs")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(settings) in err and "it was not changed" in err
    assert not (tmp_path / "runs").exists()  # refused before any training


def test_cli_analyze_reads_past_an_unreadable_settings_file(tmp_path, capsys):
    from seqlen_tui.cli import main

    settings = tmp_path / "deep.json"
    settings.write_text("[" * 100_000 + "]" * 100_000)
    # before: exit 1 "internal error: RecursionError"; analyze writes nothing, so it goes on
    assert main(["analyze", str(ROOT / "sample_data" / "MSFT.csv"), "--settings", str(settings)]) == 0
    assert "settings not read" in capsys.readouterr().out


def test_app_config_reports_an_unreadable_settings_file(tmp_path):
    from seqlen_tui.tui.config import load_config

    settings = tmp_path / "deep.json"
    settings.write_text('{"a":' * 100_000 + "1" + "}" * 100_000)
    config = load_config(settings, tmp_path / "runs")  # before: RecursionError, the app crashed
    assert any("nested too deep" in problem for problem in config.problems)


# -- asset names to keys (issue 27: "é" was refused as "not letters or digits") ---------------


@pytest.mark.parametrize(
    ("asset", "key"),
    [
        ("é", "E_SL"),
        ("Zürich", "ZURICH_SL"),
        ("Zu\u0308rich", "ZURICH_SL"),  # the decomposed spelling macOS file names use
        ("São Paulo", "SAO_PAULO_SL"),
        ("Øresund", "ORESUND_SL"),
        ("Straße", "STRASSE_SL"),
        ("Æon", "AEON_SL"),
        ("Œuvre", "OEUVRE_SL"),
        ("Łódź", "LODZ_SL"),
        ("Þing", "THING_SL"),
        ("Ｎｉｋｋｅｉ２２５", "NIKKEI225_SL"),
        ("日本 225", "225_SL"),
    ],
)
def test_accented_letters_map_to_their_base_letter(asset, key):
    assert settings_key(asset) == key


@pytest.mark.parametrize("asset", ["日本", "---", "Москва", "€", "", "\udcff\udcfe"])  # last: undecodable file name
def test_a_name_with_nothing_in_a_to_z_is_refused_saying_what_a_key_holds(asset):
    with pytest.raises(SettingsError) as info:
        settings_key(asset)
    message = str(info.value)
    assert "A-Z, 0-9 and _" in message and "«asset» NIKKEI" in message
    message.encode("utf-8")  # printable anywhere: no lone surrogate from the name


def test_the_app_form_takes_accented_names_and_says_what_a_key_holds():
    from seqlen_tui.tui.widgets.options_form import _asset

    _asset("Zürich")  # before: "needs letters or digits"
    with pytest.raises(ValueError) as info:
        _asset("日本")
    assert "letters or digits" in str(info.value) and "A-Z, 0-9 and _" in str(info.value)


@pytest.mark.skipif(os.name != "posix", reason="flock is POSIX")
def test_saves_through_two_names_of_a_hard_link_wait_for_each_other(tmp_path):
    import fcntl

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    path, other = tmp_path / "a" / "settings.json", tmp_path / "b" / "settings.json"
    path.write_text('{"home": "/p"}')
    os.link(path, other)
    # Each name has its own .lock; a save through the other name holds the file itself.
    with open(other, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(SettingsError, match="saving to .* through another of its names"):
            SettingsStore(path, lock_timeout=0.2).save_lag("MSFT_SL", 48)  # before: saved at once
    assert other.read_text() == '{"home": "/p"}'
    SettingsStore(path, lock_timeout=0.2).save_lag("MSFT_SL", 48)
    assert other.read_text() == '{"home": "/p", "MSFT_SL": 48}'
