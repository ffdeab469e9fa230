#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora, tests/fuzz/corpus/<target>/, from the
sample plan (daemon/store/sample/), the tests' fixtures (tests/fixtures/) and
hostile cases. The output is committed; run this again after changing it
(it replaces only the files it names, and removes nothing else):

    tests/fuzz/make_corpus.py

Each target's input format is described at the top of tests/fuzz/<target>.cpp.
The largest seed is the 30,000-deep `[` nesting (30 KB); nothing here needs megabytes.
"""
import hashlib
import json
import pathlib
import struct

ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "daemon/store/sample"
FIXTURES = ROOT / "tests/fixtures"
OUT = ROOT / "tests/fuzz/corpus"
DEEP = 30000
RS = b"\x1e"
TOKEN = "fuzz-token-0123456789"  # DaemonFixture::kToken; inside a frame, where {TOKEN} would change its length  # merge_file's separator between base, ours and theirs


def write(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    folder = OUT / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def sample(path):
    return (SAMPLE / path).read_bytes()


def plan_files(root):
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path.relative_to(root).as_posix(), path.read_bytes()


def slug(path):
    return path.replace("/", "_").replace(".", "_")


DELGADO = sample("letters/delgado-consult.md")
ASKED = b'  - {date: 2026-08-12, event: asked, via: email, note: "He was off service my last two days, so I asked by email."}\n'


def letter(front, body="Notes.\n"):
    return ("---\n" + front + "---\n" + body).encode()


def plan_load():
    # The whole sample plan, then one file of each kind from each fixture.
    for path, text in plan_files(SAMPLE):
        if path.endswith(".md") and not path.startswith("packet/") or path == "plan.yaml":
            write("plan_load", "sample_" + slug(path), path.encode() + b"\n" + text)
    for fixture in ("strong", "thin", "weak"):
        seen = set()
        for path, text in plan_files(FIXTURES / fixture):
            folder = path.split("/")[0]
            if folder in seen or path.startswith("packet/"):
                continue
            seen.add(folder)
            write("plan_load", f"fixture_{fixture}_{slug(path)}", path.encode() + b"\n" + text)
    hostile = {
        "deep_brackets_letter": b"letters/deep.md\n---\nwriter: " + b"[" * DEEP + b"\n---\n",
        "deep_brackets_plan": b"plan.yaml\n" + b"[" * DEEP + b"\n",
        "deep_braces_plan": b"plan.yaml\npolicy: " + b"{a: " * DEEP + b"\n",
        "python_tag_scalar": letter('writer: !!python/object/apply:os.system ["echo pwned"]\nrotation: riverside-pmr-consult\n'),
        "python_tag_mapping": letter("writer: marcus-delgado\nrotation: !!python/object/apply:os.system {args: [id]}\n"),
        "custom_tag_list": letter("writer: marcus-delgado\nevents: !custom [1, 2]\n"),
        "year_0_event": letter("writer: marcus-delgado\nrotation: riverside-pmr-consult\nevents:\n  - {date: 0000-01-01, event: asked}\n"),
        "year_9999_event": letter("writer: marcus-delgado\nrotation: riverside-pmr-consult\nevents:\n  - {date: 9999-12-31, event: asked}\n"),
        "feb_30_event": letter("writer: marcus-delgado\nrotation: riverside-pmr-consult\nevents:\n  - {date: 2026-02-30, event: asked}\n"),
        "plan_year_0": sample("plan.yaml").replace(b"2027-03-19", b"0000-03-19").replace(b"cycle: 2027", b"cycle: 0"),
        "plan_year_9999": sample("plan.yaml").replace(b"2026-09-03", b"9999-12-31").replace(b"cycle: 2027", b"cycle: 9999"),
        "non_utf8_body": DELGADO + b"\xff\xfe broken \xc0\xaf overlong \xed\xa0\x80 surrogate\n",
        "non_utf8_value": DELGADO.replace(b"waived: true", b"waived: true\nnote: \"\xff\xfe\""),
        "esc_in_writer_name": b"writers/marcus-delgado.md\n" + sample("writers/marcus-delgado.md").replace(b"Marcus", b"\x1b[31mMarcus\x1b]0;owned\x07\x1b[0m"),
        "crlf": DELGADO.replace(b"\n", b"\r\n"),
        "bom": b"\xef\xbb\xbf" + DELGADO,
        "no_closing_fence": b"---\nwriter: marcus-delgado\nrotation: x\n",
        "yaml_bomb": letter('a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
                            'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n'
                            'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n'),
        "duplicate_keys": letter("writer: a\nwriter: b\nrotation: c\n"),
        "nul_byte": DELGADO.replace(b"waived", b"wai\x00ved"),
    }
    for name, data in hostile.items():
        if not data.startswith((b"letters/", b"plan.yaml", b"writers/")):
            data = b"letters/delgado-consult.md\n" + data if b"cycle:" not in data[:2000] else b"plan.yaml\n" + data
        write("plan_load", "hostile_" + name, data)
    conflicts = (b"# Values two devices changed differently while apart.\n"
                 b"- path: letters/delgado-consult.md\n  field: waived\n  kept: \"true\"\n  lost: \"false\"\n"
                 b"  kept_device: laptop\n  lost_device: phone\n")
    write("plan_load", "sync_conflicts", b"sync-conflicts.yaml\n" + conflicts)
    write("plan_load", "sync_conflicts_deep", b"sync-conflicts.yaml\n" + b"[" * DEEP)


def front_matter_edit():
    seeds = {
        "set_waived": (["set waived", "false"], "letters/delgado-consult.md"),
        "set_nested_new": (["set relationship.weeks", "4"], "writers/marcus-delgado.md"),
        "append_event": (["append events", '{"date": "2026-08-20", "event": "agreed", "via": "email"}'], "letters/delgado-consult.md"),
        "include_packet": (["include packet", '"cv"', "include packet", '"cv"'], "letters/qureshi-home.md"),
        "remove_waived": (["remove waived", "null"], "letters/delgado-consult.md"),
        "set_note_colon": (["set note", "a note: with a colon # and a hash"], "letters/brennan-neurology.md"),
        "set_plan_policy": (["set policy.letters_min", "3", "set policy.reminder_lead_days", "[28, 21]"], "plan.yaml"),
        "set_plan_applicant": (["set applicant.name", '"Amina \\u001b[31mRahman"'], "plan.yaml"),
        "set_program_letters": (["set letters", '["delgado-consult", "qureshi-home"]'], "programs/lakeshore-pmr.md"),
        "set_rotation_dates": (["set start", '"9999-12-31"', "set end", '"0000-01-01"'], "rotations/riverside-pmr-consult.md"),
        "set_object": (["set x-extra", '{"a": {"b": [1, {"c": null}]}, "d": "e: f"}'], "writers/eleanor-whitfield.md"),
        "set_deep_brackets": (["set note", "[" * DEEP + "]" * DEEP], "letters/delgado-consult.md"),
        "set_deep_raw": (["set note", "[" * DEEP], "letters/delgado-consult.md"),
        "set_python_tag": (["set writer", "!!python/object/apply:os.system [\"id\"]"], "letters/delgado-consult.md"),
        "set_multiline": (["set note", '"line one\\nline two\\r\\n  indented"'], "letters/whitfield-inpatient.md"),
        "set_empty_key": (["set a..b", "1"], "letters/delgado-consult.md"),
    }
    for name, (lines, path) in seeds.items():
        text = sample(path)
        write("front_matter_edit", name, ("\n".join(lines) + "\n" + path + "\n").encode() + text)
    write("front_matter_edit", "set_non_utf8_value", b"set note\n\xff\xfe\xc0\xaf\nletters/delgado-consult.md\n" + DELGADO)
    write("front_matter_edit", "crlf_set", b"set waived\nfalse\nletters/delgado-consult.md\n" + DELGADO.replace(b"\n", b"\r\n"))
    write("front_matter_edit", "flow_front_matter", b"set b.c\n2\nletters/x.md\n---\n{writer: a, b: {c: 1}}\n---\nbody\n")
    write("front_matter_edit", "comments", b"append events\n{\"date\": \"2026-01-01\", \"event\": \"asked\"}\nletters/x.md\n"
          b"---\n# top\nwriter: a  # w\nevents:   # none yet\n---\n\nbody # not yaml\n")
    write("front_matter_edit", "empty_front_matter", b"set writer\n\"a\"\nletters/x.md\n---\n---\nbody only\n")
    write("front_matter_edit", "block_scalar", b"set note\n\"short\"\nletters/x.md\n---\nnote: |\n  long\n  text\nwriter: a\n---\n")
    write("front_matter_edit", "fixture_thin", b"set waived\ntrue\nletters/ana.md\n" + (FIXTURES / "thin/letters/ana.md").read_bytes()
          if (FIXTURES / "thin/letters/ana.md").exists() else b"set waived\ntrue\n" + DELGADO)


def merge_file():
    agreed = ASKED + b"  - {date: 2026-08-20, event: agreed, via: email}\n"
    reminded = ASKED + b"  - {date: 2026-08-15, event: reminded, via: phone}\n  - {date: 2026-08-20, event: agreed, via: in-person}\n"
    laptop_phone = b"letters/delgado-consult.md laptop 100 phone 200\n"
    seeds = {
        "events_both_sides": laptop_phone + DELGADO + RS + DELGADO.replace(ASKED, agreed) + RS + DELGADO.replace(ASKED, reminded),
        "event_removed_one_side": laptop_phone + DELGADO + RS + DELGADO.replace(ASKED, b"") + RS + DELGADO.replace(ASKED, agreed),
        "same_field_both": laptop_phone + DELGADO + RS + DELGADO.replace(b"waived: true", b"waived: false") + RS
        + DELGADO.replace(b"waived: true", b"waived: null"),
        "equal_times_devices": b"letters/delgado-consult.md laptop 100 laptop 100\n" + DELGADO + RS
        + DELGADO.replace(b"No reply yet.", b"He replied.") + RS + DELGADO.replace(b"No reply yet.", b"Still nothing."),
        "both_added": b"letters/new.md phone 5 laptop 5\n" + letter("writer: a\nevents:\n  - {date: 2026-01-01, event: asked}\n") + RS
        + letter("writer: b\nevents:\n  - {date: 2026-01-02, event: asked}\n"),
        "crlf": laptop_phone + DELGADO.replace(b"\n", b"\r\n") + RS + DELGADO.replace(ASKED, agreed).replace(b"\n", b"\r\n") + RS
        + DELGADO.replace(b"No reply", b"A reply").replace(b"\n", b"\r\n"),
        "markers_in_input": laptop_phone + DELGADO + RS + DELGADO + b"<<<<<<< HEAD\nx\n=======\ny\n>>>>>>> other\n" + RS
        + DELGADO + b"more\n",
        "one_side_unparsable": laptop_phone + DELGADO + RS + DELGADO.replace(b"waived: true", b"waived: [") + RS
        + DELGADO.replace(ASKED, agreed),
        "negative_times": b"letters/delgado-consult.md a -9223372036854775808 b 9223372036854775807\n" + DELGADO + RS
        + DELGADO.replace(ASKED, agreed) + RS + DELGADO.replace(ASKED, reminded),
        "deep_brackets": laptop_phone + DELGADO + RS + DELGADO.replace(b"waived: true", b"waived: " + b"[" * DEEP) + RS
        + DELGADO.replace(ASKED, agreed),
        "non_utf8": laptop_phone + DELGADO + RS + DELGADO + b"\xff\xfe\n" + RS + DELGADO + b"\xc0\xaf\n",
        "year_9999": laptop_phone + DELGADO + RS + DELGADO.replace(ASKED, ASKED + b"  - {date: 9999-12-31, event: agreed}\n") + RS
        + DELGADO.replace(ASKED, ASKED + b"  - {date: 0000-01-01, event: reminded}\n"),
    }
    plan = sample("plan.yaml")
    seeds["plan_yaml"] = (b"plan.yaml laptop 100 phone 200\n" + plan + RS + plan.replace(b"visa: j1", b"visa: h1b") + RS
                          + plan.replace(b"cycle: 2027", b"cycle: 2028"))
    summary = sample("packet/summary.md")
    seeds["summary_lines"] = (b"packet/summary.md laptop 100 phone 200\n" + summary + RS + summary + b"added by laptop\n" + RS
                              + b"phone's first line\n" + summary)
    conflicts = (b"- path: letters/delgado-consult.md\n  field: waived\n  kept: \"true\"\n  lost: \"false\"\n"
                 b"  kept_device: laptop\n  lost_device: phone\n")
    seeds["sync_conflicts"] = (b"sync-conflicts.yaml laptop 1 phone 2\n" + RS + conflicts + RS
                               + conflicts.replace(b"waived", b"rotation"))
    seeds["gitignore"] = b".gitignore laptop 1 phone 2\n*.tmp\n" + RS + b"*.tmp\n*.bak" + RS + b"*.tmp\n*.swp"
    for path in ("writers/marcus-delgado.md", "programs/lakeshore-pmr.md", "rotations/riverside-pmr-consult.md"):
        text = sample(path)
        seeds["sample_" + slug(path)] = (path.encode() + b" laptop 100 phone 100\n" + text + RS + text + b"laptop note\n" + RS
                                         + text.replace(b"---\n", b"---\nx-extra: 1\n", 1))
    for name, data in seeds.items():
        write("merge_file", name, data)


def rpc(method, params=None, id_=1):
    message = {"jsonrpc": "2.0", "id": id_, "method": method}
    if params is not None:
        message["params"] = params
    return json.dumps(message)


def rpc_dispatch():
    reads = {
        "status": rpc("plan.status", {}),
        "get_all": rpc("plan.get"),
        "get_letter": rpc("plan.get", {"kind": "letter", "id": "qureshi-home"}),
        "get_traversal": rpc("plan.get", {"kind": "letter", "id": "../../etc/passwd"}),
        "audit": rpc("audit.run", {}),
        "deadlines": rpc("deadlines.list", {"within": 14}),
        "deadlines_huge": rpc("deadlines.list", {"within": 1e308}),
        "programs": rpc("programs.list", {}),
        "draft": rpc("letter.draft", {"letter": "delgado-consult"}),
        "draft_step": rpc("letter.draft", {"letter": "delgado-consult", "step": "remind"}),
        "discover": rpc("rpc.discover"),
        "subscribe": rpc("subscribe", {}),
        "unsubscribe": rpc("unsubscribe"),
        "sync_status": rpc("sync.status"),
        "sync_now": rpc("sync.now"),
        "notification": json.dumps({"jsonrpc": "2.0", "method": "plan.status"}),
        "id_above_2_53": '{"jsonrpc":"2.0","id":9007199254740993,"method":"plan.status"}',
        "id_2_64": '{"jsonrpc":"2.0","id":18446744073709551616,"method":"plan.status"}',
        "id_negative_huge": '{"jsonrpc":"2.0","id":-9223372036854775809,"method":"plan.status"}',
        "id_fraction": '{"jsonrpc":"2.0","id":1.5,"method":"plan.status"}',
        "id_long_string": rpc("plan.status", None, "x" * 300),
        "id_object": '{"jsonrpc":"2.0","id":{"a":1},"method":"plan.status"}',
        "batch_64_get": json.dumps([json.loads(rpc("plan.get", {}, i)) for i in range(64)]),
        "batch_65": json.dumps([json.loads(rpc("plan.status", {}, i)) for i in range(65)]),
        "batch_mixed": '[{"jsonrpc":"2.0","id":1,"method":"plan.status"},{"jsonrpc":"2.0","method":"plan.status"},5]',
        "batch_empty": "[]",
        "deep_brackets": "[" * DEEP,
        "deep_params": '{"jsonrpc":"2.0","id":1,"method":"plan.get","params":' + "[" * DEEP + "]" * DEEP + "}",
        "not_json": "{not json",
        "non_utf8": b'{"jsonrpc":"2.0","id":"\xff\xfe","method":"plan.get","params":{"kind":"letter","id":"\xc0\xaf"}}',
        "esc_in_id": rpc("plan.get", {"kind": "writer", "id": "\x1b[31mevil\x1b[0m"}),
    }
    for name, message in reads.items():
        data = message.encode() if isinstance(message, str) else message
        write("rpc_dispatch", "read_" + name, b"A" + data)
    write("rpc_dispatch", "small_budget_batch", b"B" + json.dumps([json.loads(rpc("plan.get", {}, i)) for i in range(64)]).encode())
    unauthenticated = {
        "auth_right": rpc("auth", {"token": TOKEN}),
        "auth_wrong": rpc("auth", {"token": "fuzz-token-0123456780"}),
        "auth_number": rpc("auth", {"token": 42}),
        "status_without_auth": rpc("plan.status", {}),
        "batch_auth_then_status": json.dumps([json.loads(rpc("auth", {"token": TOKEN}, 1)),
                                              json.loads(rpc("plan.status", {}, 2))]),
    }
    for name, message in unauthenticated.items():
        write("rpc_dispatch", "unauthenticated_" + name, b"a" + message.encode())
    writes = {
        "update": rpc("entity.update", {"kind": "letter", "id": "qureshi-home", "set": {"waived": True}}),
        "update_invalid": rpc("entity.update", {"kind": "letter", "id": "qureshi-home", "set": {"waived": "yes"}}),
        "update_deep": rpc("entity.update", {"kind": "letter", "id": "qureshi-home", "set": {"x-deep": json.loads("[" * 200 + "]" * 200)}}),
        "update_unset": rpc("entity.update", {"kind": "writer", "id": "farah-qureshi", "unset": ["email"]}),
        "create_writer": rpc("entity.create", {"kind": "writer", "id": "new-writer", "fields": {"name": "New \x1b[2J Writer"}, "body": "hi\n"}),
        "create_plan": rpc("entity.create", {"kind": "plan", "id": "plan", "fields": {}}),
        "delete_missing": rpc("entity.delete", {"kind": "writer", "id": "nobody"}),
        "record": rpc("letter.record", {"letter": "delgado-consult", "event": "agreed", "via": "email"}),
        "record_year_0": rpc("letter.record", {"letter": "delgado-consult", "event": "reminded", "date": "0000-01-01"}),
        "record_year_9999": rpc("letter.record", {"letter": "delgado-consult", "event": "reminded", "date": "9999-12-31"}),
        "record_packet": rpc("letter.record", {"letter": "delgado-consult", "event": "packet-sent", "packet": ["cv"]}),
        "assign": rpc("programs.assign", {"program": "lakeshore-pmr", "letters": ["delgado-consult"], "force": True}),
        "log": rpc("history.log", {"limit": 2}),
        "log_huge": rpc("history.log", {"limit": 18446744073709551615}),
        "resolve": rpc("sync.resolve", {"keep": "current"}),
        "resolve_other": rpc("sync.resolve", {"path": "letters/delgado-consult.md", "field": "waived", "keep": "other"}),
    }
    for name, message in writes.items():
        write("rpc_dispatch", "write_" + name, b"W" + message.encode())


def ws_frame(payload, opcode=1, mask=b"\x11\x22\x33\x44"):
    """One masked client frame (RFC 6455)."""
    header = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        header += bytes([0x80 | n])
    elif n < 65536:
        header += bytes([0x80 | 126]) + struct.pack(">H", n)
    else:
        header += bytes([0x80 | 127]) + struct.pack(">Q", n)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return header + mask + masked


def upgrade(extra=b"", host=b"127.0.0.1:{PORT}"):
    return (b"GET /rpc HTTP/1.1\r\nHost: " + host + b"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extra + b"\r\n")


def http_request():
    host = b"Host: 127.0.0.1:{PORT}\r\n"
    auth = b"Authorization: Bearer {TOKEN}\r\n"
    seeds = {
        "get_root": b"GET / HTTP/1.1\r\n" + host + b"\r\n",
        "head_root": b"HEAD / HTTP/1.1\r\n" + host + b"\r\n",
        "get_client_js": b"GET /client/lorsync.js HTTP/1.1\r\nHost: localhost:{PORT}\r\n\r\n",
        "get_health": b"GET /health HTTP/1.1\r\n" + host + b"\r\n",
        "get_missing": b"GET /nope.html?x=1#y HTTP/1.1\r\n" + host + b"\r\n",
        "get_traversal": b"GET /../../../etc/passwd HTTP/1.1\r\n" + host + b"\r\n",
        "get_encoded_traversal": b"GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\n" + host + b"\r\n",
        "post_root": b"POST / HTTP/1.1\r\n" + host + b"Content-Length: 5\r\n\r\nhello",
        "chunked": b"POST /rpc HTTP/1.1\r\n" + host + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "keep_alive_two": b"GET /health HTTP/1.1\r\n" + host + b"\r\nGET / HTTP/1.1\r\n" + host + b"Connection: close\r\n\r\n",
        "http_1_0": b"GET / HTTP/1.0\r\n\r\n",
        "host_ipv6": b"GET / HTTP/1.1\r\nHost: [::1]:{PORT}\r\n\r\n",
        "host_evil": b"GET / HTTP/1.1\r\nHost: evil.example:{PORT}\r\n\r\n",
        "host_missing": b"GET / HTTP/1.1\r\n\r\n",
        "host_twice": b"GET / HTTP/1.1\r\n" + host + b"Host: evil.example\r\n\r\n",
        "malformed_request_line": b"GET\r\n\r\n",
        "malformed_version": b"GET / HTTP/9.9\r\n" + host + b"\r\n",
        "malformed_spaces": b"GET  /  HTTP/1.1 \r\n" + host + b"\r\n",
        "malformed_binary": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS ClientHello's start
        "lf_only": b"GET / HTTP/1.1\n" + host.replace(b"\r\n", b"\n") + b"\n",
        "huge_header": b"GET / HTTP/1.1\r\n" + host + b"X-Big: " + b"a" * 20000 + b"\r\n\r\n",
        "content_length_huge": b"POST / HTTP/1.1\r\n" + host + b"Content-Length: 99999999999999999999\r\n\r\n",
        "esc_in_target": b"GET /\x1b[31m HTTP/1.1\r\n" + host + b"\r\n",
        "non_utf8_target": b"GET /\xff\xfe HTTP/1.1\r\n" + host + b"\r\n",
        "ws_upgrade_no_auth": upgrade(),
        "ws_upgrade_no_auth_frame": upgrade() + ws_frame(rpc("plan.status", {}).encode()),
        "ws_upgrade_no_auth_then_auth": upgrade() + ws_frame(rpc("auth", {"token": TOKEN}).encode())
        + ws_frame(rpc("plan.status", {}, 2).encode()),
        "ws_upgrade_wrong_token": upgrade(b"Authorization: Bearer wrong\r\n"),
        "ws_upgrade_evil_origin": upgrade(auth + b"Origin: http://evil.example\r\n"),
        "ws_upgrade_ipv6_host": upgrade(auth, host=b"[::1]:{PORT}"),
        "ws_auth_status": upgrade(auth) + ws_frame(rpc("plan.status", {}).encode()),
        "ws_auth_batch_64_get": upgrade(auth) + ws_frame(json.dumps([json.loads(rpc("plan.get", {}, i)) for i in range(64)]).encode()),
        "ws_auth_id_above_2_53": upgrade(auth) + ws_frame(b'{"jsonrpc":"2.0","id":9007199254740993,"method":"plan.status"}'),
        "ws_auth_deep": upgrade(auth) + ws_frame(b"[" * DEEP),
        "ws_auth_ping_close": upgrade(auth) + ws_frame(b"hi", opcode=9) + ws_frame(b"\x03\xe8", opcode=8),
        "ws_auth_binary": upgrade(auth) + ws_frame(b"\x00\xff", opcode=2),
        "ws_auth_unmasked": upgrade(auth) + b"\x81\x05hello",
        "ws_auth_huge_length": upgrade(auth) + b"\x81\xff" + struct.pack(">Q", 2**63 - 1) + b"\x00\x00\x00\x00",
        "ws_auth_write": upgrade(auth) + ws_frame(rpc("letter.record", {"letter": "delgado-consult", "event": "agreed"}).encode()),
        "ws_auth_subscribe": upgrade(auth) + ws_frame(rpc("subscribe", {}).encode()),
    }
    for name, data in seeds.items():
        write("http_request", name, data)


if __name__ == "__main__":
    plan_load()
    front_matter_edit()
    merge_file()
    rpc_dispatch()
    http_request()
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    for target in sorted(OUT.iterdir()):
        files = [p for p in target.iterdir() if p.is_file()]
        print(f"{target.name:20} {len(files):3} files {sum(p.stat().st_size for p in files):8} bytes")
    print(f"{'total':20} {total:18} bytes")
