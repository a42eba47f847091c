/*
 * herald_packet: the speaker's sockets for Node.js, as a Node-API (NAPI_VERSION 8) addon. This file holds
 * the AF_PACKET socket and the module's init; herald_netlink.c the NETLINK_ROUTE socket; herald_socket.c
 * the poll/read/close lifecycle both share; herald_udp.c the heartbeat socket's filter; herald_tcp.c the
 * BGP sessions' TCP options (MD5 keys, TTL, GTSM's minimum TTL).
 *
 * One Socket = one SOCK_RAW packet socket bound to one interface for one EtherType, with an optional
 * classic BPF program the kernel runs on every frame before queueing it (speaker/native/codec/bpf.ts
 * writes the programs). The fd is non-blocking and watched by a libuv poll handle on Node's own loop: when
 * it is readable we read frames until EAGAIN (at most READ_BATCH per wakeup) and hand them to JS in one
 * call. Outgoing frames (our own sends, and the host's) are dropped here, so JS only sees what arrived.
 *
 * JS surface (wrapped by packet-socket.ts, which is the documented API):
 *   interfaceIndex(ifname) -> ifindex
 *   new Socket(ifname, ethertype, onFrames(err, frames[], packetTypes[]), filter?: Uint8Array, ifindex?: number)
 *   socket.send(uint8array)   socket.addMembership(mac6)   socket.dropMembership(mac6)
 *   socket.close(done)        -- done() runs once the fd is closed; no onFrames after close().
 * The filter names the interface by index (codec/packet-filters.ts), so JS asks for the index first and
 * passes it back: the socket binds to exactly the interface its filter was written for.
 * Errors are JS Errors "<op> on \"<ifname>\": <strerror>" with .code ("EPERM"...), .errno, .syscall.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#ifdef __linux__
#include "herald_socket.h"

#include <errno.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* Largest frame we accept: 64 KiB covers any MTU a NIC offers (jumbo frames are ~9 KiB). */
#define FRAME_BUFFER_SIZE 65536
#define MAC_LENGTH 6

static uint32_t read_frames(watched_socket *s, napi_value frames, napi_value types, napi_value *err) {
  napi_env env = s->env;
  uint32_t count = 0;
  for (int attempt = 0; attempt < READ_BATCH; attempt++) {
    struct sockaddr_ll from;
    socklen_t from_length = sizeof from;
    ssize_t n = recvfrom(s->fd, s->buffer, s->buffer_size, MSG_TRUNC, (struct sockaddr *)&from, &from_length);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) *err = errno_error(env, "recvfrom", s->name, errno);
      break;
    }
    /* Kernels without PACKET_IGNORE_OUTGOING (< 4.20) loop our own sends back; a frame larger than the
     * buffer (MSG_TRUNC reports its real size) is not one of ours to answer; a frame the kernel delivered
     * for a device stacked on ours (a VLAN device, a macvlan: it hands the parent's sockets those too) would
     * be answered out of the wrong device. All are skipped; the kernel filter drops the last kind already,
     * this covers a socket opened without one. */
    if (from.sll_pkttype == PACKET_OUTGOING || (size_t)n > s->buffer_size || from.sll_ifindex != s->ifindex) continue;
    napi_value frame, type;
    if (napi_create_buffer_copy(env, (size_t)n, s->buffer, NULL, &frame) != napi_ok) break;
    napi_create_uint32(env, from.sll_pkttype, &type);
    napi_set_element(env, frames, count, frame);
    napi_set_element(env, types, count, type);
    count++;
  }
  return count;
}

/*
 * Creates the socket, attaches the filter, then binds. Protocol 0 at socket() time means "receive
 * nothing": the kernel hooks a packet socket into the receive path only once it has a protocol
 * (af_packet.c packet_create registers no hook for protocol 0), which bind() gives it together with the
 * interface. So the filter is in place before the first frame can be queued, and no frame from another
 * interface or EtherType slips in between: no drop-everything filter and drain step is needed.
 */
static int open_packet_fd(napi_env env, const char *ifname, int ethertype, const struct sock_fprog *filter,
                          int ifindex) {
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    throw_errno(env, "socket", ifname, errno);
    return -1;
  }
  int one = 1;
#ifdef PACKET_IGNORE_OUTGOING
  /* Linux >= 4.20; older kernels return ENOPROTOOPT and read_frames skips PACKET_OUTGOING instead. */
  setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
#else
  (void)one;
#endif
  if (filter != NULL && setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, filter, sizeof *filter) < 0) {
    int err = errno;
    close(fd);
    throw_errno(env, "setsockopt(SO_ATTACH_FILTER)", ifname, err);
    return -1;
  }
  struct sockaddr_ll address;
  memset(&address, 0, sizeof address);
  address.sll_family = AF_PACKET;
  address.sll_protocol = htons((uint16_t)ethertype);
  address.sll_ifindex = ifindex;
  if (bind(fd, (struct sockaddr *)&address, sizeof address) < 0) {
    int err = errno;
    close(fd);
    throw_errno(env, "bind", ifname, err);
    return -1;
  }
  return fd;
}

