"""The mtnorm command as a subprocess: stdout, stderr, exit codes, bad inputs, atomic outputs."""
import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT

SEED = ROOT / "seeds" / "000_f2a0a924dbf1b2a5.txt"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
ENV.pop("MTNORM_GLOSSARY", None)


def mtnorm(*args, stdin=None, env=None):
    return subprocess.run([sys.executable, "-m", "normalize", *map(str, args)], input=stdin,
                          capture_output=True, cwd=ROOT, env=env or ENV)


def test_help_teaches():
    r = mtnorm("normalize", "--help")
    out = r.stdout.decode()
    assert r.returncode == 0
    for word in ("--diff", "--explain", "--json", "--check", "--only", "--skip", "--glossary",
                 "examples:", "exit codes"):
        assert word in out


def test_no_command_is_usage_error():
    r = mtnorm()
    assert r.returncode == 2


def test_stdin_to_stdout():
    r = mtnorm("normalize", stdin="Fighting near Idlib, says the OSDH.\n".encode())
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode() == "Fighting near Idlib, says the SOHR.\n"


def test_explain_lines_name_rules_and_positions():
    r = mtnorm("normalize", "--explain", SEED)
    lines = r.stdout.decode().splitlines()
    assert r.returncode == 0
    assert any(":6:220: typography.elision_apostrophe:" in ln for ln in lines)
    assert any("glossary:glossaries/" in ln for ln in lines)


def test_json_edits_replay_to_text():
    r = mtnorm("normalize", "--json", SEED)
    doc = json.loads(r.stdout)
    src = SEED.read_text(encoding="utf-8")
    out, pos = [], 0
    for e in doc["edits"]:
        out.append(src[pos:e["start"]])
        out.append(e["after"])
        assert src[e["start"]:e["end"]] == e["before"]
        pos = e["end"]
    out.append(src[pos:])
    assert "".join(out) == doc["text"]
    assert doc["changed"] is True


def test_diff_is_unified():
    r = mtnorm("normalize", "--diff", SEED)
    d = r.stdout.decode()
    assert r.returncode == 0
    assert d.startswith("--- ") and "\n@@ -" in d
    assert "\n-LEAVE A REPLY\n" in d


def test_check_exit_codes(tmp_path):
    assert mtnorm("normalize", "--check", SEED).returncode == 1
    clean = tmp_path / "clean.txt"
    clean.write_text("The Syrian Observatory for Human Rights said 20 people died.\n", encoding="utf-8")
    r = mtnorm("normalize", "--check", clean)
    assert r.returncode == 0 and r.stdout == b""


