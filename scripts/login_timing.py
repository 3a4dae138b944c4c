#!/usr/bin/env python3
"""How long a sign-in takes for an unknown username and for a known one with a wrong password.

Starts `tinnhiem serve` on a fresh SQLite database in a temporary directory (sign-in limits
off, so every attempt is checked), then sends the two kinds of attempt interleaved, one at a
time over one kept-alive connection, and prints median, mean and 90th percentile of each.

    python3 scripts/login_timing.py [--binary target/release/tinnhiem] [--attempts 300]

A benchmark, not a test: figures depend on the machine. docs/security.md reports them.
"""

import argparse
import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default="target/release/tinnhiem")
    parser.add_argument("--attempts", type=int, default=300)
    args = parser.parse_args()

    port = free_port()
    password = "timing-" + secrets.token_hex(8)
    with tempfile.TemporaryDirectory() as work:
        env = dict(os.environ, TINNHIEM_ADMIN_USERNAME="admin", TINNHIEM_ADMIN_PASSWORD=password,
                   RUST_LOG="warn")
        server = subprocess.Popen(
            [args.binary, "serve", "--bind", f"127.0.0.1:{port}", "--database",
             os.path.join(work, "t.db"), "--token-key-file", os.path.join(work, "k"),
             "--login-failures-per-username", "0", "--login-failures-per-address", "0"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            conn = None
            for _ in range(100):
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    conn.request("GET", "/api/v1/healthz")
                    conn.getresponse().read()
                    break
                except OSError:
                    time.sleep(0.1)

            def attempt(username, pw):
                body = json.dumps({"username": username, "password": pw})
                start = time.perf_counter()
                conn.request("POST", "/api/v1/auth/login", body,
                             {"content-type": "application/json"})
                resp = conn.getresponse()
                resp.read()
                elapsed = time.perf_counter() - start
                assert resp.status == 401, resp.status
                return elapsed * 1000

            for _ in range(20):  # warm up
                attempt("admin", "wrong-password")
            unknown, wrong = [], []
            for i in range(args.attempts):
                unknown.append(attempt(f"nobody-{i}", "wrong-password"))
                wrong.append(attempt("admin", "wrong-password"))
        finally:
            server.terminate()
            server.wait()

    def row(name, xs):
        xs = sorted(xs)
        p90 = xs[int(len(xs) * 0.9)]
        print(f"{name:<28} median {statistics.median(xs):7.2f} ms   mean {statistics.mean(xs):7.2f} ms"
              f"   p90 {p90:7.2f} ms")

    print(f"{args.attempts} attempts each, interleaved, one at a time ({args.binary})")
    row("unknown username", unknown)
    row("known user, wrong password", wrong)
    print(f"ratio of medians (unknown / wrong): "
          f"{statistics.median(unknown) / statistics.median(wrong):.3f}")


if __name__ == "__main__":
    main()