/* if_nametoindex, throwing "if_nametoindex on \"<ifname>\": <strerror>" (ENODEV) when there is none. */
static int interface_index(napi_env env, const char *ifname) {
  unsigned int ifindex = if_nametoindex(ifname);
  if (ifindex == 0) throw_errno(env, "if_nametoindex", ifname, errno);
  return (int)ifindex;
}

/* Reads an interface name argument; throws ENODEV for one the kernel could not hold. */
static bool ifname_argument(napi_env env, napi_value value, char ifname[IF_NAMESIZE + 1]) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, ifname, IF_NAMESIZE + 1, &length) != napi_ok) {
    napi_throw_type_error(env, NULL, "an interface name must be a string");
    return false;
  }
  if (length >= IF_NAMESIZE || length == 0) {
    throw_errno(env, "open", ifname, ENODEV);
    return false;
  }
  return true;
}

static napi_value interface_index_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  char ifname[IF_NAMESIZE + 1];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || !ifname_argument(env, argv[0], ifname)) return NULL;
  int ifindex = interface_index(env, ifname);
  if (ifindex == 0) return NULL;
  CHECK(env, napi_create_int32(env, ifindex, &result));
  return result;
}

/* The optional 4th argument: a classic BPF program as bytes, 8 per struct sock_filter in host order. */
static bool filter_argument(napi_env env, size_t argc, napi_value *argv, struct sock_fprog *program, bool *present) {
  napi_valuetype type = napi_undefined;
  *present = false;
  if (argc < 4 || napi_typeof(env, argv[3], &type) != napi_ok || type == napi_undefined || type == napi_null) return true;
  void *data = NULL;
  size_t length = 0;
  if (!uint8_array_bytes(env, argv[3], &data, &length) || length == 0 || length % sizeof(struct sock_filter) != 0 ||
      length / sizeof(struct sock_filter) > BPF_MAXINSNS) {
    napi_throw_type_error(env, NULL, "filter: a Uint8Array of 1..4096 classic BPF instructions (8 bytes each)");
    return false;
  }
  program->len = (unsigned short)(length / sizeof(struct sock_filter));
  program->filter = data; /* setsockopt copies it: no alignment or lifetime needed beyond the call */
  *present = true;
  return true;
}

static napi_value socket_new(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5], self;
  char ifname[IF_NAMESIZE + 1];
  int32_t ethertype = 0;
  int32_t ifindex = 0;
  napi_valuetype callback_type = napi_undefined, ifindex_type = napi_undefined;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  if (argc < 3 || napi_get_value_int32(env, argv[1], &ethertype) != napi_ok || napi_typeof(env, argv[2], &callback_type) != napi_ok ||
      callback_type != napi_function || (argc >= 5 && napi_typeof(env, argv[4], &ifindex_type) != napi_ok) ||
      (ifindex_type != napi_undefined && (napi_get_value_int32(env, argv[4], &ifindex) != napi_ok || ifindex < 1))) {
    napi_throw_type_error(env, NULL, "Socket(ifname: string, ethertype: number, onFrames: function, filter?: Uint8Array, ifindex?: number)");
    return NULL;
  }
  struct sock_fprog filter;
  bool has_filter = false;
  if (!ifname_argument(env, argv[0], ifname) || !filter_argument(env, argc, argv, &filter, &has_filter)) return NULL;
  if (ifindex == 0 && (ifindex = interface_index(env, ifname)) == 0) return NULL;
  int fd = open_packet_fd(env, ifname, ethertype, has_filter ? &filter : NULL, ifindex);
  if (fd < 0) return NULL;
  watched_socket *s = watch_socket(env, self, fd, ifname, FRAME_BUFFER_SIZE, read_frames, argv[2], "HeraldPacketSocket");
  if (s == NULL) return NULL;
  s->ifindex = ifindex;
  return self;
}

static napi_value socket_send(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  watched_socket *s = unwrap_open(env, info, &argc, argv, "send");
  if (s == NULL) return NULL;
  void *data = NULL;
  size_t length = 0;
  if (argc < 1 || !uint8_array_bytes(env, argv[0], &data, &length)) {
    napi_throw_type_error(env, NULL, "send(frame: Uint8Array)");
    return NULL;
  }
  /* The socket is bound, so send() goes out of the bound interface with the bound EtherType's
   * protocol; the frame itself carries the destination MAC. */
  ssize_t sent;
  do sent = send(s->fd, data, length, 0);
  while (sent < 0 && errno == EINTR);
  if (sent < 0) throw_errno(env, "send", s->name, errno);
  else if ((size_t)sent != length) throw_errno(env, "send", s->name, EMSGSIZE);
  return NULL;
}

