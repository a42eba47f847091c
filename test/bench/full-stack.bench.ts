// The whole product on the lab, through the API (issue 9 §7), beside anchors measured in the same run:
// - a rolling restart of the three speakers (the image's bundle) as a DaemonSet update does it (SIGTERM, start again, wait
//   until it holds quorum, next), the client probing HTTP every 10 ms and asking ARP for the VIP all along;
// - `kubectl apply` of a Service → the client's first successful HTTP answer, against the controller's own
//   allocation time (the watch that sees the IP appear) plus one ARP round trip;
// - the speaker's memory with the Kubernetes source and 1 000 Services (the bundle the image runs), against an idle
//   process importing what it imports, a bare Node process, and one importing client-node whole.
// Helpers live in test/bench/full-stack/.
import { down } from '../lab/lab.js';
import { percentile, ratio, type Benchmark, type Figure } from './figure.js';
import { applyToFirstAnswer } from './full-stack/apply-to-answer.js';
import { kubernetesSourceMemory } from './full-stack/memory.js';
import { rollingRestart } from './full-stack/rolling-restart.js';

const APPLY_TRIALS = Number(process.env.HERALD_BENCH_TRIALS ?? '10');
const ROLLING_ROUNDS = 3;

async function rollingFigures(): Promise<Figure[]> {
  const r = await rollingRestart(ROLLING_ROUNDS);
  const what = `rolling restart of 3 speakers, ${ROLLING_ROUNDS} rounds`;
  return [
    { name: `${what}: longest gap between HTTP answers (client probing every 10 ms)`, value: r.longestGapMs, unit: 'ms',
      anchor: 'the probe interval', anchorValue: 10, ratio: ratio(r.longestGapMs, 10), target: 'reported (includes a slow answer from the same node)' },
    { name: `${what}: longest gap across a handover (the answering node changed)`, value: r.longestHandoverMs, unit: 'ms',
      anchor: 'the probe interval', anchorValue: 10, ratio: ratio(r.longestHandoverMs, 10), target: 'reported (includes the prober starved of CPU)' },
    { name: `${what}: longest handover from the client's first request after the old node's last answer`, value: r.longestHandoverWaitMs,
      unit: 'ms', anchor: 'the probe interval', anchorValue: 10, ratio: ratio(r.longestHandoverWaitMs, 10), target: '< 50 ms' },
    { name: `${what}: longest the prober sent nothing (its interval: 10 ms)`, value: r.longestProberSilenceMs, unit: 'ms',
      anchor: 'the probe interval', anchorValue: 10, ratio: ratio(r.longestProberSilenceMs, 10), target: 'reported (the machine, not Herald)' },
    { name: `${what}: failed HTTP requests`, value: r.failedRequests, unit: 'requests', anchor: `of ${r.requests}`, ratio: null, target: '0' },
    { name: `${what}: ARP requests for the VIP left unanswered`, value: r.arpUnanswered, unit: 'requests',
      anchor: `of ${r.arpAsked} fresh broadcast requests (each waits 200 ms)`, ratio: null, target: '0' },
    { name: `${what}: most ARP requests in a row left unanswered`, value: r.arpLongestMiss, unit: 'requests',
      anchor: 'one request: 200 ms', ratio: null, target: '<= 1' },
  ];
}

