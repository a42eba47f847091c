import type { V1Service } from '@kubernetes/client-node';
import { externalIP, serviceTable } from './svc-table.js';

const svc = (name: string, type: string, ips: string[] = []): V1Service => ({
  metadata: { namespace: 'demo', name, creationTimestamp: new Date(0) },
  spec: { type, clusterIP: '10.96.0.10', ports: [{ port: 80, protocol: 'TCP', nodePort: type === 'LoadBalancer' ? 30080 : undefined }] },
  status: { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } },
});

describe('service table', () => {
  test('EXTERNAL-IP shows the IPs, <pending> for a LoadBalancer without, <none> otherwise', () => {
    expect(externalIP(svc('a', 'LoadBalancer', ['192.0.2.1', '2001:db8::1']))).toBe('192.0.2.1,2001:db8::1');
    expect(externalIP(svc('b', 'LoadBalancer'))).toBe('<pending>');
    expect(externalIP(svc('c', 'ClusterIP'))).toBe('<none>');
  });

  test('rows are sorted and aligned under kubectl-like headers', () => {
    const text = serviceTable([svc('web', 'LoadBalancer', ['192.0.2.1']), svc('api', 'ClusterIP')], 90_000).split('\n');
    expect(text[0]).toMatch(/^NAMESPACE\s+NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
    expect(text[1]).toMatch(/^demo\s+api\s+ClusterIP\s+10\.96\.0\.10\s+<none>\s+80\/TCP\s+90s$/);
    expect(text[2]).toMatch(/^demo\s+web\s+LoadBalancer\s+10\.96\.0\.10\s+192\.0\.2\.1\s+80:30080\/TCP\s+90s$/);
    expect(text[0]?.indexOf('EXTERNAL-IP')).toBe(text[2]?.indexOf('192.0.2.1'));
  });
});
