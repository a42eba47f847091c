/*
 * herald_packet: AF_PACKET sockets for Node.js, as a Node-API (NAPI_VERSION 8) addon.
 *
 * One Socket = one SOCK_RAW packet socket bound to one interface for one EtherType. The fd is
 * non-blocking and watched by a libuv poll handle on Node's own loop: when it is readable we read frames
 * until EAGAIN (at most READ_BATCH per wakeup, so a flood cannot starve the loop; the poll is
 * level-triggered and fires again) and hand them to JS in one call. Outgoing frames (our own sends,
 * and the host's) are dropped here, so JS only sees what arrived.
 *
 * JS surface (wrapped by packet-socket.ts, which is the documented API):
 *   new Socket(ifname, ethertype, onFrames(err, frames[], packetTypes[]))
 *   socket.send(uint8array)   socket.addMembership(mac6)   socket.dropMembership(mac6)
 *   socket.close(done)        -- done() runs once the fd is closed; no onFrames after close().
 * Errors are JS Errors "<op> on \"<ifname>\": <strerror>" with .code ("EPERM"...), .errno, .syscall.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#ifdef __linux__
#include <errno.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define READ_BATCH 64
/* Largest frame we accept: 64 KiB covers any MTU a NIC offers (jumbo frames are ~9 KiB). */
#define FRAME_BUFFER_SIZE 65536
#define MAC_LENGTH 6

enum socket_state { STATE_OPEN, STATE_CLOSING, STATE_CLOSED };

typedef struct {
  napi_env env;
  napi_ref on_frames; /* strong while open: keeps the callback (and through it the JS owner) alive */
  napi_ref on_closed;
  napi_ref self_while_closing; /* strong from close() until done(): a finalizer must not cut the close short */
  napi_async_context async_context;
  uv_poll_t poll;
  int fd;
  int ifindex;
  enum socket_state state;
  int finalized; /* the JS object is gone: free once the poll handle is closed, call no JS */
  char ifname[IF_NAMESIZE];
  unsigned char *buffer;
} packet_socket;

#define CHECK(env, call)                                                              \
  do {                                                                               \
    if ((call) != napi_ok) {                                                         \
      napi_throw_error((env), NULL, "herald_packet: Node-API call failed: " #call); \
      return NULL;                                                                   \
    }                                                                                \
  } while (0)

static const char *errno_name(int err) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  const char *name = strerrorname_np(err);
  if (name != NULL) return name;
#endif
  (void)err;
  return "ERR_HERALD_PACKET";
}

