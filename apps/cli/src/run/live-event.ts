/**
 * What the CLI reads of the live stream's events (docs/metrics.md#live-stream). The head
 * sends more; only the fields the display shows are named here.
 */
export interface LiveMetrics {
  offset: number;
  elapsedSeconds: number;
  totalRequests: number;
  totalErrors: number;
  errorRate: number;
  currentRps: number;
  activeMinions: number;
  latencyP95Ms: number;
  droppedIterations: number;
}

export interface LiveStatus {
  status: string;
  at: string;
}

export interface LiveThreshold {
  scenario: string | null;
  step: string | null;
  expression: string;
  observed: number | null;
  message: string;
}

export interface LiveComplete {
  campaignKey: string;
  status: string;
  result: string | null;
  failureReason: string | null;
  totalRequests: number;
  totalErrors: number;
}
