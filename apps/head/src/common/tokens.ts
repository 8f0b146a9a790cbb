/** Injection tokens for values that are not classes. */
export const HEAD_CONFIG = Symbol('HEAD_CONFIG');
export const LOGGER = Symbol('LOGGER');
