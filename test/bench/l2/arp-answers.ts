// ARP requests for a VIP, one fresh `arping` each (a broadcast, like a client's first request), interleaved
// with requests for the owner's own address (its kernel answers: the anchor). Counted: requests nobody
// answered within arping's second, and the answers the speakers say they sent (requests_answered_total),
// which tells a request lost before any answer (the sum is short) from an answer that arrived late.
import { HeraldSystem, settledOwner } from '../../lab/failover.js';
import { arpingRttMs } from '../../lab/judges.js';
import { HttpProber } from '../../lab/probe.js';
import { metricValue, speakerMetrics } from '../../lab/speakers.js';
import { NODES, hostByName, v4Of } from '../../lab/topology.js';

export interface ArpAnswers {
  samples: number;
  /** arping's round trips for the VIP (the speaker answers) and for the owner's address (its kernel). */
  herald: number[];
  kernel: number[];
  unanswered: number;
  /** Requests for the owner's own address nobody answered: the kernel's loss under the same load. */
  kernelUnanswered: number;
  speakerAnswers: number;
}

/** ARP and NDP answers all three speakers have sent so far; a speaker that does not answer /metrics counts 0. */
async function requestsAnswered(): Promise<number> {
  const texts = await Promise.all(NODES.map((node) => speakerMetrics(node)));
  return texts.reduce((sum, text) => sum + metricValue(text, 'herald_speaker_requests_answered_total'), 0);
}

export async function arpAnswers(vip: string, samples: number): Promise<ArpAnswers> {
  const system = new HeraldSystem(vip);
  // Resolves once the elected owner announces the VIP (see HeraldSystem.start): from then on every
  // request is the speaker's to answer.
  await system.start();
  const result: ArpAnswers = { samples, herald: [], kernel: [], unanswered: 0, kernelUnanswered: 0, speakerAnswers: 0 };
  try {
    const prober = await HttpProber.start(vip);
    let owner: string;
    try {
      owner = await settledOwner(prober, system.expectedOwner(), 15_000);
    } finally {
      // Stopped before counting: the client's kernel must not ask for the VIP meanwhile.
      await prober.stop();
    }
    const answeredBefore = await requestsAnswered();
    for (let i = 0; i < samples; i++) {
      const h = await arpingRttMs(vip);
      const k = await arpingRttMs(v4Of(hostByName(owner)));
      if (h === undefined) result.unanswered++;
      else result.herald.push(h);
      if (k === undefined) result.kernelUnanswered++;
      else result.kernel.push(k);
    }
    result.speakerAnswers = (await requestsAnswered()) - answeredBefore;
  } finally {
    await system.stop();
  }
  return result;
}
