// Why a heartbeat datagram could not be decoded (STYLE.md §9). The codec throws a WireError; the driver turns
// it into a counted drop, never an exception in the read loop.

/** Why a datagram could not be decoded. Each value is a drop-counter label. */
export type WireErrorReason = 'truncated' | 'badMagic' | 'badVersion' | 'badType' | 'badName' | 'trailingBytes' | 'badNumber';

export class WireError extends Error {
  constructor(readonly reason: WireErrorReason, message: string) {
    super(message);
    this.name = 'WireError';
  }
}
