// Kubernetes' CEL IP and CIDR libraries (kubernetes.io/docs/reference/using-api/cel/, "IP address
// library" and "CIDR library") for @bufbuild/cel. Kubernetes gives IPs and CIDRs opaque types
// (net.IP, net.CIDR); @bufbuild/cel only knows non-scalar values as protobuf messages, so each type
// is a one-field message holding the canonical text. Equal addresses then compare equal with `==`.
import { celFunc, celMethod, CelScalar, objectType, type CelFunc } from '@bufbuild/cel';
import { create, createFileRegistry, type DescMessage, type Registry } from '@bufbuild/protobuf';
import type { ReflectMessage } from '@bufbuild/protobuf/reflect';
import { FieldDescriptorProto_Label, FieldDescriptorProto_Type, FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import * as net from './netaddr.js';

const textField = {
  name: 'text', number: 1, jsonName: 'text',
  type: FieldDescriptorProto_Type.STRING, label: FieldDescriptorProto_Label.OPTIONAL,
};
export const netRegistry: Registry = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: 'herald/test/net.proto', package: 'net', syntax: 'proto3',
    messageType: [{ name: 'IP', field: [textField] }, { name: 'CIDR', field: [textField] }],
  }),
  () => undefined,
);

function message(name: string): DescMessage {
  const desc = netRegistry.getMessage(name);
  if (!desc) throw new Error(`net registry lacks message "${name}"`);
  return desc;
}
const IP_DESC = message('net.IP');
const CIDR_DESC = message('net.CIDR');
const IP = objectType(IP_DESC);
const CIDR = objectType(CIDR_DESC);
const { STRING, BOOL, INT } = CelScalar;

function textOf(value: ReflectMessage): string {
  const text = (value.message as unknown as { text?: unknown }).text;
  if (typeof text !== 'string') throw new Error(`not a net value: ${value.desc.typeName}`);
  return text;
}

function ipValue(addr: net.Addr) {
  return create(IP_DESC, { text: net.formatAddr(addr) });
}
function cidrValue(prefix: net.Prefix) {
  return create(CIDR_DESC, { text: net.formatPrefix(prefix) });
}

function mustAddr(text: string): net.Addr {
  const addr = net.parseAddr(text);
  if (!addr) throw new Error(`IP Address "${text}" parse error during conversion from string`);
  return addr;
}
function mustPrefix(text: string): net.Prefix {
  const prefix = net.parsePrefix(text);
  if (!prefix) throw new Error(`network address "${text}" parse error during conversion from string`);
  return prefix;
}
const addrOf = (v: ReflectMessage): net.Addr => mustAddr(textOf(v));
const prefixOf = (v: ReflectMessage): net.Prefix => mustPrefix(textOf(v));

const ipPredicate = (name: string, test: (a: net.Addr) => boolean): CelFunc =>
  celMethod(name, IP, [], BOOL, function () {
    return test(addrOf(this));
  });

export const ipFuncs: CelFunc[] = [
  celFunc('isIP', [STRING], BOOL, (s) => net.parseAddr(s) !== undefined),
  celFunc('ip', [STRING], IP, (s) => ipValue(mustAddr(s)) as never),
  // Kubernetes spells this as a namespaced function: ip.isCanonical('2001:db8::1').
  celFunc('ip.isCanonical', [STRING], BOOL, (s) => net.formatAddr(mustAddr(s)) === s),
  celFunc('string', [IP], STRING, (v) => textOf(v)),
  celMethod('family', IP, [], INT, function () {
    return BigInt(addrOf(this).family);
  }),
  ipPredicate('isUnspecified', net.isUnspecified),
  ipPredicate('isLoopback', net.isLoopback),
  ipPredicate('isLinkLocalMulticast', net.isLinkLocalMulticast),
  ipPredicate('isLinkLocalUnicast', net.isLinkLocalUnicast),
  ipPredicate('isGlobalUnicast', net.isGlobalUnicast),
];

export const cidrFuncs: CelFunc[] = [
  celFunc('isCIDR', [STRING], BOOL, (s) => net.parsePrefix(s) !== undefined),
  celFunc('cidr', [STRING], CIDR, (s) => cidrValue(mustPrefix(s)) as never),
  celFunc('string', [CIDR], STRING, (v) => textOf(v)),
  celMethod('containsIP', CIDR, [IP], BOOL, function (ip) {
    return net.prefixContainsAddr(prefixOf(this), addrOf(ip));
  }),
  celMethod('containsIP', CIDR, [STRING], BOOL, function (ip) {
    return net.prefixContainsAddr(prefixOf(this), mustAddr(ip));
  }),
  celMethod('containsCIDR', CIDR, [CIDR], BOOL, function (other) {
    return net.prefixContainsPrefix(prefixOf(this), prefixOf(other));
  }),
  celMethod('containsCIDR', CIDR, [STRING], BOOL, function (other) {
    return net.prefixContainsPrefix(prefixOf(this), mustPrefix(other));
  }),
  celMethod('ip', CIDR, [], IP, function () {
    return ipValue(prefixOf(this).addr) as never;
  }),
  celMethod('masked', CIDR, [], CIDR, function () {
    return cidrValue(net.maskPrefix(prefixOf(this))) as never;
  }),
  celMethod('prefixLength', CIDR, [], INT, function () {
    return BigInt(prefixOf(this).bits);
  }),
];