async function applyFigures(): Promise<Figure[]> {
  const r = await applyToFirstAnswer(APPLY_TRIALS);
  const firstAnswer = percentile(r.map((t) => t.firstAnswerMs), 50);
  const allocated = percentile(r.map((t) => t.allocatedMs), 50);
  const arp = percentile(r.map((t) => t.arpRttMs), 50);
  return [
    { name: `kubectl apply of a Service → the client's first HTTP answer, p50 (${r.length} trials)`, value: firstAnswer, unit: 'ms',
      anchor: `apply → IP in the Service's status (p50 ${allocated.toFixed(0)} ms) + one ARP round trip (${arp.toFixed(2)} ms), same run`,
      anchorValue: allocated + arp, ratio: ratio(firstAnswer, allocated + arp), target: 'reported (ratio near 1: announcing adds little)' },
    { name: `kubectl apply of a Service → the client's first HTTP answer, max (${r.length} trials)`,
      value: Math.max(...r.map((t) => t.firstAnswerMs)), unit: 'ms', anchor: 'the same, max', anchorValue: Math.max(...r.map((t) => t.allocatedMs + t.arpRttMs)),
      ratio: ratio(Math.max(...r.map((t) => t.firstAnswerMs)), Math.max(...r.map((t) => t.allocatedMs + t.arpRttMs))), target: 'reported' },
  ];
}

async function memoryFigures(): Promise<Figure[]> {
  const m = await kubernetesSourceMemory();
  const settled = m.speaker.quietAfterS === undefined ? 'the speakers never quiet: taken 60 s after the last IP' : `quiet ${m.speaker.quietAfterS.toFixed(0)} s after the last IP`;
  const floor = `an idle process importing what the speaker's bundle imports (${m.imports.rss.toFixed(0)} MiB RSS, ${m.imports.anon.toFixed(0)} MiB private)`;
  return [
    { name: `speaker RSS, Kubernetes source, ${m.services} Services (dist/speaker/speaker.mjs, the image; ${settled}; the largest speaker's median over the next 30 s)`, value: m.speaker.rss, unit: 'MiB',
      anchor: floor, anchorValue: m.imports.rss, ratio: ratio(m.speaker.rss, m.imports.rss), target: '< 100 MiB' },
    { name: `speaker private memory (RssAnon), Kubernetes source, ${m.services} Services`, value: m.speaker.anon, unit: 'MiB',
      anchor: 'the same floor, private', anchorValue: m.imports.anon, ratio: ratio(m.speaker.anon, m.imports.anon), target: 'reported' },
    { name: `speaker peak RSS (VmHWM), Kubernetes source, ${m.services} Services`, value: m.speaker.peak, unit: 'MiB',
      anchor: 'the same floor', anchorValue: m.imports.rss, ratio: ratio(m.speaker.peak, m.imports.rss), target: 'reported (the start: lists, first plan, status writes)' },
    { name: `speaker RSS over a bare Node process's (${m.bare.rss.toFixed(0)} MiB)`, value: m.speaker.rss, unit: 'MiB',
      anchor: 'a bare Node process, same flags', anchorValue: m.bare.rss, ratio: ratio(m.speaker.rss, m.bare.rss), target: 'reported' },
    { name: 'idle process importing client-node whole (its index), pino and prom-client, RSS', value: m.clientNode.rss, unit: 'MiB',
      anchor: 'the floor above', anchorValue: m.imports.rss, ratio: ratio(m.clientNode.rss, m.imports.rss), target: 'reported (what the bundle leaves out)' },
    { name: 'idle process importing client-node whole, private (RssAnon)', value: m.clientNode.anon, unit: 'MiB',
      anchor: 'the floor above, private', anchorValue: m.imports.anon, ratio: ratio(m.clientNode.anon, m.imports.anon), target: 'reported' },
    { name: 'bare Node process (no imports), RSS', value: m.bare.rss, unit: 'MiB', anchor: 'the floor above', anchorValue: m.imports.rss,
      ratio: ratio(m.bare.rss, m.imports.rss), target: 'reported (what the imports add)' },
  ];
}

export const benchmark: Benchmark = {
  name: 'full-stack',
  needsRoot: true,
  async run(): Promise<Figure[]> {
    await down();
    try {
      // Each part brings the lab cluster up itself (idempotent) and leaves it as it found it.
      return [...(await rollingFigures()), ...(await applyFigures()), ...(await memoryFigures())];
    } finally {
      await down();
    }
  },
};
