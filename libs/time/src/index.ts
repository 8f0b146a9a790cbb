export * from './zones.js';
export * from './local-time.js';
export * from './scheduled-at.js';
export * from './occurrences.js';