/* Builds Error("<op> on \"<ifname>\": <strerror>") with .code, .errno and .syscall. */
static napi_value errno_error(napi_env env, const char *op, const char *ifname, int err) {
  char text[160];
  napi_value code, message, error, number, syscall;
  snprintf(text, sizeof text, "%s on \"%s\": %s", op, ifname, strerror(err));
  napi_create_string_utf8(env, errno_name(err), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_create_int32(env, err, &number);
  napi_set_named_property(env, error, "errno", number);
  napi_create_string_utf8(env, op, NAPI_AUTO_LENGTH, &syscall);
  napi_set_named_property(env, error, "syscall", syscall);
  return error;
}

static void throw_errno(napi_env env, const char *op, const char *ifname, int err) {
  napi_throw(env, errno_error(env, op, ifname, err));
}

/* Calls a JS function from a libuv callback, in a callback scope so that promise jobs and nextTicks the
 * callback queues run right after it. An exception it throws becomes an uncaught exception. */
static void call_js(packet_socket *s, napi_ref fn_ref, size_t argc, napi_value *argv) {
  napi_env env = s->env;
  napi_value fn, recv, exception;
  if (napi_get_reference_value(env, fn_ref, &fn) != napi_ok || fn == NULL) return;
  napi_get_global(env, &recv); /* napi_make_callback wants an object as `this` */
  if (napi_make_callback(env, s->async_context, recv, fn, argc, argv, NULL) == napi_pending_exception) {
    napi_get_and_clear_last_exception(env, &exception);
    napi_fatal_exception(env, exception);
  }
}

/* Reads until EAGAIN or READ_BATCH frames; returns the count and sets *err on a receive error. */
static uint32_t read_batch(packet_socket *s, napi_value frames, napi_value types, napi_value *err) {
  napi_env env = s->env;
  uint32_t count = 0;
  for (int attempt = 0; attempt < READ_BATCH; attempt++) {
    struct sockaddr_ll from;
    socklen_t from_length = sizeof from;
    ssize_t n = recvfrom(s->fd, s->buffer, FRAME_BUFFER_SIZE, MSG_TRUNC, (struct sockaddr *)&from, &from_length);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) *err = errno_error(env, "recvfrom", s->ifname, errno);
      break;
    }
    /* Kernels without PACKET_IGNORE_OUTGOING (< 4.20) loop our own sends back; a frame larger than the
     * buffer (MSG_TRUNC reports its real size) is not one of ours to answer. Both are skipped. */
    if (from.sll_pkttype == PACKET_OUTGOING || n > FRAME_BUFFER_SIZE) continue;
    napi_value frame, type;
    if (napi_create_buffer_copy(env, (size_t)n, s->buffer, NULL, &frame) != napi_ok) break;
    napi_create_uint32(env, from.sll_pkttype, &type);
    napi_set_element(env, frames, count, frame);
    napi_set_element(env, types, count, type);
    count++;
  }
  return count;
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  packet_socket *s = handle->data;
  napi_env env = s->env;
  napi_handle_scope scope;
  (void)events;
  if (s->state != STATE_OPEN || napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value argv[3];
  napi_get_null(env, &argv[0]);
  napi_create_array(env, &argv[1]);
  napi_create_array(env, &argv[2]);
  uint32_t count = 0;
  if (status < 0) {
    /* libuv turns POLLERR into UV_EBADF and stops the handle. For a packet socket POLLERR means a pending
     * socket error, e.g. ENETDOWN when the interface goes down: report that error (reading SO_ERROR clears
     * it) and keep polling, since the socket works again when the interface comes back up. Anything else
     * would fire again at once, so polling stays stopped and the owner is told. */
    int socket_error = 0;
    socklen_t length = sizeof socket_error;
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &socket_error, &length) == 0 && socket_error != 0) {
      argv[0] = errno_error(env, "recv", s->ifname, socket_error);
      uv_poll_start(handle, UV_READABLE, on_readable);
    } else {
      uv_poll_stop(handle);
      argv[0] = errno_error(env, "poll", s->ifname, -status);
    }
  } else {
    count = read_batch(s, argv[1], argv[2], &argv[0]);
  }
  napi_valuetype error_type;
  napi_typeof(env, argv[0], &error_type);
  if (count > 0 || error_type != napi_null) call_js(s, s->on_frames, 3, argv);
  napi_close_handle_scope(env, scope);
}

static void release_js(packet_socket *s) {
  if (s->on_frames != NULL) napi_delete_reference(s->env, s->on_frames);
  if (s->on_closed != NULL) napi_delete_reference(s->env, s->on_closed);
  if (s->self_while_closing != NULL) napi_delete_reference(s->env, s->self_while_closing);
  if (s->async_context != NULL) napi_async_destroy(s->env, s->async_context);
  s->on_frames = NULL;
  s->on_closed = NULL;
  s->self_while_closing = NULL;
  s->async_context = NULL;
}

static void free_socket(packet_socket *s) {
  free(s->buffer);
  free(s);
}

/* The poll handle is closed: only now may the fd be closed (libuv must not watch a closed fd). */
static void on_poll_closed(uv_handle_t *handle) {
  packet_socket *s = handle->data;
  close(s->fd);
  s->fd = -1;
  s->state = STATE_CLOSED;
  if (s->finalized) {
    free_socket(s);
    return;
  }
  napi_handle_scope scope;
  if (s->on_closed != NULL && napi_open_handle_scope(s->env, &scope) == napi_ok) {
    call_js(s, s->on_closed, 0, NULL);
    napi_close_handle_scope(s->env, scope);
  }
  release_js(s);
}

static void begin_close(packet_socket *s) {
  s->state = STATE_CLOSING;
  uv_poll_stop(&s->poll);
  uv_close((uv_handle_t *)&s->poll, on_poll_closed);
}

