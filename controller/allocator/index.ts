export * from './allocator.js';
export * from './order.js';
export * from './pool-state.js';
export * from './sharing.js';
export * from './types.js';