def test_only_and_skip(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("Read also: x\n\nThe OSDH said « no ».\n", encoding="utf-8")
    assert mtnorm("normalize", "--only", "glossary", f).stdout.decode() == "Read also: x\n\nThe SOHR said « no ».\n"
    assert mtnorm("normalize", "--skip", "glossary,boilerplate", f).stdout.decode() == \
        "Read also: x\n\nThe OSDH said \"no\".\n"
    r = mtnorm("normalize", "--only", "nonsense", f)
    assert r.returncode == 2 and b"unknown stage" in r.stderr


def test_output_dir_many_files(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("The OSDH said.\n", encoding="utf-8")
    b.write_text("In Idleb.\n", encoding="utf-8")
    out = tmp_path / "out"
    r = mtnorm("normalize", "-o", out, a, b)
    assert r.returncode == 0, r.stderr
    assert (out / "a.txt").read_text() == "The SOHR said.\n"
    assert (out / "b.txt").read_text() == "In Idlib.\n"
    assert a.read_text() == "The OSDH said.\n", "inputs are never modified"
    assert mtnorm("normalize", a, b).returncode == 2, "several inputs to stdout is a usage error"


@pytest.mark.parametrize("content,message", [
    (b"\x00\x01\x02binary\x00", b"binary data"),
    ("caf\u00e9 cr\u00e8me\n".encode("latin-1"), b"not valid UTF-8"),
    (b"", b"empty input"),
    (b"\n  \n", b"empty input"),
])
def test_bad_input_one_line_error(tmp_path, content, message):
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    r = mtnorm("normalize", f)
    assert r.returncode == 3
    assert r.stdout == b"", "no partial output"
    err = r.stderr.decode()
    assert message.decode() in err and str(f) in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_invalid_utf8_names_the_line(tmp_path):
    f = tmp_path / "late.txt"
    f.write_bytes(b"line one\nline two\nbad \xe9 here\n")
    r = mtnorm("normalize", f)
    assert r.returncode == 3 and b"late.txt:3:" in r.stderr and b"iconv" in r.stderr


def test_bad_file_among_good_ones_leaves_no_partial_output(tmp_path):
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text("In Idleb.\n", encoding="utf-8")
    bad.write_bytes(b"fine first line\n" * 1000 + b"\xff\n")
    out = tmp_path / "out"
    r = mtnorm("normalize", "-o", out, good, bad)
    assert r.returncode == 3
    assert (out / "good.txt").read_text() == "In Idlib.\n"
    assert not (out / "bad.txt").exists()
    assert [p.name for p in out.iterdir()] == ["good.txt"], "no temporary files left behind"


def test_missing_file(tmp_path):
    r = mtnorm("normalize", tmp_path / "nope.txt")
    assert r.returncode == 3 and b"no such file" in r.stderr


@pytest.mark.parametrize("tsv,message", [
    ("source\ttarget\nOSDH\tSOHR\nOSDH\tSOHR2\n", "duplicate source 'OSDH' (first at"),
    ("source\ttarget\nFoo\tBar\nBar\tFoo\n", "chain"),
    ("source\ttarget\tmatch\n(a+\tb\tregex\n", "bad regular expression"),
    ("src\ttarget\nFoo\tBar\n", "header lacks column(s) source"),
    ("source\ttarget\nFoo\t\n", "empty target"),
])
def test_malformed_glossary(tmp_path, tsv, message):
    g = tmp_path / "team.tsv"
    g.write_text(tsv, encoding="utf-8")
    r = mtnorm("normalize", "--no-shipped-glossary", "--glossary", g, SEED)
    err = r.stderr.decode()
    assert r.returncode == 3
    assert r.stdout == b""
    assert message in err and f"{g}:" in err
    assert "Traceback" not in err


def test_team_glossary_layer_overrides_explicitly(tmp_path):
    g = tmp_path / "team.tsv"
    g.write_text("source\ttarget\tstatus\nOSDH\tthe Observatory\toverride\n", encoding="utf-8")
    r = mtnorm("normalize", "--glossary", g, stdin=b"Said the OSDH.\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"Said the the Observatory.\n"
    g.write_text("source\ttarget\nOSDH\tthe Observatory\n", encoding="utf-8")
    r = mtnorm("normalize", "--glossary", g, stdin=b"Said the OSDH.\n")
    assert r.returncode == 3 and b"already defined at glossaries/" in r.stderr


def test_fast_path_imports_stay_light():
    code = ("import sys, runpy; sys.argv=['mtnorm','normalize','%s'];\n"
            "import normalize.cli as c\n"
            "import io, contextlib\n"
            "with contextlib.redirect_stdout(io.StringIO()): c.main(sys.argv[1:])\n"
            "heavy=[m for m in ('prefect','argostranslate','stanza','torch','ctranslate2','langdetect') "
            "if m in sys.modules]\n"
            "print(','.join(heavy))") % SEED
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=ENV)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""


def test_large_file_streams_in_bounded_memory(tmp_path):
    """A 100 MB input is normalized chunk by chunk: peak memory stays far below the file size."""
    para = ("The regime carried out a major offensive in Idleb between April and August 2019, "
            "according to the OSDH. ") * 8
    big = tmp_path / "big.txt"
    with open(big, "w", encoding="utf-8") as f:
        n = 0
        while f.tell() < 100 * 1024 * 1024:
            f.write("".join(f"{para}(report {n + i})\n\n" for i in range(1000)))
            n += 1000
    code = ("import resource, sys, subprocess\n"
            "r = subprocess.run([sys.executable, '-m', 'normalize', 'normalize', sys.argv[1]],"
            " stdout=open(sys.argv[2], 'wb'))\n"
            "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = tmp_path / "out.txt"
    r = subprocess.run([sys.executable, "-c", code, str(big), str(out)], capture_output=True,
                       text=True, cwd=ROOT, env=ENV)
    rc, maxrss_kb = map(int, r.stdout.split())
    assert rc == 0, r.stderr
    assert maxrss_kb < 200 * 1024, f"peak RSS {maxrss_kb / 1024:.0f} MB for a 100 MB input"
    with open(out, encoding="utf-8") as f:
        head = f.read(4096)
    assert "Idlib" in head and "SOHR" in head and "Idleb" not in head
    assert out.stat().st_size > 99 * 1024 * 1024
