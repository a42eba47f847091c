/*
 * herald_tcp: the TCP options a BGP session needs that Node's net module cannot set. The sockets stay
 * Node's (net.Socket, net.Server own them, read, write and close them); this file sets options on their fd,
 * and creates the one socket Node cannot: an unconnected TCP socket whose options are in place before
 * connect(), for the active side of a session.
 *
 *   TCP_MD5SIG (RFC 2385): one key per peer address, on a socket. The kernel signs every segment it sends
 *     to that address and drops, without a word (no RST), every segment from it that is unsigned or wrongly
 *     signed, the SYN included: a peer with the wrong password, or none, never sees a SYN-ACK and its
 *     connect() times out. A listening socket holds the keys of all its passive peers, set before they
 *     connect (the accepted socket inherits its peer's key); an active socket needs its key before connect()
 *     so that the SYN is signed, hence openTcpSocket. Addresses without a key on a socket are not checked.
 *     A key is 1 to 80 bytes (TCP_MD5SIG_MAXKEYLEN); setting an empty one deletes the address's key.
 *   IP_TTL / IPV6_UNICAST_HOPS: the TTL (hop limit) the socket sends with. Linux's default is the
 *     net.ipv4.ip_default_ttl sysctl (64); a single-hop eBGP session sends 1 (FRR's default), ebgpMultiHop
 *     and GTSM send 255.
 *   IP_MINTTL / IPV6_MINHOPCOUNT (GTSM, RFC 5082): the kernel drops every segment (the SYN included) that
 *     arrives with a lower TTL. Each router on the way takes one off a TTL sent as 255, so 255 accepts only a
 *     directly connected peer, and nobody further away can forge the session's packets. 0 turns it off.
 *
 * An IPv6 socket may be dual-stack (Node's listen on "::"): its IPv4 peers appear as ::ffff:a.b.c.d and their
 * packets are IPv4, ruled by the IPv4 options. So an IPv6 socket gets the IPv4 TTL options as well as the
 * IPv6 ones, and an IPv4 peer's key on it is handed to the kernel as ::ffff:a.b.c.d, which tcp_v6_parse_md5_keys
 * files as an IPv4 key. An IPv4 socket refuses an IPv6 peer.
 *
 * JS surface (wrapped by tcp-options.ts, which is the documented API):
 *   openTcpSocket(family: 4 | 6, sourceAddress: string | null) -> fd   non-blocking, close-on-exec, unconnected
 *   setTcpMd5Key(fd, peerAddress: string, key: Uint8Array)             an empty key deletes
 *   setTtl(fd, 1..255)   getTtl(fd)   setMinTtl(fd, 0..255)   getMinTtl(fd)
 * Errors from the kernel are "<op> on \"fd <n>[, peer <address>]\": <strerror>" with .code ("EBADF"...),
 * .errno and .syscall; an argument out of range is a RangeError or TypeError naming the value (never the key).
 */
#define _GNU_SOURCE
#ifdef __linux__
#include "herald_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef IPV6_MINHOPCOUNT
#define IPV6_MINHOPCOUNT 73 /* Linux >= 2.6.35 */
#endif
#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24 /* Linux >= 4.2 */
#endif

#define ADDRESS_TEXT 64
#define NAME_TEXT (ADDRESS_TEXT + 24)

/* Throws a RangeError or TypeError (`range` false) with a Node-style code and a formatted message. */
static void throw_message(napi_env env, bool range, const char *code, const char *format, ...) {
  char text[200];
  va_list args;
  va_start(args, format);
  vsnprintf(text, sizeof text, format, args);
  va_end(args);
  if (range) napi_throw_range_error(env, code, text);
  else napi_throw_type_error(env, code, text);
}

/* An int32 argument in [low, high]; throws a RangeError naming `what` and the value otherwise. */
static bool int_argument(napi_env env, napi_value value, const char *what, int low, int high, int32_t *out) {
  double number = 0;
  if (napi_get_value_double(env, value, &number) != napi_ok) {
    throw_message(env, false, "ERR_INVALID_ARG_TYPE", "%s must be a number", what);
    return false;
  }
  if (number != (double)(int32_t)number || number < low || number > high) {
    throw_message(env, true, "ERR_OUT_OF_RANGE", "%s must be an integer in %d..%d, got %g", what, low, high, number);
    return false;
  }
  *out = (int32_t)number;
  return true;
}

/* A string argument of at most ADDRESS_TEXT - 1 bytes (longer is no address anyway). */
static bool text_argument(napi_env env, napi_value value, const char *what, char text[ADDRESS_TEXT]) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, text, ADDRESS_TEXT, &length) != napi_ok) {
    throw_message(env, false, "ERR_INVALID_ARG_TYPE", "%s must be a string", what);
    return false;
  }
  return true;
}

/*
 * The family (AF_INET or AF_INET6) of a TCP socket fd, or -1 having thrown. A closed fd is EBADF and a file
 * ENOTSOCK, reported as errors of `op` on `name` (the operation the caller was about to do); a UDP or Unix
 * socket is refused by name, since none of these options means the same there.
 */
