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
  emptyTimings,
  type FailureKind,
  type FailureSampleData,
  type StepIntervalData,
  type StreamIntervalData,
  type TimingSums,
} from './recorder.js';
export { addCount, mergeCounts } from './counts.js';
export {
  addTimings,
  describeInterval,
  emptyStepInterval,
  MAX_MERGED_SAMPLES,
  mergeStepIntervals,
  type IntervalNumbers,
} from './aggregate.js';
export {
  evaluateThreshold,
  formatThreshold,
  parseThreshold,
  parseThresholds,
  shouldAbort,
  THRESHOLD_METRICS,
  THRESHOLD_OPS,
  type ObservedNumbers,
  type ParsedThreshold,
  type ParseThresholdResult,
  type ThresholdDefinition,
  type ThresholdEntry,
  type ThresholdError,
  type ThresholdMetric,
  type ThresholdOp,
} from './thresholds.js';
