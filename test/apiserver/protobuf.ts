// kubectl's typed generators (`kubectl create namespace`, `create secret`) send bodies as Kubernetes
// protobuf: "k8s\0" + runtime.Unknown{typeMeta, raw}. The emulator decodes the few kinds they send, with
// field numbers from k8s.io/api's generated.proto, into the JSON shape the rest of it works on.
import { badRequest } from './errors.js';
import type { JsonObject } from './types.js';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Field = { number: number; wire: number; value: bigint | Buffer };

function readVarint(buf: Buffer, offset: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let pos = offset; pos < buf.length; pos++) {
    const byte = buf[pos] ?? 0;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, pos + 1];
    shift += 7n;
  }
  throw badRequest('protobuf body: truncated varint');
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const [tag, next] = readVarint(buf, offset);
    const number = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (wire === 0) {
      const [value, after] = readVarint(buf, next);
      out.push({ number, wire, value });
      offset = after;
    } else if (wire === 2) {
      const [length, start] = readVarint(buf, next);
      const end = start + Number(length);
      if (end > buf.length) throw badRequest('protobuf body: truncated field');
      out.push({ number, wire, value: buf.subarray(start, end) });
      offset = end;
    } else {
      throw badRequest(`protobuf body: unsupported wire type ${wire}`);
    }
  }
  return out;
}

/** A message schema: field number → [json name, how to decode]. */
type Decoder = 'string' | 'bytes' | 'bool' | 'int' | 'stringMap' | 'bytesMap' | 'stringList' | Schema;
interface Schema { [number: number]: [string, Decoder] }

function decodeMap(buf: Buffer, bytesValues: boolean): [string, string] {
  let key = '';
  let value = '';
  for (const f of fields(buf)) {
    if (!(f.value instanceof Buffer)) continue;
    if (f.number === 1) key = f.value.toString('utf8');
    if (f.number === 2) value = bytesValues ? f.value.toString('base64') : f.value.toString('utf8');
  }
  return [key, value];
}

function decodeMessage(buf: Buffer, schema: Schema): JsonObject {
  const out: JsonObject = {};
  for (const f of fields(buf)) {
    const entry = schema[f.number];
    if (!entry) continue;
    const [name, decoder] = entry;
    if (typeof f.value === 'bigint') {
      out[name] = decoder === 'bool' ? f.value !== 0n : Number(f.value);
    } else if (decoder === 'string') out[name] = f.value.toString('utf8');
    else if (decoder === 'bytes') out[name] = f.value.toString('base64');
    else if (decoder === 'stringList') out[name] = [...((out[name] as string[] | undefined) ?? []), f.value.toString('utf8')];
    else if (decoder === 'stringMap' || decoder === 'bytesMap') {
      const [key, value] = decodeMap(f.value, decoder === 'bytesMap');
      out[name] = { ...((out[name] as JsonObject | undefined) ?? {}), [key]: value };
    } else if (typeof decoder === 'object') out[name] = decodeMessage(f.value, decoder);
  }
  return out;
}

const OBJECT_META: Schema = {
  1: ['name', 'string'], 2: ['generateName', 'string'], 3: ['namespace', 'string'],
  11: ['labels', 'stringMap'], 12: ['annotations', 'stringMap'], 14: ['finalizers', 'stringList'],
};

const KINDS: Record<string, Schema> = {
  Namespace: { 1: ['metadata', OBJECT_META], 2: ['spec', { 1: ['finalizers', 'stringList'] }] },
  Secret: { 1: ['metadata', OBJECT_META], 2: ['data', 'bytesMap'], 3: ['type', 'string'], 4: ['stringData', 'stringMap'], 5: ['immutable', 'bool'] },
  ConfigMap: { 1: ['metadata', OBJECT_META], 2: ['data', 'stringMap'] },
};

export function isProtobuf(contentType: string | undefined): boolean {
  return (contentType ?? '').startsWith('application/vnd.kubernetes.protobuf');
}

export function decodeProtobuf(body: Buffer): JsonObject {
  if (!body.subarray(0, 4).equals(MAGIC)) throw badRequest('protobuf body: missing "k8s\\0" prefix');
  let apiVersion = '';
  let kind = '';
  let raw: Buffer = Buffer.alloc(0);
  for (const f of fields(body.subarray(4))) {
    if (f.number === 1 && f.value instanceof Buffer) {
      const meta = decodeMessage(f.value, { 1: ['apiVersion', 'string'], 2: ['kind', 'string'] });
      apiVersion = String(meta.apiVersion ?? '');
      kind = String(meta.kind ?? '');
    }
    if (f.number === 2 && f.value instanceof Buffer) raw = f.value;
  }
  const schema = KINDS[kind];
  if (!schema) throw badRequest(`protobuf body of kind "${kind}" is not supported by the emulator`);
  const obj = decodeMessage(raw, schema);
  if (obj.stringData !== undefined) {
    // kube folds stringData into data on write
    const data = { ...((obj.data as JsonObject | undefined) ?? {}) };
    for (const [k, v] of Object.entries(obj.stringData as JsonObject)) data[k] = Buffer.from(String(v)).toString('base64');
    obj.data = data;
    delete obj.stringData;
  }
  return { apiVersion, kind, ...obj };
}
