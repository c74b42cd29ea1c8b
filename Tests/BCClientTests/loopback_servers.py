"""Loopback servers for BCClientTests, each started as its own process by the tests.

  tls PORT_FILE CERT KEY UPSTREAM_PORT LOG
                                         TLS terminator: accepts TLS on a free loopback port and
                                         pipes each connection's bytes to 127.0.0.1:UPSTREAM_PORT
                                         (the real engine), as a load balancer in front of it
                                         would. Appends "handshake" to LOG per TLS connection.
  proxy PORT_FILE LOG                    HTTP proxy: CONNECT tunnels (for https:// and, with
                                         curl's proxytunnel, any URL) and absolute-form requests
                                         (plain http://), forwarded to loopback only. Appends one
                                         line per request it carries to LOG ("CONNECT host:port"
                                         or "GET http://host:port/path").

Each writes its port to PORT_FILE once listening, serves until its stdin closes (the test
process holds the other end) or 120 s pass, whichever comes first.
"""
import os
import select
import socket
import ssl
import sys
import threading
import time

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def loopback(host):
    """The loopback address a host names, or None: the proxy reaches nothing else. Names under
    .localhost (engine.localhost) are loopback, as libcurl resolves them, so that a test can give
    the engine a name that the client does not treat as loopback (which it never proxies)."""
    host = host.strip("[]").lower()
    if host in LOOPBACK:
        return host
    if host.endswith(".localhost"):
        return "127.0.0.1"
    return None


def pipe(a, b):
    """Copies bytes both ways between two sockets until either side closes."""
    try:
        while True:
            ready, _, _ = select.select([a, b], [], [], 30)
            if not ready:
                return
            for s in ready:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)
    except OSError:
        pass
    finally:
        for s in (a, b):
            try:
                s.close()
            except OSError:
                pass


def listen(port_file):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.getsockname()[1]))
    os.rename(port_file + ".tmp", port_file)
    return server


def serve_tls(server, cert, key, upstream, log):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    lock = threading.Lock()

    def handle(client):
        try:
            tls = context.wrap_socket(client, server_side=True)
        except (ssl.SSLError, OSError):
            client.close()  # a client that refused the certificate
            return
        with lock, open(log, "a") as f:
            f.write("handshake\n")
        pipe(tls, socket.create_connection(("127.0.0.1", upstream)))

    while True:
        client, _ = server.accept()
        threading.Thread(target=handle, args=(client,), daemon=True).start()


def read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    return head.decode("latin-1").split("\r\n"), rest


def serve_proxy(server, log):
    lock = threading.Lock()

    def note(line):
        with lock, open(log, "a") as f:
            f.write(line + "\n")

    def handle(client):
        lines, rest = read_head(client)
        if not lines:
            client.close()
            return
        method, target, version = lines[0].split(" ", 2)
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            note("CONNECT " + target)
            if loopback(host) is None:
                client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                client.close()
                return
            upstream = socket.create_connection((loopback(host), int(port)))
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if rest:
                upstream.sendall(rest)
            pipe(client, upstream)
            return
        # Absolute form: GET http://host:port/path HTTP/1.1. One request per connection: the
        # proxy asks the origin to close after it, and pipes the answer back.
        note(method + " " + target)
        authority = target.split("://", 1)[1].split("/", 1)[0]
        path = "/" + target.split("://", 1)[1].split("/", 1)[1] if "/" in target.split("://", 1)[1] else "/"
        host, port = authority.rsplit(":", 1) if ":" in authority else (authority, "80")
        if loopback(host) is None:
            client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            client.close()
            return
        upstream = socket.create_connection((loopback(host), int(port)))
        headers = [h for h in lines[1:] if not h.lower().startswith(("proxy-connection:", "connection:"))]
        upstream.sendall(("\r\n".join([method + " " + path + " " + version] + headers + ["Connection: close", "", ""])).encode("latin-1") + rest)
        pipe(client, upstream)

    while True:
        client, _ = server.accept()
        threading.Thread(target=handle, args=(client,), daemon=True).start()


def main():
    mode, port_file = sys.argv[1], sys.argv[2]
    server = listen(port_file)
    if mode == "tls":
        target = lambda: serve_tls(server, sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6])
    else:
        target = lambda: serve_proxy(server, sys.argv[3])
    threading.Thread(target=target, daemon=True).start()
    # Until the test process closes our stdin (or dies), at most 120 s.
    deadline = time.time() + 120
    while time.time() < deadline:
        ready, _, _ = select.select([sys.stdin], [], [], deadline - time.time())
        if ready and not sys.stdin.buffer.read1(1):
            break


if __name__ == "__main__":
    main()