static int tcp_family(napi_env env, int fd, const char *op, const char *name) {
  int domain = 0, protocol = 0;
  socklen_t domain_length = sizeof domain, protocol_length = sizeof protocol;
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &domain_length) < 0 ||
      getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &protocol_length) < 0) {
    throw_errno(env, op, name, errno);
    return -1;
  }
  if ((domain != AF_INET && domain != AF_INET6) || protocol != IPPROTO_TCP) {
    throw_message(env, false, "ENOTSOCK", "%s on \"%s\": not a TCP/IP socket (domain %d, protocol %d)", op, name, domain, protocol);
    return -1;
  }
  return domain;
}

/*
 * Fills `out` with `text` as an address of the socket's family (port 0): an IPv4 address on an IPv6 socket
 * becomes ::ffff:a.b.c.d. Throws, naming the text, for something that is no address or an IPv6 address on an
 * IPv4 socket.
 */
static bool socket_address(napi_env env, int family, const char *text, struct sockaddr_storage *out, socklen_t *length) {
  struct in_addr v4;
  struct in6_addr v6;
  bool is_v4 = inet_pton(AF_INET, text, &v4) == 1, is_v6 = !is_v4 && inet_pton(AF_INET6, text, &v6) == 1;
  memset(out, 0, sizeof *out);
  if (!is_v4 && !is_v6) {
    throw_message(env, false, "ERR_INVALID_IP_ADDRESS", "\"%s\" is not an IPv4 or IPv6 address", text);
    return false;
  }
  if (family == AF_INET) {
    if (is_v6) {
      throw_message(env, false, "EAFNOSUPPORT", "\"%s\" is an IPv6 address and the socket is IPv4", text);
      return false;
    }
    struct sockaddr_in *in4 = (struct sockaddr_in *)out;
    in4->sin_family = AF_INET;
    in4->sin_addr = v4;
    *length = sizeof *in4;
    return true;
  }
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
  in6->sin6_family = AF_INET6;
  if (is_v4) {
    in6->sin6_addr.s6_addr[10] = in6->sin6_addr.s6_addr[11] = 0xff;
    memcpy(&in6->sin6_addr.s6_addr[12], &v4, sizeof v4);
  } else {
    in6->sin6_addr = v6;
  }
  *length = sizeof *in6;
  return true;
}

/*
 * socket(), then bind() to the source address when one is given, with IP_BIND_ADDRESS_NO_PORT: the port is
 * chosen at connect() time, when the kernel knows the peer, so many sessions from one address never run out
 * of ports the way bind-time ports (unique per address alone) would.
 */
static napi_value open_tcp_socket(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result;
  int32_t family = 0;
  char source[ADDRESS_TEXT] = "";
  napi_valuetype source_type = napi_undefined;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_get_value_int32(env, argv[0], &family) != napi_ok || (family != 4 && family != 6)) {
    napi_throw_type_error(env, NULL, "openTcpSocket(family: 4 | 6, sourceAddress: string | null)");
    return NULL;
  }
  if (argc >= 2) CHECK(env, napi_typeof(env, argv[1], &source_type));
  bool bind_source = source_type != napi_undefined && source_type != napi_null;
  if (bind_source && !text_argument(env, argv[1], "sourceAddress", source)) return NULL;
  int domain = family == 4 ? AF_INET : AF_INET6;
  struct sockaddr_storage address;
  socklen_t length = 0;
  if (bind_source && !socket_address(env, domain, source, &address, &length)) return NULL;
  int fd = socket(domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) {
    throw_errno(env, "socket", family == 4 ? "IPv4 TCP" : "IPv6 TCP", errno);
    return NULL;
  }
  int one = 1;
  if (bind_source && (setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one) < 0 ||
                      bind(fd, (struct sockaddr *)&address, length) < 0)) {
    int err = errno;
    close(fd);
    throw_errno(env, "bind", source, err);
    return NULL;
  }
  CHECK(env, napi_create_int32(env, fd, &result));
  return result;
}

static napi_value set_md5_key(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int32_t fd = -1;
  char peer[ADDRESS_TEXT];
  void *key = NULL;
  size_t key_length = 0;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3 || !uint8_array_bytes(env, argv[2], &key, &key_length)) {
    napi_throw_type_error(env, NULL, "setTcpMd5Key(fd: number, peerAddress: string, key: Uint8Array)");
    return NULL;
  }
  if (!fd_argument(env, argv[0], &fd) || !text_argument(env, argv[1], "peerAddress", peer)) return NULL;
  /* The key itself is a secret: errors give its length, never its bytes. */
  if (key_length > TCP_MD5SIG_MAXKEYLEN) {
    throw_message(env, true, "ERR_OUT_OF_RANGE", "the TCP MD5 key for peer %s is %zu bytes; the kernel takes at most %d",
                  peer, key_length, TCP_MD5SIG_MAXKEYLEN);
    return NULL;
  }
  char name[NAME_TEXT];
  snprintf(name, sizeof name, "fd %d, peer %s", fd, peer);
  int family = tcp_family(env, fd, "setsockopt(TCP_MD5SIG)", name);
  struct tcp_md5sig md5;
  socklen_t length = 0;
  memset(&md5, 0, sizeof md5);
  if (family < 0 || !socket_address(env, family, peer, &md5.tcpm_addr, &length)) return NULL;
  md5.tcpm_keylen = (uint16_t)key_length; /* 0: the kernel deletes the address's key */
  if (key_length > 0) memcpy(md5.tcpm_key, key, key_length);
  int failed = setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &md5, sizeof md5) < 0 ? errno : 0;
  explicit_bzero(&md5, sizeof md5);
  if (failed != 0) {
    /* Deleting a key that is not there is ENOENT: the wanted state is reached. */
    if (!(failed == ENOENT && key_length == 0)) throw_errno(env, "setsockopt(TCP_MD5SIG)", name, failed);
  }
  return NULL;
}

