/*
 * The lifecycle every herald_packet socket shares (herald_socket.h): poll, read in batches, deliver to JS,
 * close only once libuv has let go of the fd, and free only once both JS and libuv are done with it.
 */
#define _GNU_SOURCE
#ifdef __linux__
#include "herald_socket.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *errno_name(int err) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  const char *name = strerrorname_np(err);
  if (name != NULL) return name;
#endif
  (void)err;
  return "ERR_HERALD_PACKET";
}

napi_value errno_error(napi_env env, const char *op, const char *name, int err) {
  char text[160];
  napi_value code, message, error, number, syscall;
  snprintf(text, sizeof text, "%s on \"%s\": %s", op, name, strerror(err));
  napi_create_string_utf8(env, errno_name(err), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_create_int32(env, err, &number);
  napi_set_named_property(env, error, "errno", number);
  napi_create_string_utf8(env, op, NAPI_AUTO_LENGTH, &syscall);
  napi_set_named_property(env, error, "syscall", syscall);
  return error;
}

void throw_errno(napi_env env, const char *op, const char *name, int err) {
  napi_throw(env, errno_error(env, op, name, err));
}

bool fd_argument(napi_env env, napi_value value, int32_t *fd) {
  if (napi_get_value_int32(env, value, fd) == napi_ok && *fd >= 0) return true;
  napi_throw_type_error(env, NULL, "fd: a file descriptor number");
  return false;
}

bool uint8_array_bytes(napi_env env, napi_value value, void **data, size_t *length) {
  bool is_typedarray = false;
  napi_typedarray_type type;
  return napi_is_typedarray(env, value, &is_typedarray) == napi_ok && is_typedarray &&
         napi_get_typedarray_info(env, value, &type, length, data, NULL, NULL) == napi_ok &&
         type == napi_uint8_array;
}

/* Calls a JS function from a libuv callback, in a callback scope so that promise jobs and nextTicks the
 * callback queues run right after it. An exception it throws becomes an uncaught exception. */
static void call_js(watched_socket *s, napi_ref fn_ref, size_t argc, napi_value *argv) {
  napi_env env = s->env;
  napi_value fn, recv, exception;
  if (napi_get_reference_value(env, fn_ref, &fn) != napi_ok || fn == NULL) return;
  napi_get_global(env, &recv); /* napi_make_callback wants an object as `this` */
  if (napi_make_callback(env, s->async_context, recv, fn, argc, argv, NULL) == napi_pending_exception) {
    napi_get_and_clear_last_exception(env, &exception);
    napi_fatal_exception(env, exception);
  }
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  watched_socket *s = handle->data;
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
    /* libuv turns POLLERR into UV_EBADF and stops the handle. POLLERR here means a pending socket error:
     * ENETDOWN when a packet socket's interface goes down, ENOBUFS when a netlink socket overran. Report
     * that error (reading SO_ERROR clears it) and keep polling: the socket works again afterwards. Anything
     * else would fire again at once, so polling stays stopped and the owner is told. */
    int socket_error = 0;
    socklen_t length = sizeof socket_error;
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &socket_error, &length) == 0 && socket_error != 0) {
      argv[0] = errno_error(env, "recv", s->name, socket_error);
      uv_poll_start(handle, UV_READABLE, on_readable);
    } else {
      uv_poll_stop(handle);
      argv[0] = errno_error(env, "poll", s->name, -status);
    }
  } else {
    count = s->read_batch(s, argv[1], argv[2], &argv[0]);
  }
  napi_valuetype error_type;
  napi_typeof(env, argv[0], &error_type);
  if (count > 0 || error_type != napi_null) call_js(s, s->on_data, 3, argv);
  napi_close_handle_scope(env, scope);
}

static void release_js(watched_socket *s) {
  if (s->on_data != NULL) napi_delete_reference(s->env, s->on_data);
  if (s->on_closed != NULL) napi_delete_reference(s->env, s->on_closed);
  if (s->self_while_closing != NULL) napi_delete_reference(s->env, s->self_while_closing);
  if (s->async_context != NULL) napi_async_destroy(s->env, s->async_context);
  s->on_data = NULL;
  s->on_closed = NULL;
  s->self_while_closing = NULL;
  s->async_context = NULL;
}

