// kubectl's typed generators (`kubectl create namespace`, `create secret`, `create deployment`, ...) send
// bodies as Kubernetes protobuf: "k8s\0" + runtime.Unknown{typeMeta, raw}. The emulator decodes the kinds they
// send (schemas in protobuf-kinds.ts) into the JSON shape the rest of it works on.
import { badRequest } from './errors.js';
import { PROTOBUF_KINDS } from './protobuf-kinds.js';
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

/**
 * A message schema: field number → [json name, how to decode]. Go's protobuf encoder writes every non-pointer
 * scalar, zero or not, while encoding/json leaves the (omitempty) zero values out: 'string', 'bool' and 'int'
 * drop zero values as the JSON would; 'optBool' and 'optInt' are pointer fields, kept whatever their value.
 */
export type Decoder = 'string' | 'bytes' | 'bool' | 'optBool' | 'int' | 'optInt' | 'stringMap' | 'bytesMap' | 'stringList'
  | Schema | { list: Schema };
export interface Schema { [number: number]: [string, Decoder] }

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

function decodeVarint(value: bigint, decoder: Decoder): unknown {
  if (decoder === 'bool' || decoder === 'optBool') return decoder === 'bool' && value === 0n ? undefined : value !== 0n;
  const number = Number(BigInt.asIntN(64, value));
  return decoder === 'int' && number === 0 ? undefined : number;
}

function decodeLength(out: JsonObject, name: string, value: Buffer, decoder: Decoder): void {
  if (decoder === 'string') {
    if (value.length > 0) out[name] = value.toString('utf8');
  } else if (decoder === 'bytes') out[name] = value.toString('base64');
  else if (decoder === 'stringList') out[name] = [...((out[name] as string[] | undefined) ?? []), value.toString('utf8')];
  else if (decoder === 'stringMap' || decoder === 'bytesMap') {
    const [key, v] = decodeMap(value, decoder === 'bytesMap');
    out[name] = { ...((out[name] as JsonObject | undefined) ?? {}), [key]: v };
  } else if (typeof decoder === 'object' && 'list' in decoder) {
    out[name] = [...((out[name] as JsonObject[] | undefined) ?? []), decodeMessage(value, decoder.list as Schema)];
  } else if (typeof decoder === 'object') out[name] = decodeMessage(value, decoder);
}

function decodeMessage(buf: Buffer, schema: Schema): JsonObject {
  const out: JsonObject = {};
  for (const f of fields(buf)) {
    const entry = schema[f.number];
    if (!entry) continue;
    const [name, decoder] = entry;
    if (typeof f.value === 'bigint') {
      const value = decodeVarint(f.value, decoder);
      if (value !== undefined) out[name] = value;
    } else decodeLength(out, name, f.value, decoder);
  }
  return out;
}

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
  const schema = PROTOBUF_KINDS[kind];
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
