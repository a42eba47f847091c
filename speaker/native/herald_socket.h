/*
 * What every socket of the herald_packet addon shares: a non-blocking fd watched by a libuv poll handle on
 * Node's own loop, a read function that drains it in batches, a JS callback that receives each batch, and a
 * close that waits for libuv to let go of the fd. herald_packet.c (AF_PACKET) and herald_netlink.c
 * (NETLINK_ROUTE) differ only in how they open the fd, what they read and what they send.
 */
#ifndef HERALD_SOCKET_H
#define HERALD_SOCKET_H

#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#define CHECK(env, call)                                                              \
  do {                                                                               \
    if ((call) != napi_ok) {                                                         \
      napi_throw_error((env), NULL, "herald_packet: Node-API call failed: " #call); \
      return NULL;                                                                   \
    }                                                                                \
  } while (0)

/* Reads at most this many frames or datagrams per wakeup, so a flood cannot starve the loop; the poll is
 * level-triggered and fires again while more is queued. */
#define READ_BATCH 64

enum socket_state { STATE_OPEN, STATE_CLOSING, STATE_CLOSED };

typedef struct watched_socket watched_socket;

/* Reads until EAGAIN or READ_BATCH items into `items` (Buffers) and `meta` (one number each); returns the
 * count and sets *err on a receive error. */
typedef uint32_t (*read_batch_fn)(watched_socket *s, napi_value items, napi_value meta, napi_value *err);

struct watched_socket {
  napi_env env;
  napi_ref on_data; /* strong while open: keeps the callback (and through it the JS owner) alive */
  napi_ref on_closed;
  napi_ref self_while_closing; /* strong from close() until done(): a finalizer must not cut the close short */
  napi_async_context async_context;
  uv_poll_t poll;
  int fd;
  enum socket_state state;
  int finalized; /* the JS object is gone: free once the poll handle is closed, call no JS */
  char name[32]; /* what errors name: the interface, or "rtnetlink" */
  int ifindex;   /* AF_PACKET only */
  unsigned char *buffer;
  size_t buffer_size;
  read_batch_fn read_batch;
};

/* Error("<op> on \"<name>\": <strerror>") with .code ("EPERM"...), .errno and .syscall. */
napi_value errno_error(napi_env env, const char *op, const char *name, int err);
void throw_errno(napi_env env, const char *op, const char *name, int err);

/* The bytes behind a Uint8Array (a Buffer is one), without copying; false for anything else. */
bool uint8_array_bytes(napi_env env, napi_value value, void **data, size_t *length);

/* A file descriptor argument (an int32 >= 0); throws a TypeError otherwise. */
bool fd_argument(napi_env env, napi_value value, int32_t *fd);

/* Takes ownership of fd: allocates the socket and its receive buffer, wraps `self` and starts polling. On
 * failure it closes fd, throws and returns NULL. */
watched_socket *watch_socket(napi_env env, napi_value self, int fd, const char *name, size_t buffer_size,
                             read_batch_fn read_batch, napi_value on_data, const char *resource_name);

/* `this` of a method call as an open socket; throws EBADF (naming the op) once close() was called. */
watched_socket *unwrap_open(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv, const char *op);

/* The JS close(done) method: nothing is delivered after it; done() runs once the fd is closed. */
napi_value socket_close(napi_env env, napi_callback_info info);

/* The addon's classes and functions, each defined on `exports` by its own file. */
napi_status define_packet_class(napi_env env, napi_value exports);  /* herald_packet.c: Socket */
napi_status define_netlink_class(napi_env env, napi_value exports); /* herald_netlink.c: Netlink */
napi_status define_udp_functions(napi_env env, napi_value exports); /* herald_udp.c: the heartbeat socket's filter */
napi_status define_tcp_functions(napi_env env, napi_value exports); /* herald_tcp.c: BGP's MD5 keys and TTLs */

#endif
