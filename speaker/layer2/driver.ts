// The layer 2 mode's driver: makes the layer 2 part of the loop's plan true on the announcer (announce what is
// missing, withdraw what is no longer owned), re-sends the gratuitous bursts the loop's events call for, and
// logs every ownership change with its reason. Only the loop calls it, so an announce and a withdraw can
// never interleave.
import type { Logger } from '../../lib/log.js';
import type { AnnounceFailure } from './announcer.js';
import { diffAnnouncements, type Announcement, type AnnouncementDiff } from './decide/diff.js';
import type { LinkInfo } from './decide/interfaces.js';
import type { IpPlan, Plan } from './decide/plan.js';
import { reannouncements, type ReannounceCause } from './decide/reannounce.js';

/** What the driver needs of the announcer: the (IP, interface) pairs it holds, and a way to change them. */
export interface AnnouncerPort {
  current(): Announcement[];
  /** Resolves with the announcements that could not be made; they are not in current() afterwards. */
  apply(diff: AnnouncementDiff, links: readonly LinkInfo[]): Promise<AnnounceFailure[]>;
  /** Sends the gratuitous burst again for announcements it holds (others are ignored). */
  reannounce(announcements: readonly Announcement[]): void;
}

/** What happened since the last pass, beyond the plan itself. */
export interface Layer2Context {
  links: readonly LinkInfo[];
  /** Why held IPs need their burst again (decide/reannounce.ts). */
  causes: readonly ReannounceCause[];
}

export interface Layer2Outcome {
  failures: AnnounceFailure[];
  /** (IP, interface) announcements whose burst was sent again. */
  reannounced: number;
}

export class Layer2Driver {
  private lastPlan = new Map<string, IpPlan>();

  constructor(private readonly announcer: AnnouncerPort, private readonly logger: Logger) {}

  /** Makes `plan` true; throws only when the announcer's apply itself fails (the loop retries). */
  async apply(plan: Plan, context: Layer2Context): Promise<Layer2Outcome> {
    const diff = diffAnnouncements(plan.announcements, this.announcer.current());
    let failures: AnnounceFailure[];
    try {
      failures = await this.announcer.apply(diff, context.links);
    } finally {
      this.logChanges(plan);
    }
    return { failures, reannounced: this.reannounce(context.causes, diff) };
  }

  /** Withdraws everything (the speaker is stopping). */
  async withdrawAll(links: readonly LinkInfo[]): Promise<number> {
    const withdraw = this.announcer.current();
    await this.announcer.apply({ announce: [], withdraw }, links);
    return withdraw.length;
  }

  private reannounce(causes: readonly ReannounceCause[], diff: AnnouncementDiff): number {
    const again = reannouncements(this.announcer.current(), causes, diff.announce);
    if (again.length === 0) return 0;
    this.announcer.reannounce(again);
    this.logger.info({ causes, announcements: again.length }, 'sending the gratuitous burst again');
    return again.length;
  }

  private logChanges(plan: Plan): void {
    const next = new Map(plan.ips.map((p) => [p.ip, p]));
    for (const p of plan.ips) {
      const before = this.lastPlan.get(p.ip);
      if (before !== undefined && before.decision === p.decision && before.owner === p.owner
        && sameList(before.interfaces, p.interfaces)) continue;
      this.logger.info(
        { ip: p.ip, owner: p.owner, reason: p.decision, interfaces: p.interfaces, previousOwner: before?.owner ?? null },
        p.decision === 'announce' ? 'announcing' : 'not announcing',
      );
    }
    for (const ip of this.lastPlan.keys()) {
      if (!next.has(ip)) this.logger.info({ ip, reason: 'removedFromSource' }, 'not announcing');
    }
    this.lastPlan = next;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
