export * from './template.js';
export * from './response.js';
export * from './checks.js';
export * from './stream.js';
export * from './request.js';
export * from './mask.js';
