// The alerts that need the whole product, on the lab's full stack (cluster.ts: an API server, the controller and three
// speakers as the manifests start them), judged by a real Prometheus in the client's namespace scraping all four.
// A Service announced by layer 2: the controller's assignment and one speaker's announcement meet, nothing alerts.
// Its endpoints gone: nobody may announce it, and HeraldAddressNotAnnounced goes pending naming it; back, it clears.
// The controller stopped: HeraldControllerNoLeader goes pending.
import { startLabPrometheus, type LabPrometheus } from './lab-prometheus.js';
import { applyObjects, endpointSlice, externalIp, kubectl, upCluster, userObjects } from '../lab/cluster.js';
import { down, findProc, killProc } from '../lab/lab.js';
import { waitForSpeakerQuorum } from '../lab/speakers.js';
import { NODES, vip4 } from '../lab/topology.js';
import { waitFor } from '../integration/harness.js';

const NS = 'shop';
const slice = endpointSlice(NS, 'web', NODES);
let ip = '';
let prometheus: LabPrometheus | undefined;

const lab = (): LabPrometheus => {
  if (prometheus === undefined) throw new Error('prometheus did not start');
  return prometheus;
};
const activeAlerts = async (): Promise<{ labels: Record<string, string>; state: string }[]> =>
  (await lab().server.api<{ alerts: { labels: Record<string, string>; state: string }[] }>('alerts')).alerts;
const count = async (expr: string): Promise<number> =>
  Number((await lab().server.api<{ result: { value: [number, string] }[] }>('query', { query: `count(${expr}) or vector(0)` })).result[0]?.value[1]);

beforeAll(async () => {
  await down();
  await upCluster();
  await applyObjects([...userObjects(NS, [`${vip4(0)}-${vip4(9)}`]), slice]);
  ip = await externalIp(NS, 'web');
  for (const node of NODES) await waitForSpeakerQuorum(node);
  prometheus = await startLabPrometheus({ controller: true });
  await waitFor('the controller and the speakers scraped, the IP assigned and announced', async () =>
    await count('up == 1') === 4 && await count(`herald_controller_address_assigned{ip="${ip}"}`) === 1
    && await count(`herald_speaker_announced{ip="${ip}"}`) === 1, 60_000);
}, 180_000);

afterAll(async () => {
  await prometheus?.stop();
  await down();
});

test('announced by one node: the assignment meets the announcement, and no alert is pending or firing', async () => {
  const announcers = Object.keys(await lab().perNode(`herald_speaker_announced{ip="${ip}", service="${NS}/web", protocol="layer2"}`));
  expect(announcers).toHaveLength(1);
  expect(NODES).toContain(announcers[0]);
  expect(await count(`herald_controller_address_assigned{ip="${ip}", service="${NS}/web", pool="lab"}`)).toBe(1);
  expect(await count('herald_controller_is_leader == 1')).toBe(1);
  await new Promise((r) => setTimeout(r, 3000)); // three rule evaluations on these series
  expect(await activeAlerts()).toEqual([]);
});

test('its endpoints gone: HeraldAddressNotAnnounced pending for shop/web and its IP; back, it clears', async () => {
  await kubectl(['delete', 'endpointslice', 'web-lab', '-n', NS]);
  try {
    const pending = await waitFor('the alert', async () => {
      const now = (await activeAlerts()).filter((a) => a.labels.alertname === 'HeraldAddressNotAnnounced');
      return now.length > 0 ? now : undefined;
    }, 30_000);
    expect(pending.map((a) => ({ ...a.labels }))).toEqual([
      { alertname: 'HeraldAddressNotAnnounced', service: `${NS}/web`, ip, pool: 'lab', severity: 'critical' },
    ]);
    expect(await count(`herald_speaker_announced{ip="${ip}"}`)).toBe(0);
  } finally {
    await applyObjects([slice]);
  }
  await waitFor('the alert gone', async () => (await activeAlerts()).every((a) => a.labels.alertname !== 'HeraldAddressNotAnnounced'), 30_000);
  expect(await count(`herald_speaker_announced{ip="${ip}"}`)).toBe(1);
});

test('the controller stopped: HeraldControllerNoLeader pending', async () => {
  const controller = findProc('controller');
  if (controller === undefined) throw new Error('no controller runs in the lab');
  await killProc(controller, 'SIGTERM', 5000);
  const pending = await waitFor('the alert', async () => {
    const now = (await activeAlerts()).filter((a) => a.labels.alertname === 'HeraldControllerNoLeader');
    return now.length > 0 ? now : undefined;
  }, 30_000);
  expect(pending.map((a) => ({ ...a.labels, state: a.state }))).toEqual([{ alertname: 'HeraldControllerNoLeader', severity: 'critical', state: 'pending' }]);
});
