// Herald's BGP session driver: the sockets and timers around the pure sessions of ../session (STYLE.md §10).
export { BgpListener, BGP_PORT, plainAddress, type BgpListenerOptions } from './listener.js';
export { BgpPeer, type BgpPeerOptions, type EventListener, type PeerListener, type PeerStatus } from './peer.js';
export { tcpConnector, type Connector } from './connection.js';