static void finalize_socket(napi_env env, void *data, void *hint) {
  packet_socket *s = data;
  (void)env;
  (void)hint;
  s->finalized = 1;
  release_js(s);
  if (s->state == STATE_OPEN) begin_close(s); /* frees in on_poll_closed */
  else if (s->state == STATE_CLOSED) free_socket(s);
  /* STATE_CLOSING: on_poll_closed frees. */
}

static packet_socket *unwrap(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  void *data = NULL;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok || napi_unwrap(env, self, &data) != napi_ok) {
    napi_throw_error(env, NULL, "herald_packet: not a Socket");
    return NULL;
  }
  return data;
}

/* The bytes behind a Uint8Array (a Buffer is one), without copying; false for anything else. */
static bool uint8_array_bytes(napi_env env, napi_value value, void **data, size_t *length) {
  bool is_typedarray = false;
  napi_typedarray_type type;
  return napi_is_typedarray(env, value, &is_typedarray) == napi_ok && is_typedarray &&
         napi_get_typedarray_info(env, value, &type, length, data, NULL, NULL) == napi_ok &&
         type == napi_uint8_array;
}

static packet_socket *unwrap_open(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv, const char *op) {
  packet_socket *s = unwrap(env, info, argc, argv);
  if (s != NULL && s->state != STATE_OPEN) {
    throw_errno(env, op, s->ifname, EBADF);
    return NULL;
  }
  return s;
}

/* Creates the socket and binds it. Protocol 0 at socket() time means "receive nothing" until bind()
 * names both the interface and the EtherType, so no frame from another interface slips in between. */
static int open_packet_fd(napi_env env, const char *ifname, int ethertype, int *ifindex_out) {
  unsigned int ifindex = if_nametoindex(ifname);
  if (ifindex == 0) {
    throw_errno(env, "if_nametoindex", ifname, errno);
    return -1;
  }
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    throw_errno(env, "socket", ifname, errno);
    return -1;
  }
  int one = 1;
#ifdef PACKET_IGNORE_OUTGOING
  /* Linux >= 4.20; older kernels return ENOPROTOOPT and read_batch skips PACKET_OUTGOING instead. */
  setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
#else
  (void)one;
#endif
  struct sockaddr_ll address;
  memset(&address, 0, sizeof address);
  address.sll_family = AF_PACKET;
  address.sll_protocol = htons((uint16_t)ethertype);
  address.sll_ifindex = (int)ifindex;
  if (bind(fd, (struct sockaddr *)&address, sizeof address) < 0) {
    int err = errno;
    close(fd);
    throw_errno(env, "bind", ifname, err);
    return -1;
  }
  *ifindex_out = (int)ifindex;
  return fd;
}

static napi_value socket_new(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], self, resource, name;
  char ifname[IF_NAMESIZE + 1];
  size_t ifname_length = 0;
  int32_t ethertype = 0;
  napi_valuetype callback_type = napi_undefined;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  if (argc < 3 || napi_get_value_string_utf8(env, argv[0], ifname, sizeof ifname, &ifname_length) != napi_ok ||
      napi_get_value_int32(env, argv[1], &ethertype) != napi_ok || napi_typeof(env, argv[2], &callback_type) != napi_ok ||
      callback_type != napi_function) {
    napi_throw_type_error(env, NULL, "Socket(ifname: string, ethertype: number, onFrames: function)");
    return NULL;
  }
  if (ifname_length >= IF_NAMESIZE || ifname_length == 0) {
    throw_errno(env, "open", ifname, ENODEV);
    return NULL;
  }
  int ifindex = 0;
  int fd = open_packet_fd(env, ifname, ethertype, &ifindex);
  if (fd < 0) return NULL;

  packet_socket *s = calloc(1, sizeof *s);
  unsigned char *buffer = malloc(FRAME_BUFFER_SIZE);
  uv_loop_t *loop = NULL;
  if (s == NULL || buffer == NULL || napi_get_uv_event_loop(env, &loop) != napi_ok ||
      uv_poll_init_socket(loop, &s->poll, fd) != 0) {
    free(buffer);
    free(s);
    close(fd);
    throw_errno(env, "open", ifname, ENOMEM);
    return NULL;
  }
  s->env = env;
  s->fd = fd;
  s->ifindex = ifindex;
  s->buffer = buffer;
  s->state = STATE_OPEN;
  s->poll.data = s;
  memcpy(s->ifname, ifname, ifname_length + 1);
  napi_create_object(env, &resource);
  napi_create_string_utf8(env, "HeraldPacketSocket", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, resource, name, &s->async_context);
  napi_create_reference(env, argv[2], 1, &s->on_frames);
  if (napi_wrap(env, self, s, finalize_socket, NULL, NULL) != napi_ok) {
    release_js(s);
    s->finalized = 1;
    begin_close(s);
    napi_throw_error(env, NULL, "herald_packet: napi_wrap failed");
    return NULL;
  }
  uv_poll_start(&s->poll, UV_READABLE, on_readable);
  return self;
}

