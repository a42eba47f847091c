// Herald's BFD, the pure part (RFC 5880 asynchronous mode, RFC 5881 single hop): the Control packet codec,
// the reception checks, and the session state machine. No sockets, timers or clock: a driver does the I/O.
export * from './authentication.js';
export * from './constants.js';
export * from './errors.js';
export * from './packet.js';
export * from './receive.js';
export * from './session.js';
export * from './session-state.js';
export * from './timers.js';