static void free_socket(watched_socket *s) {
  free(s->buffer);
  free(s);
}

/* The poll handle is closed: only now may the fd be closed (libuv must not watch a closed fd). */
static void on_poll_closed(uv_handle_t *handle) {
  watched_socket *s = handle->data;
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

static void begin_close(watched_socket *s) {
  s->state = STATE_CLOSING;
  uv_poll_stop(&s->poll);
  uv_close((uv_handle_t *)&s->poll, on_poll_closed);
}

static void finalize_socket(napi_env env, void *data, void *hint) {
  watched_socket *s = data;
  (void)env;
  (void)hint;
  s->finalized = 1;
  release_js(s);
  if (s->state == STATE_OPEN) begin_close(s); /* frees in on_poll_closed */
  else if (s->state == STATE_CLOSED) free_socket(s);
  /* STATE_CLOSING: on_poll_closed frees. */
}

watched_socket *watch_socket(napi_env env, napi_value self, int fd, const char *name, size_t buffer_size,
                             read_batch_fn read_batch, napi_value on_data, const char *resource_name) {
  watched_socket *s = calloc(1, sizeof *s);
  unsigned char *buffer = malloc(buffer_size);
  uv_loop_t *loop = NULL;
  if (s == NULL || buffer == NULL || napi_get_uv_event_loop(env, &loop) != napi_ok ||
      uv_poll_init_socket(loop, &s->poll, fd) != 0) {
    free(buffer);
    free(s);
    close(fd);
    throw_errno(env, "open", name, ENOMEM);
    return NULL;
  }
  napi_value resource, resource_name_value;
  s->env = env;
  s->fd = fd;
  s->buffer = buffer;
  s->buffer_size = buffer_size;
  s->read_batch = read_batch;
  s->state = STATE_OPEN;
  s->poll.data = s;
  snprintf(s->name, sizeof s->name, "%s", name);
  napi_create_object(env, &resource);
  napi_create_string_utf8(env, resource_name, NAPI_AUTO_LENGTH, &resource_name_value);
  napi_async_init(env, resource, resource_name_value, &s->async_context);
  napi_create_reference(env, on_data, 1, &s->on_data);
  if (napi_wrap(env, self, s, finalize_socket, NULL, NULL) != napi_ok) {
    release_js(s);
    s->finalized = 1;
    begin_close(s);
    napi_throw_error(env, NULL, "herald_packet: napi_wrap failed");
    return NULL;
  }
  uv_poll_start(&s->poll, UV_READABLE, on_readable);
  return s;
}

watched_socket *unwrap_open(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv, const char *op) {
  napi_value self;
  void *data = NULL;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok || napi_unwrap(env, self, &data) != napi_ok) {
    napi_throw_error(env, NULL, "herald_packet: not a socket of this addon");
    return NULL;
  }
  watched_socket *s = data;
  if (s->state != STATE_OPEN) {
    throw_errno(env, op, s->name, EBADF);
    return NULL;
  }
  return s;
}

napi_value socket_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_valuetype type = napi_undefined;
  watched_socket *s = unwrap_open(env, info, &argc, argv, "close");
  if (s == NULL) return NULL;
  if (argc < 1 || napi_typeof(env, argv[0], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, NULL, "close(done: function)");
    return NULL;
  }
  napi_value self;
  CHECK(env, napi_get_cb_info(env, info, NULL, NULL, &self, NULL));
  CHECK(env, napi_create_reference(env, argv[0], 1, &s->on_closed));
  /* Once on_data is gone nothing else may hold the JS object; without this reference it could be
   * collected before the poll handle finishes closing, and done() would never be called. */
  CHECK(env, napi_create_reference(env, self, 1, &s->self_while_closing));
  /* Drop the data callback now: nothing is delivered after close(), and the JS owner may be collected. */
  napi_delete_reference(env, s->on_data);
  s->on_data = NULL;
  begin_close(s);
  return NULL;
}

#endif
