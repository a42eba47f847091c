// The BGP objects' status writes: one status book per kind (status-book.ts, the generic writer pools and
// L2Advertisements use too) and the Ready conditions last reported in this leadership term. The driver
// (controller.ts) runs each write under its own work key (`bgp:BGPPeer/tor`), leader only, as it does for pools.
import type { BGPObjectKind, BGPResources } from '../../lib/config/index.js';
import type { BGPObjectStatus, BGPOutcome } from '../core-api.js';
import { BGP_KINDS, bgpOutcomes, type BGPReadyMemory } from '../reconcile/index.js';
import { StatusBook, type PlannedWrite } from './status-book.js';
import type { BGPObject } from './trim.js';

export type BGPStatusBook = StatusBook<BGPObjectStatus, BGPObject>;

export class BGPStatusBooks {
  private readonly books = new Map<BGPObjectKind, BGPStatusBook>(BGP_KINDS.map((kind) => [kind, new StatusBook()]));
  private memory: BGPReadyMemory = new Map();

  book(kind: BGPObjectKind): BGPStatusBook {
    const book = this.books.get(kind);
    if (!book) throw new Error(`no status book for BGP kind "${kind}"`);
    return book;
  }

  /** A new leadership term starts from what the caches show. */
  clear(): void {
    for (const book of this.books.values()) book.clear();
    this.memory = new Map();
  }

  /**
   * Every BGP object's outcome (bgpOutcomes), and the writes the books plan from it, named `Kind/name`: at once, or
   * (for an object whose last write failed) after its backoff.
   */
  plan(resources: BGPResources, objectOf: (kind: BGPObjectKind, name: string) => BGPObject | undefined, nowMs: number):
    { outcomes: BGPOutcome[]; writes: PlannedWrite[] } {
    const outcomes = bgpOutcomes(resources, this.memory, nowMs);
    const writes = BGP_KINDS.flatMap((kind) => this.book(kind)
      .plan(outcomes.filter((o) => o.kind === kind), (name) => objectOf(kind, name))
      .map(([name, urgency]): PlannedWrite => [`${kind}/${name}`, urgency]));
    return { outcomes, writes };
  }
}
