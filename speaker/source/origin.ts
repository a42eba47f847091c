// Where a speaker learns what to announce and gets its heartbeat keys: the file source with a key file (the lab,
// tests), or the Kubernetes API with the key Secret and the status writers (kubernetes/origin.ts). main.ts picks one.
import type { BgpPeerStatus } from '../bgp/mode-driver.js';
import type { StatusPort } from '../loop/loop.js';
import type { KeyMismatch } from '../membership/core/index.js';
import type { AnnouncementSource } from './types.js';

export interface Origin {
  source: AnnouncementSource;
  /** The keys to build membership with, read when the first configuration arrives. */
  keys: () => readonly Buffer[];
  /** Hands later key changes to `apply`. */
  watchKeys: (apply: (keys: readonly Buffer[]) => void) => { start(): void; stop(): Promise<void> };
  /** Where the keys come from, as membership names it when a peer's keys differ ("the Secret herald-system/herald-memberlist"). */
  keysFrom: string;
  /** With the API: the peers whose keys differ changed (a Warning event on the Secret; membership logs it anyway). */
  reportKeyMismatch?: (mismatched: readonly KeyMismatch[]) => void;
  notReadyReason: () => string | undefined;
  /** With the API: whether the source is synced (the herald_speaker_api_synced metric); a file has no API to sync with. */
  apiSynced?: () => boolean;
  /** With the API: the ServiceL2Status and Service condition writers. */
  status?: StatusPort & { stop(): Promise<void> };
  /** With the API: the BGP sessions to report in each BGPPeer's status.nodes (stopped with `status`). */
  watchBgpSessions?: (statuses: () => readonly BgpPeerStatus[]) => void;
}

