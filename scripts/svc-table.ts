// A `kubectl get svc -A`-style table of the Services, for `npm start`'s live view.
import type { V1Service } from '@kubernetes/client-node';

export function externalIP(svc: V1Service): string {
  const ips = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '').filter((x) => x !== '');
  if (ips.length > 0) return ips.join(',');
  return svc.spec?.type === 'LoadBalancer' ? '<pending>' : '<none>';
}

function ports(svc: V1Service): string {
  const list = (svc.spec?.ports ?? []).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`);
  return list.length > 0 ? list.join(',') : '<none>';
}

function age(svc: V1Service, nowMs: number): string {
  const created = svc.metadata?.creationTimestamp;
  if (!created) return '<unknown>';
  const s = Math.max(0, Math.floor((nowMs - new Date(created).getTime()) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h`;
}

export function serviceTable(services: readonly V1Service[], nowMs: number): string {
  const rows = [...services]
    .sort((a, b) => `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`))
    .map((s) => [
      s.metadata?.namespace ?? '', s.metadata?.name ?? '', s.spec?.type ?? 'ClusterIP',
      s.spec?.clusterIP ?? '<none>', externalIP(s), ports(s), age(s, nowMs),
    ]);
  const header = ['NAMESPACE', 'NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((r) => r.map((c, i) => c.padEnd((widths[i] ?? 0) + 3)).join('').trimEnd()).join('\n');
}