static napi_value socket_send(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  packet_socket *s = unwrap_open(env, info, &argc, argv, "send");
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
  if (sent < 0) throw_errno(env, "send", s->ifname, errno);
  else if ((size_t)sent != length) throw_errno(env, "send", s->ifname, EMSGSIZE);
  return NULL;
}

static napi_value change_membership(napi_env env, napi_callback_info info, int option, const char *op) {
  size_t argc = 1;
  napi_value argv[1];
  packet_socket *s = unwrap_open(env, info, &argc, argv, op);
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
  if (setsockopt(s->fd, SOL_PACKET, option, &request, sizeof request) < 0) throw_errno(env, op, s->ifname, errno);
  return NULL;
}

static napi_value socket_add_membership(napi_env env, napi_callback_info info) {
  return change_membership(env, info, PACKET_ADD_MEMBERSHIP, "addMembership");
}

static napi_value socket_drop_membership(napi_env env, napi_callback_info info) {
  return change_membership(env, info, PACKET_DROP_MEMBERSHIP, "dropMembership");
}

static napi_value socket_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_valuetype type = napi_undefined;
  packet_socket *s = unwrap_open(env, info, &argc, argv, "close");
  if (s == NULL) return NULL;
  if (argc < 1 || napi_typeof(env, argv[0], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, NULL, "close(done: function)");
    return NULL;
  }
  napi_value self;
  CHECK(env, napi_get_cb_info(env, info, NULL, NULL, &self, NULL));
  CHECK(env, napi_create_reference(env, argv[0], 1, &s->on_closed));
  /* Once on_frames is gone nothing else may hold the JS object; without this reference it could be
   * collected before the poll handle finishes closing, and done() would never be called. */
  CHECK(env, napi_create_reference(env, self, 1, &s->self_while_closing));
  /* Drop the frame callback now: nothing is delivered after close(), and the JS owner may be collected. */
  napi_delete_reference(env, s->on_frames);
  s->on_frames = NULL;
  begin_close(s);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"send", NULL, socket_send, NULL, NULL, NULL, napi_default, NULL},
      {"addMembership", NULL, socket_add_membership, NULL, NULL, NULL, napi_default, NULL},
      {"dropMembership", NULL, socket_drop_membership, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, socket_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value constructor;
  CHECK(env, napi_define_class(env, "Socket", NAPI_AUTO_LENGTH, socket_new, NULL, sizeof methods / sizeof methods[0],
                               methods, &constructor));
  CHECK(env, napi_set_named_property(env, exports, "Socket", constructor));
  return exports;
}

#else /* not Linux: AF_PACKET does not exist; load, but refuse to open (the speaker runs on Linux only). */

static napi_value socket_new(napi_env env, napi_callback_info info) {
  (void)info;
  napi_throw_error(env, "ENOSYS", "herald_packet: AF_PACKET sockets exist only on Linux");
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value constructor;
  if (napi_define_class(env, "Socket", NAPI_AUTO_LENGTH, socket_new, NULL, 0, NULL, &constructor) == napi_ok)
    napi_set_named_property(env, exports, "Socket", constructor);
  return exports;
}

#endif

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
