/*
 * herald_udp: the heartbeat UDP socket's kernel side. Node's dgram module owns the socket once it runs
 * (reads, sends, close: `socket.bind({ fd })` wraps an fd that is already bound), but it cannot attach a
 * socket filter. So this file creates and binds the socket with the filter already in place, and replaces
 * the filter when the peers change (codec/heartbeat-filter.ts writes the programs). Attaching before bind()
 * means no datagram is ever queued unfiltered: a socket receives nothing before it is bound.
 *
 * JS surface (wrapped by speaker/membership/filtered-socket.ts):
 *   openUdpSocket(family: 4 | 6, address: string, port: number, filter?: Uint8Array) -> fd
 *       non-blocking, close-on-exec; an IPv6 socket is dual-stack (IPV6_V6ONLY off), as dgram's udp6 is.
 *   setSocketFilter(fd, filter: Uint8Array | null)   -- replaces the filter (SO_ATTACH_FILTER); null removes it
 *   socketDrops(fd) -> number   -- datagrams the kernel dropped for this socket (SO_MEMINFO SK_MEMINFO_DROPS):
 *       those the filter refused and those that found the receive buffer full.
 * Errors are JS Errors "<op> on \"<address>\": <strerror>" with .code, .errno and .syscall.
 */
#define _GNU_SOURCE
#ifdef __linux__
#include "herald_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ADDRESS_TEXT 64

/* A filter argument as a sock_fprog; *present false for null/undefined. Throws (false) on anything else. */
static bool program_argument(napi_env env, napi_value value, struct sock_fprog *program, bool *present) {
  napi_valuetype type = napi_undefined;
  *present = false;
  if (napi_typeof(env, value, &type) != napi_ok || type == napi_undefined || type == napi_null) return true;
  void *data = NULL;
  size_t length = 0;
  if (!uint8_array_bytes(env, value, &data, &length) || length == 0 || length % sizeof(struct sock_filter) != 0 ||
      length / sizeof(struct sock_filter) > BPF_MAXINSNS) {
    napi_throw_type_error(env, NULL, "filter: a Uint8Array of 1..4096 classic BPF instructions (8 bytes each), or null");
    return false;
  }
  program->len = (unsigned short)(length / sizeof(struct sock_filter));
  program->filter = data; /* setsockopt copies it */
  *present = true;
  return true;
}

static int attach(int fd, const struct sock_fprog *program) {
  if (program != NULL) return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, program, sizeof *program);
  int unused = 0;
  /* Removing a filter that is not there is not an error here: the wanted state is reached. */
  if (setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof unused) < 0 && errno != ENOENT) return -1;
  return 0;
}

/* Fills a sockaddr for (family, text, port); false when the text is not an address of that family. */
static bool socket_address(int family, const char *text, int port, struct sockaddr_storage *out, socklen_t *length) {
  memset(out, 0, sizeof *out);
  if (family == 4) {
    struct sockaddr_in *in4 = (struct sockaddr_in *)out;
    in4->sin_family = AF_INET;
    in4->sin_port = htons((uint16_t)port);
    *length = sizeof *in4;
    return inet_pton(AF_INET, text, &in4->sin_addr) == 1;
  }
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons((uint16_t)port);
  *length = sizeof *in6;
  return inet_pton(AF_INET6, text, &in6->sin6_addr) == 1;
}

static int open_bound(napi_env env, int family, const char *text, int port, const struct sock_fprog *program) {
  char name[ADDRESS_TEXT + 8];
  snprintf(name, sizeof name, "%s port %d", text, port);
  struct sockaddr_storage address;
  socklen_t length = 0;
  if (!socket_address(family, text, port, &address, &length)) {
    throw_errno(env, "inet_pton", name, EINVAL);
    return -1;
  }
  int fd = socket(family == 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    throw_errno(env, "socket", name, errno);
    return -1;
  }
  int off = 0;
  const char *failed = NULL;
  if (family == 6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) < 0) failed = "setsockopt(IPV6_V6ONLY)";
  else if (program != NULL && attach(fd, program) < 0) failed = "setsockopt(SO_ATTACH_FILTER)";
  else if (bind(fd, (struct sockaddr *)&address, length) < 0) failed = "bind";
  if (failed != NULL) {
    int err = errno;
    close(fd);
    throw_errno(env, failed, name, err);
    return -1;
  }
  return fd;
}

static napi_value open_udp_socket(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], result;
  int32_t family = 0, port = -1;
  char text[ADDRESS_TEXT];
  size_t text_length = 0;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3 || napi_get_value_int32(env, argv[0], &family) != napi_ok || (family != 4 && family != 6) ||
      napi_get_value_string_utf8(env, argv[1], text, sizeof text, &text_length) != napi_ok || text_length + 1 >= sizeof text ||
      napi_get_value_int32(env, argv[2], &port) != napi_ok || port < 0 || port > 65535) {
    napi_throw_type_error(env, NULL, "openUdpSocket(family: 4 | 6, address: string, port: 0..65535, filter?: Uint8Array)");
    return NULL;
  }
  struct sock_fprog program;
  bool present = false;
  if (argc >= 4 && !program_argument(env, argv[3], &program, &present)) return NULL;
  int fd = open_bound(env, family, text, port, present ? &program : NULL);
  if (fd < 0) return NULL;
  CHECK(env, napi_create_int32(env, fd, &result));
  return result;
}

static napi_value set_socket_filter(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd = -1;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) {
    napi_throw_type_error(env, NULL, "setSocketFilter(fd: number, filter: Uint8Array | null)");
    return NULL;
  }
  struct sock_fprog program;
  bool present = false;
  if (!fd_argument(env, argv[0], &fd) || !program_argument(env, argv[1], &program, &present)) return NULL;
  if (attach(fd, present ? &program : NULL) < 0) {
    char name[24];
    snprintf(name, sizeof name, "fd %d", fd);
    throw_errno(env, present ? "setsockopt(SO_ATTACH_FILTER)" : "setsockopt(SO_DETACH_FILTER)", name, errno);
  }
  return NULL;
}

static napi_value socket_drops(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  int32_t fd = -1;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || !fd_argument(env, argv[0], &fd)) return NULL;
  uint32_t meminfo[SK_MEMINFO_VARS];
  socklen_t length = sizeof meminfo;
  memset(meminfo, 0, sizeof meminfo);
  if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, meminfo, &length) < 0) {
    char name[24];
    snprintf(name, sizeof name, "fd %d", fd);
    throw_errno(env, "getsockopt(SO_MEMINFO)", name, errno);
    return NULL;
  }
  CHECK(env, napi_create_uint32(env, meminfo[SK_MEMINFO_DROPS], &result));
  return result;
}

napi_status define_udp_functions(napi_env env, napi_value exports) {
  const struct { const char *name; napi_callback fn; } functions[] = {
      {"openUdpSocket", open_udp_socket}, {"setSocketFilter", set_socket_filter}, {"socketDrops", socket_drops}};
  for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
    napi_value fn;
    napi_status status = napi_create_function(env, functions[i].name, NAPI_AUTO_LENGTH, functions[i].fn, NULL, &fn);
    if (status == napi_ok) status = napi_set_named_property(env, exports, functions[i].name, fn);
    if (status != napi_ok) return status;
  }
  return napi_ok;
}

#endif
