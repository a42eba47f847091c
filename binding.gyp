# The speaker's socket addon: AF_PACKET (speaker/native/herald_packet.c, which also holds the module's init),
# NETLINK_ROUTE (herald_netlink.c), the poll/read/close lifecycle both share (herald_socket.c), the heartbeat
# UDP socket's kernel filter (herald_udp.c), and the BGP sessions' TCP options: MD5 keys, TTL and GTSM's minimum
# TTL (herald_tcp.c). Node-API only (NAPI_VERSION 8), so the one build loads on every Node release since 12.22 and
# needs only node_api.h and uv.h.
# Built by `npm install` / `npm ci` through node-gyp into build/Release/, against the headers of the pinned Node
# package (scripts/addon-nodedir.cjs), so no headers are downloaded and the machine's own Node does not matter.
{
  "targets": [
    {
      "target_name": "herald_packet",
      "sources": ["speaker/native/herald_packet.c", "speaker/native/herald_netlink.c", "speaker/native/herald_socket.c", "speaker/native/herald_udp.c", "speaker/native/herald_tcp.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags_c": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
