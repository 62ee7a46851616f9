#!/usr/bin/env python3
"""End-to-end tests of the sigma-extract tool: the demo, its golden output,
exit statuses and error messages for bad configurations, and that the client
secret never appears in anything the tool prints.

Usage: run.py SIGMA_EXTRACT GOLDEN_DIR [--update]
"""
import json
import os
import re
import subprocess
import sys
import tempfile

TOOL, GOLDEN = sys.argv[1], sys.argv[2]
UPDATE = "--update" in sys.argv
failures = []
checks = 0


def run(*args, env=None, timeout=120):
    e = dict(os.environ)
    e.pop("SIGMA_CLIENT_SECRET", None)
    e.pop("SIGMA_CLIENT_ID", None)
    e.update(env or {})
    p = subprocess.run([TOOL, *args], capture_output=True, text=True, timeout=timeout, env=e)
    return p.returncode, p.stdout, p.stderr


def check(ok, what, detail=""):
    global checks
    checks += 1
    if not ok:
        failures.append(f"{what}\n{detail}")
        print(f"FAIL {what}")
    else:
        print(f"ok   {what}")


DEMO_SECRET_TEXT = "demo-client-secret"

# Every token fake_sigma issues (the demo, `simulate`) starts with one of these.
TOKEN_MARKS = ("fake-access-", "fake-refresh-")


def leaks(text, secrets):
    """The secrets and token marks found in `text` (empty: none)."""
    return [s for s in (*secrets, *TOKEN_MARKS) if s and s in text]


