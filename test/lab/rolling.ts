// A rolling restart of the speakers as a DaemonSet update performs it (maxUnavailable 1): SIGTERM one speaker,
// start it again, wait until it holds quorum (its readiness), then the next. Used by the full-stack lab test and
// by the full-stack bench, with the client asking ARP for the VIP all along.
//
// Every lab node's kernel serves the VIP (as kube-proxy does on every node), and a client that keeps talking over
// TCP keeps its neighbour entry confirmed without asking ARP again, so HTTP alone would hide an IP nobody answers
// for: the ARP requests are what show it.
import { CLUSTER_KUBECONFIG } from './cluster.js';
import { sleep } from './exec.js';
import { arpAnsweredOnce } from './judges.js';
import { startClusterSpeaker, stopSpeaker, waitForSpeakerQuorum, type StartOptions } from './speakers.js';
import { NODES } from './topology.js';

export interface ArpTally {
  asked: number;
  unanswered: number;
  /** The most requests in a row nobody answered (each waits 200 ms). */
  longestMiss: number;
}

/** Asks ARP for ip with one fresh broadcast request after another until stopped; counts what went unanswered. */
export function askArpAllAlong(ip: string): { stop(): Promise<ArpTally> } {
  let running = true;
  const tally: ArpTally = { asked: 0, unanswered: 0, longestMiss: 0 };
  let miss = 0;
  const loop = (async () => {
    while (running) {
      tally.asked++;
      if (await arpAnsweredOnce(ip)) {
        miss = 0;
      } else {
        tally.unanswered++;
        tally.longestMiss = Math.max(tally.longestMiss, ++miss);
      }
    }
  })();
  return { stop: async () => { running = false; await loop; return tally; } };
}

/** Restarts every cluster speaker in turn, `rounds` times (`options`: how they start again, e.g. from source). */
export async function rollSpeakers(rounds = 1, options: StartOptions = {}): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (const node of NODES) {
      await stopSpeaker(node, 'SIGTERM');
      startClusterSpeaker(node, CLUSTER_KUBECONFIG, [], options);
      await waitForSpeakerQuorum(node);
      await sleep(1000); // the new speaker settles (takes back what the election gives it) before the next goes
    }
  }
}