static napi_value change_membership(napi_env env, napi_callback_info info, int option, const char *op) {
  size_t argc = 1;
  napi_value argv[1];
  watched_socket *s = unwrap_open(env, info, &argc, argv, op);
  if (s == NULL) return NULL;
  void *data = NULL;
  size_t length = 0;
  if (argc < 1 || !uint8_array_bytes(env, argv[0], &data, &length) || length != MAC_LENGTH) {
    napi_throw_type_error(env, NULL, "membership needs a 6-byte Uint8Array MAC");
    return NULL;
  }
  /* PACKET_MR_MULTICAST adds the MAC to the NIC's multicast filter, and only that: never promiscuous. */
  struct packet_mreq request;
  memset(&request, 0, sizeof request);
  request.mr_ifindex = s->ifindex;
  request.mr_type = PACKET_MR_MULTICAST;
  request.mr_alen = MAC_LENGTH;
  memcpy(request.mr_address, data, MAC_LENGTH);
  if (setsockopt(s->fd, SOL_PACKET, option, &request, sizeof request) < 0) throw_errno(env, op, s->name, errno);
  return NULL;
}

static napi_value socket_add_membership(napi_env env, napi_callback_info info) {
  return change_membership(env, info, PACKET_ADD_MEMBERSHIP, "addMembership");
}

static napi_value socket_drop_membership(napi_env env, napi_callback_info info) {
  return change_membership(env, info, PACKET_DROP_MEMBERSHIP, "dropMembership");
}

napi_status define_packet_class(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"send", NULL, socket_send, NULL, NULL, NULL, napi_default, NULL},
      {"addMembership", NULL, socket_add_membership, NULL, NULL, NULL, napi_default, NULL},
      {"dropMembership", NULL, socket_drop_membership, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, socket_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value constructor;
  napi_status status = napi_define_class(env, "Socket", NAPI_AUTO_LENGTH, socket_new, NULL,
                                         sizeof methods / sizeof methods[0], methods, &constructor);
  return status != napi_ok ? status : napi_set_named_property(env, exports, "Socket", constructor);
}

/*
 * trimMemory(): glibc's malloc_trim(0), which hands the free pages inside every malloc arena back to the kernel
 * (free() alone returns only the top of an arena). V8's compiler zones, parse buffers and HTTP bursts leave such
 * pages behind; the speaker calls this now and then (memory-trim.ts). Returns whether any memory was released;
 * false where the C library is not glibc (nothing to trim that way).
 */
static napi_value trim_memory_js(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
#ifdef __GLIBC__
  bool released = malloc_trim(0) == 1;
#else
  bool released = false;
#endif
  CHECK(env, napi_get_boolean(env, released, &result));
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value index_function, trim_function;
  if (define_packet_class(env, exports) != napi_ok || define_netlink_class(env, exports) != napi_ok ||
      define_udp_functions(env, exports) != napi_ok || define_tcp_functions(env, exports) != napi_ok ||
      napi_create_function(env, "interfaceIndex", NAPI_AUTO_LENGTH, interface_index_js, NULL, &index_function) != napi_ok ||
      napi_set_named_property(env, exports, "interfaceIndex", index_function) != napi_ok ||
      napi_create_function(env, "trimMemory", NAPI_AUTO_LENGTH, trim_memory_js, NULL, &trim_function) != napi_ok ||
      napi_set_named_property(env, exports, "trimMemory", trim_function) != napi_ok) {
    napi_throw_error(env, NULL, "herald_packet: defining the addon's classes failed");
    return NULL;
  }
  return exports;
}

#else /* not Linux: AF_PACKET, rtnetlink and socket filters do not exist; load, but refuse to open (the speaker runs on Linux only). */

static napi_value refuse(napi_env env, napi_callback_info info) {
  (void)info;
  napi_throw_error(env, "ENOSYS", "herald_packet: AF_PACKET and netlink sockets exist only on Linux");
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  const char *classes[] = {"Socket", "Netlink"};
  const char *functions[] = {"interfaceIndex", "openUdpSocket", "setSocketFilter", "socketDrops",
                             "openTcpSocket", "setTcpMd5Key", "setTtl", "getTtl", "setMinTtl", "getMinTtl", "trimMemory"};
  napi_value value;
  for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
    if (napi_define_class(env, classes[i], NAPI_AUTO_LENGTH, refuse, NULL, 0, NULL, &value) == napi_ok)
      napi_set_named_property(env, exports, classes[i], value);
  }
  for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
    if (napi_create_function(env, functions[i], NAPI_AUTO_LENGTH, refuse, NULL, &value) == napi_ok)
      napi_set_named_property(env, exports, functions[i], value);
  }
  return exports;
}

#endif

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
