// Pool status writes: the generic status book (status-book.ts) for IPAddressPools.
import type { IPAddressPool, IPAddressPoolStatus } from '../../crds/v1beta1/index.js';
import { StatusBook, type PlannedWrite, type WriteUrgency } from './status-book.js';

export type PoolWriteUrgency = WriteUrgency;
export type PlannedPoolWrite = PlannedWrite;

export class PoolStatusBook extends StatusBook<IPAddressPoolStatus, IPAddressPool> {}