def read_file(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def run_scanned(what, args, secrets, expect_code, env=None, output=None):
    """Runs the tool with --verbose (and -o output when given), checks the exit
    status, and that no secret or token is in stdout, stderr or the output file."""
    if output is not None and os.path.exists(output):
        os.remove(output)
    extra = ["--verbose"] + (["-o", output] if output else [])
    code, out, err = run(*args, *extra, env=env)
    written = read_file(output) if output else ""
    check(code == expect_code, f"{what}: exit status {expect_code}", f"got {code}\n{out[-2000:]}{err[-3000:]}")
    places = [("stdout", out), ("stderr", err)] + ([("the output file", written)] if output else [])
    for where, text in places:
        found = leaks(text, secrets)
        check(not found, f"{what}: no secret or token in {where}", f"found {found}\n{text[-3000:]}")
    return code, out, err, written


def closed_port():
    """A loopback port nothing listens on."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def normalise(text):
    # The demo serves on an ephemeral port.
    return re.sub(r"http://127\.0\.0\.1:\d+", "http://127.0.0.1:PORT", text)


# --- the demo, end to end -------------------------------------------------
code, out, err = run("extract", "--demo")
check(code == 0, "extract --demo exits 0", err)
lines = out.splitlines()
records = []
for i, line in enumerate(lines):
    try:
        records.append(json.loads(line))
    except json.JSONDecodeError as e:
        check(False, f"line {i + 1} is JSON", str(e))
check(len(records) > 0, "extract --demo writes records")
paths = [r["path"] for r in records]
check(paths and paths[0] == "/api/v1/services/dashboardServices", "the service comes first", str(paths[:3]))
first_lineage = next((i for i, p in enumerate(paths) if p == "/api/v1/lineage"), len(paths))
check(all(p == "/api/v1/lineage" for p in paths[first_lineage:]), "lineage records come last")
check(all(r["method"] in ("PUT", "POST") for r in records), "every record names its method")
dash = [i for i, p in enumerate(paths) if p == "/api/v1/dashboards"]
charts = [i for i, p in enumerate(paths) if p == "/api/v1/charts"]
check(dash and charts and min(charts) < min(dash), "charts come before their dashboards")
check("summary" not in out and "workbooks," in err, "the summary goes to stderr, records to stdout", err)

golden = os.path.join(GOLDEN, "demo.openmetadata.jsonl")
if UPDATE:
    with open(golden, "w", encoding="utf-8") as f:
        f.write(normalise(out))
    print(f"updated {golden}")
else:
    with open(golden, encoding="utf-8") as f:
        expected = f.read()
    got = normalise(out)
    if got != expected:
        import difflib
        diff = "".join(difflib.unified_diff(expected.splitlines(True), got.splitlines(True), "golden", "output", n=1))
        check(False, "extract --demo equals the golden output (tests/tool/golden; run.py --update after a deliberate change)", diff[:4000])
    else:
        check(True, "extract --demo equals the golden output")

code, out2, _ = run("extract", "--demo")
check(normalise(out2) == normalise(out), "two runs give the same output (stable order)")

code, inv, err = run("extract", "--demo", "--format", "inventory", "-q")
check(code == 0 and json.loads(inv)["status"]["complete"] is True, "--format inventory gives the typed inventory", err)
check(err == "", "--quiet prints nothing on success", err)
code, dot, _ = run("extract", "--demo", "--format", "dot", "-q")
check(code == 0 and dot.startswith("digraph") and dot.rstrip().endswith("}"), "--format dot gives a Graphviz digraph")

# --- incremental runs (--state), --full, scope ------------------------------
with tempfile.TemporaryDirectory() as tmp:
    state = os.path.join(tmp, "sigma.state.json")
    code, first, err = run("extract", "--demo", "--state", state)
    check(code == 0 and os.path.exists(state), "--state: the first run writes the state file", err)
    check("no previous state" in err, "--state: the first run says it read everything", err[-800:])
    check(normalise(first) == normalise(out), "--state: the first run's output is the plain run's")
    code, second, err = run("extract", "--demo", "--state", state)
    check(code == 0, "--state: the second run exits 0", err)
    check(normalise(second) == normalise(out), "--state: an unchanged organisation gives the same output from the state",
          err[-800:])
    check("unchanged, from the state" in err, "--state: the summary counts what came from the state", err[-800:])
    with open(state, encoding="utf-8") as f:
        doc = json.load(f)
    check(doc.get("sigmaState") == 1 and doc.get("workbooks"), "--state: the file is versioned JSON with the workbooks")
    check(DEMO_SECRET_TEXT not in json.dumps(doc), "--state: the file holds no secret")
    with open(state, encoding="utf-8") as f:
        good_state = f.read()
    for what, text, needle in (("cut short", good_state[: len(good_state) // 2], "sigma.state.json"),
                               ("a newer format", good_state.replace('"sigmaState":1', '"sigmaState":7', 1), "format 7"),
                               ("edited", good_state.replace('"pageId":"', '"pageId":"x', 1), "digest")):
        with open(state, "w", encoding="utf-8") as f:
            f.write(text)
        code, o, err = run("extract", "--demo", "--state", state)
        check(code == 2 and o == "", f"--state: a state file {what} is refused with exit 2 and no output", err[-800:])
        check(needle in err and "--full" in err, f"--state: a state file {what}: the message names {needle!r} and --full",
              err[-800:])
        with open(state, encoding="utf-8") as f:
            check(f.read() == text, f"--state: a refused state file ({what}) is left as it was")
    code, o, err = run("extract", "--demo", "--state", state, "--full")
    check(code == 0 and normalise(o) == normalise(out), "--full: reads everything despite a bad state file", err[-800:])
    with open(state, encoding="utf-8") as f:
        check(json.load(f).get("sigmaState") == 1, "--full: the state file is rewritten after a complete run")
    code, _, err = run("extract", "--demo", "--full")
    check(code == 2 and "--state" in err, "--full without --state is refused", err)

    # Scope and switches: fewer records, fewer requests.
    code, o, err = run("extract", "--demo", "--skip-lineage")
    check(code == 0 and o.count('"/api/v1/lineage"') < out.count('"/api/v1/lineage"'),
          "--skip-lineage: fewer lineage records (only those of data model sources remain)", err[-800:])
    check(" 0 lineage edges" in err, "--skip-lineage: no lineage edges read", err[-800:])
    full_requests = int(re.search(r"(\d+) requests", run("extract", "--demo")[2]).group(1))
    skip_requests = int(re.search(r"(\d+) requests", err).group(1))
    check(skip_requests < full_requests, "--skip-lineage: fewer requests", f"{skip_requests} vs {full_requests}")
    demo_dashboards = [r for r in records if r["path"] == "/api/v1/dashboards"]
    one_id = demo_dashboards[0]["body"]["name"]
    code, o, err = run("extract", "--demo", "--workbook", one_id)
    got = [json.loads(line) for line in o.splitlines()]
    dashboards = [r["body"]["name"] for r in got if r["path"] == "/api/v1/dashboards"]
    check(code == 0 and dashboards == [one_id], "--workbook ID: only that workbook", str(dashboards))
    check("outside the scope" in err, "--workbook ID: the summary counts what was outside the scope", err[-800:])

DEMO_SECRET = "demo-client-secret"  # simulated_org::demo()'s credential
with tempfile.TemporaryDirectory() as tmp:
    for fmt in ("openmetadata", "inventory", "dot"):
        run_scanned(f"extract --demo --format {fmt} --verbose", ["extract", "--demo", "--format", fmt], [DEMO_SECRET], 0,
                    output=os.path.join(tmp, "demo.out"))
    run_scanned("test-connection --demo --verbose", ["test-connection", "--demo"], [DEMO_SECRET], 0)

code, out, err = run("test-connection", "--demo")
check(code == 0, "test-connection --demo passes", out + err)
for step in ("GetToken", "GetWorkbooks", "WhoAmI"):
    check(f"[PASS] {step}" in out, f"test-connection reports {step}", out)

with tempfile.TemporaryDirectory() as tmp:
    target = os.path.join(tmp, "out.jsonl")
    code, out, err = run("extract", "--demo", "--output", target, "-q")
    check(code == 0 and out == "" and os.path.getsize(target) > 0, "--output writes the file, nothing on stdout")

    # --- bad configurations: exit 2, the file, the key and the problem ---------
    SECRET = "s3cret-NEVER-PRINT-9f2b"

    def workflow(name, text):
        p = os.path.join(tmp, name)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return p

    def wf(config="", source="", host="https://aws-api.sigmacomputing.com"):
        return (
            "source:\n  type: sigma\n  serviceName: my_sigma\n  serviceConnection:\n    config:\n"
            f"      type: Sigma\n      hostPort: {host}\n      clientId: abc\n      clientSecret: {SECRET}\n{config}"
            f"  sourceConfig:\n    config:\n      type: DashboardMetadata\n{source}"
        )

    cases = [
        ("missing file", [os.path.join(tmp, "nope.yaml")], ["nope.yaml", "cannot be read"]),
        ("YAML syntax error", [workflow("syntax.yaml", "source: [unclosed\n")], ["syntax.yaml", "not valid YAML at line"]),
        ("JSON syntax error", [workflow("bad.json", '{"source": }')], ["bad.json", "not valid JSON"]),
        ("unknown connection key", [workflow("k.yaml", wf(config="      clientSecrt: x\n"))],
         ["k.yaml", "source.serviceConnection.config", "clientSecrt", "did you mean \"clientSecret\""]),
        ("http host", [workflow("h.yaml", wf(host="http://aws-api.sigmacomputing.com"))], ["h.yaml", "hostPort", "http://"]),
        ("host with a path", [workflow("p.yaml", wf(host="https://aws-api.sigmacomputing.com/api/x"))], ["p.yaml", "hostPort", "has a path"]),
        ("non-URL host", [workflow("u.yaml", wf(host="not-a-url"))], ["u.yaml", "hostPort", "not an absolute URL"]),
        ("bad regex", [workflow("r.yaml", wf(source="      dashboardFilterPattern:\n        includes: ['(unclosed']\n"))],
         ["r.yaml", "dashboardFilterPattern.includes[0]", "invalid regular expression"]),
        ("wrong type", [workflow("t.yaml", wf(source="      includeOwners: maybe\n"))], ["t.yaml", "includeOwners", "expected true or false"]),
        ("unknown source key", [workflow("s.yaml", wf(source="      includeOwner: true\n"))], ["s.yaml", "includeOwner", "did you mean \"includeOwners\""]),
        ("missing secret", [workflow("m.yaml", "source:\n  serviceConnection:\n    config:\n      clientId: abc\n")],
         ["m.yaml", "clientSecret", "missing"]),
        ("no section", [workflow("e.yaml", "sink: {}\n")], ["e.yaml", "source"]),
    ]

    # More of issue 7's table: empty and missing fields, wrong types, a bad
    # regex in each pattern list, unknown keys (YAML and JSON), unreadable,
    # empty and non-UTF-8 files. Each names the file, the key path and the problem.
    CFG, SRC = "source.serviceConnection.config", "source.sourceConfig.config"

    def workflow_bytes(name, data):
        p = os.path.join(tmp, name)
        with open(p, "wb") as f:
            f.write(data)
        return p

    def wf_with(source="", top="", **conn):
        """A YAML workflow; connection fields given as YAML text, None leaves one out."""
        fields = {"type": "Sigma", "hostPort": "https://aws-api.sigmacomputing.com", "clientId": "abc",
                  "clientSecret": SECRET}
        fields.update(conn)
        config = "".join(f"      {k}: {v}\n" for k, v in fields.items() if v is not None)
        return ("source:\n  type: sigma\n  serviceName: my_sigma\n  serviceConnection:\n    config:\n" + config +
                "  sourceConfig:\n    config:\n      type: DashboardMetadata\n" + source + top)

    def wf_json(source=None, top=None, conn=None):
        doc = {"source": {"type": "sigma", "serviceName": "my_sigma",
                          "serviceConnection": {"config": {"type": "Sigma", "hostPort": "https://aws-api.sigmacomputing.com",
                                                           "clientId": "abc", "clientSecret": SECRET, **(conn or {})}},
                          "sourceConfig": {"config": {"type": "DashboardMetadata", **(source or {})}}},
               **(top or {})}
        return json.dumps(doc, indent=2)

    om = "workflowConfig:\n  openMetadataServerConfig:\n"
    cases += [
        # empty and missing fields
        ("empty clientId", [workflow("ec.yaml", wf_with(clientId='""'))], ["ec.yaml", f"{CFG}.clientId", "must not be empty"]),
        ("empty clientSecret", [workflow("es.yaml", wf_with(clientSecret='""'))], ["es.yaml", f"{CFG}.clientSecret", "must not be empty"]),
        ("empty hostPort", [workflow("eh.yaml", wf_with(hostPort='""'))], ["eh.yaml", f"{CFG}.hostPort", "not an absolute URL"]),
        ("clientId without a value", [workflow("nc.yaml", wf_with(clientId=""))], ["nc.yaml", f"{CFG}.clientId", "expected string, got null"]),
        ("missing clientId", [workflow("mc.yaml", wf_with(clientId=None))], ["mc.yaml", f"{CFG}.clientId", "missing"]),
        ("empty serviceName", [workflow("en.yaml", wf_with().replace("serviceName: my_sigma", 'serviceName: ""'))],
         ["en.yaml", "source.serviceName", "expected a non-empty string"]),
        ("malformed apiVersion", [workflow("av.yaml", wf_with(apiVersion="v2beta"))], ["av.yaml", f"{CFG}.apiVersion", "is not a version"]),
        ("wrong connection type", [workflow("ct.yaml", wf_with(type="Tableau"))], ["ct.yaml", f"{CFG}.type", 'must be "Sigma"']),
        ("wrong source type", [workflow("st.yaml", wf_with().replace("type: sigma", "type: looker"))], ["st.yaml", "source.type", "must be sigma"]),
        # wrong types
        ("hostPort is a list", [workflow("hl.yaml", wf_with(hostPort="[a, b]"))], ["hl.yaml", f"{CFG}.hostPort", "expected string, got array"]),
        ("apiVersion is a list", [workflow("al.yaml", wf_with(apiVersion="[v2]"))], ["al.yaml", f"{CFG}.apiVersion", "expected string, got array"]),
        ("apiVersion is a number", [workflow("an.yaml", wf_with(apiVersion="2"))], ["an.yaml", f"{CFG}.apiVersion", "expected string, got number"]),
        ("clientSecret is a mapping", [workflow("sm.yaml", wf_with(clientSecret=f"{{value: {SECRET}}}"))],
         ["sm.yaml", f"{CFG}.clientSecret", "expected string, got object"]),
        ("a string for a boolean", [workflow("sb.yaml", wf_with(source='      includeTags: "yes"\n'))],
         ["sb.yaml", f"{SRC}.includeTags", "expected true or false, got string"]),
        ("a number for a boolean", [workflow("nb.yaml", wf_with(source="      includeDataModels: 1\n"))],
         ["nb.yaml", f"{SRC}.includeDataModels", "expected true or false, got number"]),
        ("a number for a pattern list", [workflow("pl.yaml", wf_with(source="      dashboardFilterPattern:\n        includes: 5\n"))],
         ["pl.yaml", f"{SRC}.dashboardFilterPattern.includes", "expected a list of regular expressions, got number"]),
        ("a number in a pattern list", [workflow("pn.yaml", wf_with(source="      projectFilterPattern:\n        excludes: [5]\n"))],
         ["pn.yaml", f"{SRC}.projectFilterPattern.excludes[0]", "expected a string (a regular expression), got number"]),
        ("a number for a filter pattern", [workflow("pf.yaml", wf_with(source="      chartFilterPattern: 5\n"))],
         ["pf.yaml", f"{SRC}.chartFilterPattern", "expected an object with includes and excludes, got number"]),
        ("unknown key in a filter pattern", [workflow("pk.yaml", wf_with(source="      dataModelFilterPattern:\n        include: [x]\n"))],
         ["pk.yaml", f"{SRC}.dataModelFilterPattern.include", "unknown key"]),
        ("a list for dbServicePrefix", [workflow("dp.yaml", wf_with(source="      dbServicePrefix: [a]\n"))],
         ["dp.yaml", f"{SRC}.dbServicePrefix", "expected a string", "got array"]),
        ("source is a list", [workflow("sl.yaml", "source: []\n")], ["sl.yaml", "source", "expected an object, got array"]),
        ("serviceConnection is a string", [workflow("cs.yaml", "source:\n  serviceConnection: x\n")],
         ["cs.yaml", "source.serviceConnection", "expected an object", "got string"]),
        ("sourceConfig.config is a list", [workflow("sc.json", json.dumps(
            {"source": {"serviceConnection": {"config": {"clientId": "abc", "clientSecret": SECRET}}, "sourceConfig": {"config": [1]}}}))],
         ["sc.json", SRC, "expected an object, got array"]),
        ("OpenMetadata hostPort is a number", [workflow("oh.yaml", wf_with(top=om + "    hostPort: 8585\n"))],
         ["oh.yaml", "workflowConfig.openMetadataServerConfig.hostPort", "expected a string", "got number"]),
        ("jwtToken is a list", [workflow("oj.yaml", wf_with(top=om + "    securityConfig:\n      jwtToken: [x]\n"))],
         ["oj.yaml", "workflowConfig.openMetadataServerConfig.securityConfig.jwtToken", "expected a string, got array"]),
        # unknown keys, YAML and JSON
        ("unknown top-level key", [workflow("tk.yaml", wf_with(top="sinc:\n  type: metadata-rest\n"))],
         ["tk.yaml", "sinc", "unknown key", 'did you mean "sink"']),
        ("unknown key under source", [workflow("sk.yaml", wf_with().replace("serviceName:", "serviceNmae:"))],
         ["sk.yaml", "source.serviceNmae", "unknown key", 'did you mean "serviceName"']),
        ("unknown top-level key (JSON)", [workflow("tk.json", wf_json(top={"workflowConfg": {}}))],
         ["tk.json", "workflowConfg", "unknown key", 'did you mean "workflowConfig"']),
        ("unknown source key (JSON)", [workflow("sk.json", wf_json(source={"includeTag": True}))],
         ["sk.json", f"{SRC}.includeTag", "unknown key", 'did you mean "includeTags"']),
        ("unknown connection key (JSON)", [workflow("ck.json", wf_json(conn={"apiVersoin": "v2"}))],
         ["ck.json", f"{CFG}.apiVersoin", "unknown key", 'did you mean "apiVersion"']),
        ("wrong type (JSON)", [workflow("wt.json", wf_json(source={"includeOwners": "true"}))],
         ["wt.json", f"{SRC}.includeOwners", "expected true or false, got string"]),
        ("a NUL in a connection key (JSON)", [workflow("nulkey.json", wf_json(conn={"\u0000Id": "x"}))],
         ["nulkey.json", f"{CFG}.\\x00Id", "unknown key"]),
        ("a repetition count too large for the regex compiler",
         [workflow("rehuge.yaml", wf_with(source="      chartFilterPattern:\n        includes: ['a{18446744073709551616}']\n"))],
         ["rehuge.yaml", f"{SRC}.chartFilterPattern.includes[0]", "invalid regular expression", "more than 9 digits"]),
        ("a terminal escape in a key (JSON)", [workflow("esc.json", wf_json(top={"\u001b[2Jsorce": {}}))],
         ["esc.json", "\\x1B[2Jsorce", "unknown key"]),
        # unreadable, empty, not UTF-8 text (CI runs as root: chmod 000 would still be readable)
        ("a directory as the file", [os.path.join(tmp, "dir.yaml")], ["dir.yaml", "cannot be read", "is a directory"]),
        ("a path under a regular file", [os.path.join(workflow("plain.txt", "x\n"), "wf.yaml")],
         ["plain.txt/wf.yaml", "cannot be read", "Not a directory"]),
        ("empty file", [workflow("empty.yaml", "")], ["empty.yaml", "is empty"]),
        ("blank JSON file", [workflow("blank.json", "  \n\n")], ["blank.json", "is empty"]),
        ("only a comment", [workflow("comment.yaml", "# source: none yet\n")], ["comment.yaml", "is empty"]),
        ("a NUL byte", [workflow_bytes("nul.yaml", wf_with().replace("my_sigma", "my\0sigma").encode())],
         ["nul.yaml", "NUL byte", "line 3, column 18"]),
        ("a NUL byte (JSON)", [workflow_bytes("nul.json", b'{"source":\n {"type": "sig\0ma"}}')], ["nul.json", "NUL byte", "line 2"]),
        ("not UTF-8 (Latin-1)", [workflow_bytes("latin1.yaml", wf_with().replace("my_sigma", "caf\u00e9").encode("latin-1"))],
         ["latin1.yaml", "not UTF-8", "0xE9", "line 3, column 19"]),
        ("UTF-16", [workflow_bytes("utf16.yaml", wf_with().encode("utf-16"))], ["utf16.yaml", "UTF-16"]),
        ("YAML aliases expanding to millions of values", [workflow("bomb.yaml", "sink:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 8)))], ["bomb.yaml", "YAML aliases"]),
        # syntax errors give a position
        ("YAML indentation error", [workflow("indent.yaml", "source:\n  type: sigma\n serviceName: x\n")],
         ["indent.yaml", "not valid YAML at line 3, column"]),
        ("JSON syntax error on line 3", [workflow("l3.json", '{\n  "source": {\n    "serviceName": ,\n  }\n}\n')],
         ["l3.json", "not valid JSON at line 3, column 20"]),
    ]
    os.mkdir(os.path.join(tmp, "dir.yaml"))
    patterns = ("dashboardFilterPattern", "chartFilterPattern", "dataModelFilterPattern", "projectFilterPattern")
    for i, (pattern, bad) in enumerate(zip(patterns, ("(unclosed", "[unclosed", "a{2,1}", "*x"))):
        for lst, items, index in (("includes", f"['{bad}']", 0), ("excludes", f"['^ok', '{bad}']", 1)):
            name = f"re{i}{lst[0]}.yaml"
            cases.append((f"bad regex in {pattern}.{lst}",
                          [workflow(name, wf_with(source=f"      {pattern}:\n        {lst}: {items}\n"))],
                          [name, f"{SRC}.{pattern}.{lst}[{index}]", "invalid regular expression"]))
    for what, files, needles in cases:
        for cmd in ("extract", "test-connection"):
            code, out, err = run(cmd, "--config", files[0])
            text = out + err
            check(code == 2, f"{cmd}: {what}: exit status 2", text)
            for n in needles:
                check(n in text, f"{cmd}: {what}: the message names {n!r}", text)
            check(SECRET not in text, f"{cmd}: {what}: the secret is not echoed", text)
            check(not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text), f"{cmd}: {what}: no raw control character", repr(text))

    # Bad settings given as flags: the "file" is the command line.
    good_wf = workflow("good-flags.yaml", wf())
    for what, args, needles in (
        ("--host http://", ["--host", "http://aws-api.sigmacomputing.com", "--client-id", "abc"],
         ["command line", "hostPort", "uses http://"]),
        ("--host with a path", ["--host", "https://h/path", "--client-id", "abc"], ["command line", "hostPort", "has a path"]),
        ("--host not a URL", ["--host", "aws-api.sigmacomputing.com", "--client-id", "abc"],
         ["command line", "hostPort", "not an absolute URL"]),
        ("--api-version malformed", ["--host", "https://aws-api.sigmacomputing.com", "--client-id", "abc", "--api-version", "2"],
         ["command line", "apiVersion", "is not a version"]),
        # CLI11 rejects it before any configuration is read; its message names the flag and the range.
        ("--concurrency 0", ["--config", good_wf, "--concurrency", "0"], ["command line", "--concurrency", "0", "range"]),
    ):
        for cmd in ("extract", "test-connection"):
            code, out, err = run(cmd, *args, env={"SIGMA_CLIENT_SECRET": SECRET})
            text = out + err
            check(code == 2, f"{cmd}: {what}: exit status 2", text)
            for n in needles:
                check(n in text, f"{cmd}: {what}: the message names {n!r}", text)
            check(SECRET not in text, f"{cmd}: {what}: the secret is not echoed", text)

    # The same errors under --verbose, with an output file: exit 2, and the
    # secret in none of stdout, stderr and the file.
    out_file = os.path.join(tmp, "bad-config.out")
    for what, name, text in (
        ("unknown connection key", "vk.yaml", wf(config="      clientSecrt: x\n")),
        ("unknown source key", "vs.yaml", wf(source="      includeOwner: true\n")),
        ("wrong type", "vt.yaml", wf(source="      includeOwners: maybe\n")),
        ("wrong type of a connection key", "vc.yaml", wf(config="      apiVersion: [v2]\n")),
    ):
        path = workflow(name, text)
        run_scanned(f"extract --verbose: bad config ({what})", ["extract", "--config", path], [SECRET], 2, output=out_file)
        run_scanned(f"test-connection --verbose: bad config ({what})", ["test-connection", "--config", path], [SECRET], 2)

    # Credentials from flags and the environment.
    code, out, err = run("extract", "--host", "https://aws-api.sigmacomputing.com", "--client-id", "abc")
    check(code == 2 and "SIGMA_CLIENT_SECRET" in err, "--host without SIGMA_CLIENT_SECRET is refused", err)
    code, out, err = run("extract")
    check(code == 2 and "--config" in err, "no configuration at all is refused with advice", err)
    code, out, err = run("extract", "--demo", "--format", "xml")
    check(code == 2 and "--format" in err, "an unknown format is refused", err)

    # A host that does not answer (a closed loopback port): the run fails (2)
    # after the client's retries, names the problem, and under --verbose prints
    # the secret nowhere, output file included.
    closed = f"https://127.0.0.1:{closed_port()}"
    _, out, err, _ = run_scanned("test-connection --verbose: bad host (a closed loopback port)",
                                 ["test-connection", "--host", closed, "--client-id", "abc"], [SECRET], 2,
                                 env={"SIGMA_CLIENT_SECRET": SECRET})
    check("[FAIL] GetToken" in out, "test-connection to a closed port fails GetToken", out + err)
    _, _, err, _ = run_scanned("extract --verbose: bad host (a closed loopback port)",
                               ["extract", "--host", closed, "--client-id", "abc"], [SECRET], 2,
                               env={"SIGMA_CLIENT_SECRET": SECRET}, output=os.path.join(tmp, "closed.out"))
    check(closed.removeprefix("https://") in err, "a closed port: the message names the host", err[-2000:])


# --- --push: a simulated Sigma over HTTPS, a fake OpenMetadata server over HTTP ----
import http.server
import signal
import threading
import urllib.parse


class FakeOpenMetadata:
    """Just enough of OpenMetadata's API for --push: PUT create-or-update by FQN
    answering an id, users by email (search), tables by FQN, lineage between
    known ids, the Bearer JWT."""

    def __init__(self, jwt, users):
        self.jwt = jwt
        self.users = dict(users)  # email -> id
        self.ids = {}             # (type, fqn) -> id
        self.known = set(self.users.values())
        self.edges = set()
        self.puts = []
        self.lock = threading.Lock()

    def put_entity(self, kind, fqn):
        with self.lock:
            if (kind, fqn) not in self.ids:
                self.ids[(kind, fqn)] = f"00000000-0000-4000-8000-{len(self.ids) + 1:012d}"
                self.known.add(self.ids[(kind, fqn)])
            return self.ids[(kind, fqn)]


def quote_part(n):
    return f'"{n}"' if "." in n and '"' not in n else n


def om_handler(om):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, obj):
            body = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def authorised(self):
            if self.headers.get("Authorization") != "Bearer " + om.jwt:
                self.reply(401, {"code": 401, "message": "Not Authorized! Token verification failed"})
                return False
            return True

        def do_GET(self):
            if not self.authorised():
                return
            u = urllib.parse.urlsplit(self.path)
            q = urllib.parse.parse_qs(u.query)
            if u.path == "/api/v1/search/query":
                email = q["q"][0].split(":", 1)[1].replace("\\", "")
                hits = [{"_source": {"id": om.users[email], "email": email}}] if email in om.users else []
                self.reply(200, {"hits": {"total": {"value": len(hits)}, "hits": hits}})
            elif u.path.startswith("/api/v1/tables/name/"):
                fqn = urllib.parse.unquote(u.path[len("/api/v1/tables/name/"):])
                self.reply(200, {"id": om.put_entity("table", fqn), "fullyQualifiedName": fqn})
            else:
                self.reply(404, {"code": 404, "message": "not found"})

        def do_PUT(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            if not self.authorised():
                return
            path = urllib.parse.urlsplit(self.path).path
            om.puts.append(path)
            if path == "/api/v1/lineage":
                ends = [body["edge"][k].get("id") for k in ("fromEntity", "toEntity")]
                if not all(e in om.known for e in ends):
                    self.reply(404, {"code": 404, "message": "entity not found"})
                    return
                om.edges.add(tuple(ends))
                self.reply(200, {})
                return
            for o in body.get("owners") or []:
                if o.get("id") not in om.known or "email" in o:
                    self.reply(400, {"code": 400, "message": "bad owner reference"})
                    return
            name, svc = body["name"], body.get("service", "")
            kinds = {"/api/v1/charts": ("chart", f"{quote_part(svc)}.{quote_part(name)}"),
                     "/api/v1/dashboards": ("dashboard", f"{quote_part(svc)}.{quote_part(name)}"),
                     "/api/v1/dashboard/datamodels": ("dashboardDataModel", f"{quote_part(svc)}.model.{quote_part(name)}")}
            kind, fqn = kinds.get(path, (path, quote_part(name)))
            self.reply(201, {"id": om.put_entity(kind, fqn), "fullyQualifiedName": fqn, "name": name})

    return Handler


with open(golden, encoding="utf-8") as f:
    demo_records = [json.loads(line) for line in f]
emails = sorted({o["email"] for r in demo_records for o in (r["body"].get("owners") or [])})
JWT = "eyJhbGciOiJSUzI1NiJ9.tool-test-NEVER-PRINT.c2ln"

with tempfile.TemporaryDirectory() as tmp:
    sim = subprocess.Popen([os.path.abspath(TOOL), "simulate", "--tls"], cwd=tmp, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True)
    settings = {}
    for line in sim.stdout:
        if ":" in line and line.startswith("  "):
            k, v = line.strip().split(":", 1)
            settings[k.strip()] = v.strip().split()[0] if v.strip() else ""
        if line.startswith("Press Ctrl-C"):
            break
    om = FakeOpenMetadata(JWT, {e: f"11111111-0000-4000-8000-{i:012d}" for i, e in enumerate(emails[1:])})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), om_handler(om))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        def push_workflow(name, jwt, om_host=f"http://127.0.0.1:{server.server_port}/api"):
            p = os.path.join(tmp, name)
            om_cfg = ""
            if om_host:
                om_cfg = (f"workflowConfig:\n  openMetadataServerConfig:\n    hostPort: {om_host}\n"
                          f"    authProvider: openmetadata\n    securityConfig:\n      jwtToken: {jwt}\n")
            with open(p, "w", encoding="utf-8") as f:
                f.write("source:\n  type: sigma\n  serviceName: sigma_demo\n  serviceConnection:\n    config:\n"
                        f"      type: Sigma\n      hostPort: {settings['hostPort']}\n      clientId: {settings['clientId']}\n"
                        f"      clientSecret: {settings['clientSecret']}\n"
                        "  sourceConfig:\n    config:\n      type: DashboardMetadata\n" + om_cfg)
            return p

        ca = os.path.join(tmp, "sigma-simulate-ca.pem")
        real_secret = settings["clientSecret"]

        # The simulated server, with its own secret: a clean run under --verbose
        # prints neither the secret nor a token.
        good = push_workflow("good.yaml", JWT, om_host=None)
        run_scanned("extract --verbose against simulate", ["extract", "--config", good, "--ca-file", ca], [real_secret], 0,
                    output=os.path.join(tmp, "good.jsonl"))
        run_scanned("test-connection --verbose against simulate", ["test-connection", "--config", good, "--ca-file", ca],
                    [real_secret], 0)

        # Deletions through the tool: a workbook the filter now leaves out is
        # soft-deleted, charts first; markDeletedDashboards: false writes none.
        with open(good, encoding="utf-8") as f:
            good_text = f.read()
        state_file = os.path.join(tmp, "sim.state.json")
        code, o, err = run("extract", "--config", good, "--ca-file", ca, "--state", state_file)
        check(code == 0, "--state against simulate: the first run", err[-800:])
        first_dash = [json.loads(line) for line in o.splitlines() if '"/api/v1/dashboards"' in line][0]["body"]
        pattern = "^" + "".join("\\" + c if c in "\\^$.|?*+()[]{}" else c for c in first_dash["displayName"]) + "$"

        def filtered_workflow(name, extra=""):
            p = os.path.join(tmp, name)
            with open(p, "w", encoding="utf-8") as f:
                f.write(good_text + "      dashboardFilterPattern:\n        excludes: ['" + pattern.replace("'", "''") +
                        "']\n" + extra)
            return p

        import shutil
        shutil.copy(state_file, state_file + ".first")
        code, o, err = run("extract", "--config", filtered_workflow("filtered.yaml"), "--ca-file", ca, "--state", state_file,
                           "--verbose")
        deletes = [json.loads(line) for line in o.splitlines() if line.startswith('{"method":"DELETE"')]
        check(code == 0 and any(d["path"].startswith("/api/v1/dashboards/name/") and first_dash["name"] in d["path"]
                                for d in deletes), "a workbook filtered out since the last run is soft-deleted",
              err[-1500:])
        check(all(d["path"].endswith("?hardDelete=false") for d in deletes) and o.splitlines()[-1].startswith('{"method":"DELETE"'),
              "soft deletes come last, hardDelete=false", str(deletes[:3]))
        check("deleted: workbook " + first_dash["name"] in err and "dashboardFilterPattern" in err,
              "--verbose names each deletion and its reason", err[-1500:])
        shutil.copy(state_file + ".first", state_file)
        code, o, err = run("extract", "--config", filtered_workflow("nodelete.yaml", "      markDeletedDashboards: false\n"),
                           "--ca-file", ca, "--state", state_file)
        check(code == 0 and '"DELETE"' not in o and " deleted" in err,
              "markDeletedDashboards: false writes no soft delete (the report still counts them)", err[-800:])

        # A secret the server refuses: exit 2, says why, prints no secret.
        WRONG = "wrong-secret-NEVER-PRINT-41c7"
        with open(good, encoding="utf-8") as f:
            bad_text = f.read().replace(f"clientSecret: {real_secret}", f"clientSecret: {WRONG}")
        check(WRONG in bad_text, "the bad-secret workflow names the wrong secret")
        bad = os.path.join(tmp, "bad-secret.yaml")
        with open(bad, "w", encoding="utf-8") as f:
            f.write(bad_text)
        _, _, err, _ = run_scanned("extract --verbose: bad secret (the server refuses)",
                                   ["extract", "--config", bad, "--ca-file", ca], [WRONG, real_secret], 2,
                                   output=os.path.join(tmp, "bad-secret.jsonl"))
        check("401" in err and "clientSecret" in err, "a refused secret: the message says 401 and names clientSecret", err[-2000:])
        _, out, err, _ = run_scanned("test-connection --verbose: bad secret (the server refuses)",
                                     ["test-connection", "--config", bad, "--ca-file", ca], [WRONG, real_secret], 2)
        check("[FAIL] GetToken" in out, "test-connection with a refused secret fails GetToken", out + err)
        run_scanned("extract --verbose: bad secret from the environment",
                    ["extract", "--host", settings["hostPort"], "--client-id", settings["clientId"], "--ca-file", ca],
                    [WRONG, real_secret], 2, env={"SIGMA_CLIENT_SECRET": WRONG})

        code, out, err = run("extract", "--config", push_workflow("push.yaml", JWT), "--ca-file", ca, "--push", "--verbose")
        text = out + err
        check(code == 0, "extract --push exits 0", text[-3000:])
        check(out == "", "--push writes nothing on stdout", out[:500])
        by_path = {}
        for r in demo_records:
            by_path[r["path"]] = by_path.get(r["path"], 0) + 1
        for path in ("/api/v1/charts", "/api/v1/dashboards", "/api/v1/dashboard/datamodels"):
            check(om.puts.count(path) == by_path.get(path, 0), f"--push sends every {path} record",
                  f"{om.puts.count(path)} of {by_path.get(path, 0)}")
        check(len(om.edges) == by_path.get("/api/v1/lineage", 0), "--push sends every lineage edge with ids",
              f"{len(om.edges)} of {by_path.get('/api/v1/lineage', 0)}")
        check(f"{len(demo_records)} of {len(demo_records)} records sent" in err, "the push summary counts every record", err[-1500:])
        check("unresolved: " in err and emails[0] in err, "an unknown owner is reported, not fatal", err[-1500:])
        check(JWT not in text and "NEVER-PRINT" not in text, "--push never prints the JWT")
        check(not leaks(text, [real_secret]), "--push --verbose prints no secret or token", str(leaks(text, [real_secret])))

        code, out, err = run("extract", "--config", push_workflow("bad-jwt.yaml", "wrong-token"), "--ca-file", ca, "--push")
        check(code == 2 and "401" in err and "jwtToken" in err, "--push with a refused JWT stops with exit 2 and says why", err[-1500:])
        check("wrong-token" not in out + err, "a refused JWT is not printed")

        code, out, err = run("extract", "--config", push_workflow("no-om.yaml", JWT, om_host=None), "--ca-file", ca, "--push")
        check(code == 2 and "openMetadataServerConfig.hostPort" in err, "--push without an OpenMetadata server names the key", err)
        code, out, err = run("extract", "--demo", "--push")
        check(code == 2 and "hostPort" in err, "--push with --demo (no workflow file) is refused with advice", err)
    finally:
        server.shutdown()
        sim.send_signal(signal.SIGINT)
        try:
            sim.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sim.kill()

# --- record and replay (extract --record / --replay, anonymise) ----------------
with tempfile.TemporaryDirectory() as tmp:
    snap = os.path.join(tmp, "demo.snapshot")
    code, recorded, err = run("extract", "--demo", "--record", snap)
    check(code == 0 and len(recorded) > 0, "extract --demo --record exits 0 and writes the records", err[-2000:])
    check(f"exchanges in {snap}" in err, "--record says how many exchanges it wrote, and where", err[-1000:])
    snap_text = read_file(snap)
    check(snap_text.startswith('{"sigmaSnapshot":1,'), "--record writes a snapshot with its header", snap_text[:300])
    found = leaks(snap_text, [DEMO_SECRET])
    check(not found, "the snapshot holds neither the secret nor a token", str(found))
    check("Authorization" not in snap_text and "Bearer" not in snap_text, "the snapshot holds no Authorization header")

    code, replayed, err = run("extract", "--replay", snap)
    check(code == 0, "extract --replay exits 0", err[-2000:])
    if replayed != recorded:
        import difflib
        diff = "".join(difflib.unified_diff(recorded.splitlines(True), replayed.splitlines(True), "recorded", "replayed", n=1))
        check(False, "extract --replay prints exactly what the recorded run printed", diff[:4000])
    else:
        check(True, "extract --replay prints exactly what the recorded run printed")
    code, replayed8, _ = run("extract", "--replay", snap, "--concurrency", "1", "-q")
    check(code == 0 and replayed8 == recorded, "extract --replay --concurrency 1: the same output again")

    anon = os.path.join(tmp, "demo.anonymised.snapshot")
    code, out, err = run("anonymise", snap, "-o", anon)
    check(code == 0 and out == "" and os.path.getsize(anon) > 0, "anonymise SNAPSHOT -o FILE writes the file", err)
    anon_text = read_file(anon)
    code, again, _ = run("anonymise", snap, "-q")
    check(code == 0 and again == anon_text, "anonymising twice gives the same snapshot (stdout without -o)")
    names, emails = set(), set()
    for line in recorded.splitlines():
        body = json.loads(line).get("body")
        if isinstance(body, dict):
            if isinstance(body.get("displayName"), str):
                names.add(body["displayName"])
            for o in body.get("owners") or []:
                if isinstance(o, dict) and "email" in o:
                    emails.add(o["email"])
    check(len(names) > 10 and len(emails) > 1, "the demo has names and owners to hide", f"{names} {emails}")
    # Whole names as JSON strings (single words may occur inside ids), emails anywhere.
    left = [n for n in names if json.dumps(n) in anon_text or (" " in n and n in anon_text)]
    left += [e for e in emails if e in anon_text]
    left += [w for w in ("acme.example", "sigmacomputing.com", "SELECT * FROM DB") if w in anon_text]
    check(not left, "the anonymised snapshot holds none of the names, emails, URLs or SQL", str(left))
    code, out_a, err = run("extract", "--replay", anon)
    check(code == 0, "extract --replay of the anonymised snapshot exits 0", err[-2000:])
    check(len(out_a.splitlines()) == len(recorded.splitlines()),
          "the anonymised snapshot replays to the same number of records",
          f"{len(out_a.splitlines())} of {len(recorded.splitlines())}")
    check(not any(e in out_a for e in emails), "the anonymised replay's records name no real owner")

    missing = os.path.join(tmp, "missing.snapshot")
    code, out, err = run("extract", "--replay", missing)
    check(code == 2 and missing in err and out == "", "--replay of a missing file: exit 2, the file named", err)
    garbage = os.path.join(tmp, "garbage.snapshot")
    with open(garbage, "w", encoding="utf-8") as f:
        f.write("this is not a snapshot\n")
    code, out, err = run("extract", "--replay", garbage)
    check(code == 2 and f"{garbage}:1: not JSON" in err, "--replay of a garbage file: exit 2, file and line named", err)
    future = os.path.join(tmp, "future.snapshot")
    with open(future, "w", encoding="utf-8") as f:
        f.write('{"sigmaSnapshot": 99}\n')
    code, out, err = run("extract", "--replay", future)
    check(code == 2 and f"{future}:1: sigmaSnapshot 99" in err, "--replay of a newer format: exit 2, says so", err)
    code, out, err = run("anonymise", garbage, "-o", os.path.join(tmp, "x.snapshot"))
    check(code == 2 and garbage in err, "anonymise of a garbage file: exit 2, the file named", err)
    code, out, err = run("extract", "--demo", "--replay", snap)
    check(code == 2 and "--demo" in err, "--replay with --demo is refused", err)
    code, out, err = run("extract", "--demo", "--record", os.path.join(tmp, "no-such-dir", "x.snapshot"))
    check(code == 2 and "no-such-dir" in err, "--record into a directory that does not exist: exit 2, the file named", err)

print(f"{checks - len(failures)} passed, {len(failures)} failed")
if failures:
    print("\n\n".join(failures), file=sys.stderr)
    sys.exit(1)
