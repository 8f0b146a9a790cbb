export {
  clampMicros,
  createLatencyHistogram,
  createMergeHistogram,
  decodeHistogram,
  decodeMerged,
  emptyHistogramEncoded,
  encodeHistogram,
  HIGHEST_MICROS,
  LOWEST_MICROS,
  mergeEncoded,
  mergeInto,
  recordMicros,
  SIGNIFICANT_DIGITS,
  type Histogram,
} from './histogram.js';
export { emptySummary, percentileMs, summarize, summarizeEncoded, type LatencySummary } from './summary.js';
export {
  FAILURE_KINDS,
  isFailureKind,
  StepRecorder,
  type FailureKind,
  type StepIntervalData,
} from './recorder.js';
export { addCount, mergeCounts } from './counts.js';
export {
  describeInterval,
  emptyStepInterval,
  mergeStepIntervals,
  type IntervalNumbers,
} from './aggregate.js';
