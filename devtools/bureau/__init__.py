"""A stand-in for the tourism bureau's filing interface (shared/bureau/PROTOCOL.md).

It exists so that development and tests can file for real, over HTTP, against something
that refuses what the bureau would refuse, and so that tests can make it misbehave the
way a government system does (down for days, slow, answers lost after storing). It is
written from PROTOCOL.md alone and imports nothing of the client's signing code: a bug
shared by both sides would otherwise pass unnoticed.

- `bureau.Bureau`: the protocol (signature, timestamp window, nonces, idempotency,
  validation, receipts) and the fault switches, independent of any transport;
- `control`: the `/_sim/` API that tests and `zhilv dev` use to register enterprises,
  inject faults and read what was stored (loopback only, unsigned);
- `server`: a small asyncio HTTP/1.1 server (it can drop a connection after reading a
  request, which no ASGI server lets an application do); `asgi`: the same bureau as an
  ASGI app for in-process use;
- `cli`: `zhilv bureau-sim`.
"""
