#!/usr/bin/env python3
"""Loopback proxy in front of a Kafka-protocol broker for librdkafka < 2.2.0.

librdkafka before 2.2.0 mis-skips KIP-482 top-level tagged fields in ApiVersions v3+ responses
("Protocol read buffer underflow for ApiVersion v3"). This proxy passes every byte through
unchanged, except responses to ApiVersions (api key 18) requests of version >= 3: their body is cut
after throttle_time_ms and an empty tagged-field section (one 0 byte) is appended, with the frame
length fixed. Only for tests and benchmarks on 127.0.0.1; see docs/kafka.md.

usage: kafka-apiversions-proxy.py LISTEN_PORT UPSTREAM_PORT [PIDFILE]
"""
import asyncio
import os
import struct
import sys

API_VERSIONS = 18


def read_uvarint(buf, pos):
    shift = 0
    value = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def skip_tagged_fields(buf, pos):
    count, pos = read_uvarint(buf, pos)
    for _ in range(count):
        _, pos = read_uvarint(buf, pos)  # tag
        size, pos = read_uvarint(buf, pos)
        pos += size
    return pos


def rewrite_api_versions(payload):
    """payload = correlation id (response header v0) + body. Returns the rewritten payload."""
    pos = 4  # correlation id
    pos += 2  # error_code
    count_plus_one, pos = read_uvarint(payload, pos)
    for _ in range(max(count_plus_one - 1, 0)):
        pos += 6  # api_key, min_version, max_version
        pos = skip_tagged_fields(payload, pos)
    pos += 4  # throttle_time_ms
    if pos > len(payload):
        return payload
    return payload[:pos] + b"\x00"


async def read_frame(reader):
    header = await reader.readexactly(4)
    (size,) = struct.unpack(">i", header)
    return await reader.readexactly(size)


async def client_to_upstream(reader, writer, pending):
    try:
        while True:
            payload = await read_frame(reader)
            if len(payload) >= 8:
                api_key, api_version, correlation = struct.unpack(">hhi", payload[:8])
                if api_key == API_VERSIONS and api_version >= 3:
                    pending.add(correlation)
            writer.write(struct.pack(">i", len(payload)) + payload)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def upstream_to_client(reader, writer, pending):
    try:
        while True:
            payload = await read_frame(reader)
            if len(payload) >= 4:
                (correlation,) = struct.unpack(">i", payload[:4])
                if correlation in pending:
                    pending.discard(correlation)
                    try:
                        payload = rewrite_api_versions(payload)
                    except IndexError:
                        pass
            writer.write(struct.pack(">i", len(payload)) + payload)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def make_handler(upstream_port):
    async def handle(client_reader, client_writer):
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", upstream_port)
        except OSError:
            client_writer.close()
            return
        pending = set()
        await asyncio.gather(
            client_to_upstream(client_reader, up_writer, pending),
            upstream_to_client(up_reader, client_writer, pending),
        )
    return handle


async def main():
    listen_port = int(sys.argv[1])
    upstream_port = int(sys.argv[2])
    server = await asyncio.start_server(make_handler(upstream_port), "127.0.0.1", listen_port)
    if len(sys.argv) > 3:
        with open(sys.argv[3], "w") as f:
            f.write(str(os.getpid()))
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