/* One of the TTL options: IPv4's on an IPv4 socket, IPv6's and IPv4's on an IPv6 one (see the top). */
typedef struct {
  const char *what, *usage;
  int low, high;
  int v4_option, v6_option;
  const char *v4_name, *v6_name, *v4_get, *v6_get;
} ttl_option;

static const ttl_option TTL = {
    "ttl", "setTtl(fd: number, ttl: 1..255)", 1, 255, IP_TTL, IPV6_UNICAST_HOPS,
    "setsockopt(IP_TTL)", "setsockopt(IPV6_UNICAST_HOPS)", "getsockopt(IP_TTL)", "getsockopt(IPV6_UNICAST_HOPS)"};
static const ttl_option MIN_TTL = {
    "minTtl", "setMinTtl(fd: number, minTtl: 0..255)", 0, 255, IP_MINTTL, IPV6_MINHOPCOUNT,
    "setsockopt(IP_MINTTL)", "setsockopt(IPV6_MINHOPCOUNT)", "getsockopt(IP_MINTTL)", "getsockopt(IPV6_MINHOPCOUNT)"};

static napi_value set_ttl_option(napi_env env, napi_callback_info info, const ttl_option *option) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd = -1, value = 0;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) {
    napi_throw_type_error(env, NULL, option->usage);
    return NULL;
  }
  if (!fd_argument(env, argv[0], &fd) || !int_argument(env, argv[1], option->what, option->low, option->high, &value)) return NULL;
  char name[NAME_TEXT];
  snprintf(name, sizeof name, "fd %d, %s %d", fd, option->what, value);
  /* Until the family is known an error names the IPv4 call, which both families make. */
  int family = tcp_family(env, fd, option->v4_name, name);
  if (family < 0) return NULL;
  const char *failed = NULL;
  if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, option->v6_option, &value, sizeof value) < 0) failed = option->v6_name;
  else if (setsockopt(fd, IPPROTO_IP, option->v4_option, &value, sizeof value) < 0) failed = option->v4_name;
  if (failed != NULL) throw_errno(env, failed, name, errno);
  return NULL;
}

/* The value the kernel applies: for an IPv6 socket its IPv6 option (IPv4 peers of a dual-stack one get the same). */
static napi_value get_ttl_option(napi_env env, napi_callback_info info, const ttl_option *option) {
  size_t argc = 1;
  napi_value argv[1], result;
  int32_t fd = -1;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || !fd_argument(env, argv[0], &fd)) return NULL;
  char name[NAME_TEXT];
  snprintf(name, sizeof name, "fd %d", fd);
  int family = tcp_family(env, fd, option->v4_get, name);
  if (family < 0) return NULL;
  int value = 0;
  socklen_t length = sizeof value;
  bool v6 = family == AF_INET6;
  if (getsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? option->v6_option : option->v4_option, &value, &length) < 0) {
    throw_errno(env, v6 ? option->v6_get : option->v4_get, name, errno);
    return NULL;
  }
  CHECK(env, napi_create_int32(env, value, &result));
  return result;
}

static napi_value set_ttl(napi_env env, napi_callback_info info) { return set_ttl_option(env, info, &TTL); }
static napi_value get_ttl(napi_env env, napi_callback_info info) { return get_ttl_option(env, info, &TTL); }
static napi_value set_min_ttl(napi_env env, napi_callback_info info) { return set_ttl_option(env, info, &MIN_TTL); }
static napi_value get_min_ttl(napi_env env, napi_callback_info info) { return get_ttl_option(env, info, &MIN_TTL); }

napi_status define_tcp_functions(napi_env env, napi_value exports) {
  const struct { const char *name; napi_callback fn; } functions[] = {
      {"openTcpSocket", open_tcp_socket}, {"setTcpMd5Key", set_md5_key}, {"setTtl", set_ttl},
      {"getTtl", get_ttl}, {"setMinTtl", set_min_ttl}, {"getMinTtl", get_min_ttl}};
  for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
    napi_value fn;
    napi_status status = napi_create_function(env, functions[i].name, NAPI_AUTO_LENGTH, functions[i].fn, NULL, &fn);
    if (status == napi_ok) status = napi_set_named_property(env, exports, functions[i].name, fn);
    if (status != napi_ok) return status;
  }
  return napi_ok;
}

#endif
