/*
 * Netlink: one NETLINK_ROUTE socket subscribed to multicast groups (RTMGRP_LINK, RTMGRP_IPV4_IFADDR,
 * RTMGRP_IPV6_IFADDR for the interface watcher), watched like the packet sockets (herald_socket.c). It only
 * moves bytes: every datagram the kernel queues (an event, or a chunk of a dump) goes to JS as one Buffer,
 * and send() hands a request JS encoded to the kernel. What the messages mean is TypeScript's business
 * (speaker/native/codec/rtnetlink.ts), as for the frames of the packet sockets.
 *
 * JS surface (wrapped by netlink-socket.ts):
 *   new Netlink(groups, onDatagrams(err, datagrams[], unused[]))
 *   netlink.send(uint8array)  netlink.close(done)
 * When the kernel could not queue an event because the receive buffer was full, onDatagrams gets an
 * Error with code "ENOBUFS" and the socket keeps working: events were lost, and the owner must ask for
 * the whole state again (a dump).
 */
#define _GNU_SOURCE
#ifdef __linux__
#include "herald_socket.h"

#include <errno.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A dump chunk is at most 32 KiB (the kernel sizes it after our largest read, capped there); events are
 * far smaller. MSG_TRUNC tells a datagram that did not fit from one that did. */
#define DATAGRAM_BUFFER_SIZE 65536
/* Room for bursts of events (a few hundred links changing at once) before the kernel reports ENOBUFS.
 * SO_RCVBUFFORCE passes net.core.rmem_max only with CAP_NET_ADMIN; without it SO_RCVBUF is capped there. */
#define RECEIVE_BUFFER_BYTES (1 << 20)
static const char NAME[] = "rtnetlink";

static uint32_t read_datagrams(watched_socket *s, napi_value datagrams, napi_value unused, napi_value *err) {
  napi_env env = s->env;
  uint32_t count = 0;
  (void)unused;
  for (int attempt = 0; attempt < READ_BATCH; attempt++) {
    struct sockaddr_nl from;
    socklen_t from_length = sizeof from;
    ssize_t n = recvfrom(s->fd, s->buffer, s->buffer_size, MSG_TRUNC, (struct sockaddr *)&from, &from_length);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) *err = errno_error(env, "recv", s->name, errno);
      break;
    }
    if ((size_t)n > s->buffer_size) {
      /* Cut short: its messages cannot be trusted, so the owner treats it as lost events. */
      *err = errno_error(env, "recv", s->name, EMSGSIZE);
      break;
    }
    if (from.nl_pid != 0) continue; /* only the kernel speaks to us */
    napi_value datagram;
    if (napi_create_buffer_copy(env, (size_t)n, s->buffer, NULL, &datagram) != napi_ok) break;
    napi_set_element(env, datagrams, count, datagram);
    count++;
  }
  return count;
}

static int open_netlink_fd(napi_env env, uint32_t groups) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) {
    throw_errno(env, "socket", NAME, errno);
    return -1;
  }
  int size = RECEIVE_BUFFER_BYTES;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size); /* best effort: ENOBUFS is handled anyway */
  }
  struct sockaddr_nl address;
  memset(&address, 0, sizeof address);
  address.nl_family = AF_NETLINK;
  address.nl_groups = groups; /* subscribed from bind on: an event after this is queued for us */
  if (bind(fd, (struct sockaddr *)&address, sizeof address) < 0) {
    int err = errno;
    close(fd);
    throw_errno(env, "bind", NAME, err);
    return -1;
  }
  return fd;
}

static napi_value netlink_new(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], self;
  uint32_t groups = 0;
  napi_valuetype callback_type = napi_undefined;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  if (argc < 2 || napi_get_value_uint32(env, argv[0], &groups) != napi_ok ||
      napi_typeof(env, argv[1], &callback_type) != napi_ok || callback_type != napi_function) {
    napi_throw_type_error(env, NULL, "Netlink(groups: number, onDatagrams: function)");
    return NULL;
  }
  int fd = open_netlink_fd(env, groups);
  if (fd < 0) return NULL;
  return watch_socket(env, self, fd, NAME, DATAGRAM_BUFFER_SIZE, read_datagrams, argv[1], "HeraldNetlinkSocket") == NULL
             ? NULL
             : self;
}

static napi_value netlink_send(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  watched_socket *s = unwrap_open(env, info, &argc, argv, "send");
  if (s == NULL) return NULL;
  void *data = NULL;
  size_t length = 0;
  if (argc < 1 || !uint8_array_bytes(env, argv[0], &data, &length)) {
    napi_throw_type_error(env, NULL, "send(message: Uint8Array)");
    return NULL;
  }
  struct sockaddr_nl kernel;
  memset(&kernel, 0, sizeof kernel);
  kernel.nl_family = AF_NETLINK;
  ssize_t sent;
  do sent = sendto(s->fd, data, length, 0, (struct sockaddr *)&kernel, sizeof kernel);
  while (sent < 0 && errno == EINTR);
  if (sent < 0) throw_errno(env, "send", s->name, errno);
  else if ((size_t)sent != length) throw_errno(env, "send", s->name, EMSGSIZE);
  return NULL;
}

napi_status define_netlink_class(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"send", NULL, netlink_send, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, socket_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value constructor;
  napi_status status = napi_define_class(env, "Netlink", NAPI_AUTO_LENGTH, netlink_new, NULL,
                                         sizeof methods / sizeof methods[0], methods, &constructor);
  return status != napi_ok ? status : napi_set_named_property(env, exports, "Netlink", constructor);
}

#endif
