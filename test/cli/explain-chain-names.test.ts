// kube-proxy's chain names, against the names kube-proxy's own tests expect (k8s.io/kubernetes v1.37.2,
// pkg/proxy/iptables/proxier_test.go TestOverallIPTablesRules: "ns1/svc1:p80" and its endpoints). The running
// kube-proxy judges the rest (explain-kube-proxy.test.ts).
import { endpointChain, endpointText, servicePortChain, servicePortName } from '../../cli/explain/chain-names.js';

test.each([
  ['KUBE-SVC-', 'ns1/svc1:p80', 'KUBE-SVC-XPGD46QRK7WJZT7O'],
  ['KUBE-SVC-', 'ns2/svc2:p80', 'KUBE-SVC-GNZBNJ2PO5MGZ6GT'],
  ['KUBE-EXT-', 'ns2/svc2:p80', 'KUBE-EXT-GNZBNJ2PO5MGZ6GT'],
  ['KUBE-SVC-', 'ns4/svc4:p80', 'KUBE-SVC-4SW47YFZTEDKD3PK'],
] as const)('%s of %s (tcp) is %s', (prefix, portName, expected) => {
  expect(servicePortChain(prefix, portName, 'TCP')).toBe(expected);
});

test.each([
  ['ns1/svc1:p80', '10.180.0.1:80', 'KUBE-SEP-SXIVWICOYRO3J4NJ'],
  ['ns4/svc4:p80', '10.180.0.4:80', 'KUBE-SEP-UKSFD7AGPMPPLUHC'],
  ['ns4/svc4:p80', '10.180.0.5:80', 'KUBE-SEP-C6EBXVWJJZMIWKLZ'],
])('the endpoint chain of %s → %s is %s', (portName, endpoint, expected) => {
  expect(endpointChain(portName, 'TCP', endpoint)).toBe(expected);
});

test('the protocol is part of the hash, in lower case: the same port name over UDP is another chain', () => {
  const tcp = servicePortChain('KUBE-SVC-', 'ns1/svc1:p80', 'TCP');
  expect(servicePortChain('KUBE-SVC-', 'ns1/svc1:p80', 'UDP')).not.toBe(tcp);
  expect(servicePortChain('KUBE-SVC-', 'ns1/svc1:p80', 'SCTP')).not.toBe(tcp);
});

test('every name fits iptables\' 28 characters and uses only the base32 alphabet', () => {
  for (const prefix of ['KUBE-SVC-', 'KUBE-SVL-', 'KUBE-EXT-', 'KUBE-FW-'] as const) {
    expect(servicePortChain(prefix, 'a-long-namespace-name/a-long-service-name:a-long-port-name', 'SCTP')).toMatch(/^KUBE-[A-Z]{2,3}-[A-Z2-7]{16}$/);
  }
  expect(endpointChain('ns/x', 'UDP', '[2001:db8::1]:53').length).toBeLessThanOrEqual(28);
});

test.each([
  ['default', 'web', 'http', 'default/web:http'],
  ['default', 'web', undefined, 'default/web'],
  ['default', 'web', '', 'default/web'],
])('the service port name of %s/%s port %s is %s', (ns, name, port, expected) => {
  expect(servicePortName(ns, name, port)).toBe(expected);
});

test.each([
  ['10.180.0.1', 80, '10.180.0.1:80'],
  ['2001:DB8:0::1', 8080, '[2001:db8::1]:8080'],
  ['2001:db8:0:0:0:0:0:10', 53, '[2001:db8::10]:53'],
])('the endpoint %s port %d is written %s', (ip, port, expected) => {
  expect(endpointText(ip, port)).toBe(expected);
});
