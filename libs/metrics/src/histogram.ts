/**
 * Latency histograms (docs/metrics.md#histograms): HDR histograms of microseconds, 1 µs – 60 s, 3 significant
 * digits. Recording histograms use JS 32-bit buckets (~30 ns per record on Node 20; the
 * 'packed' bucket type costs 10× more). Histograms built by decoding or merging use 64-bit
 * (Float64Array) buckets so that head-side roll-ups of a long campaign never overflow a count.
 *
 * Recording into the histograms this module creates takes a fast path (~5 ns instead of ~100 ns
 * for `recordValue` on the dev machine): the bucket index is computed with `Math.clz32`
 * and the counts array is bumped directly. It relies on the layout of hdr-histogram-js 3.0.1's
 * TypedArrayHistogram, which is checked (fields and bucket indexes against the library's own
 * `countsArrayIndex`) before a histogram is marked for it; any other histogram, or a library
 * whose layout differs, goes through `recordValue`.
 *
 * Every statistic this library reports is derived from the bucket counts alone (never from the
 * raw min/max tracked at record time), so a histogram that went through encode → decode → merge
 * gives exactly the numbers of one histogram that recorded every value.
 */
import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  JsHistogram,
  type Histogram,
} from 'hdr-histogram-js';
import { inflateSync } from 'node:zlib';

export type { Histogram };

/** Lowest discernible value, in microseconds. */
export const LOWEST_MICROS = 1;
/** Highest trackable value, in microseconds (60 s); larger values are clamped to it. */
export const HIGHEST_MICROS = 60_000_000;
/** Significant value digits of every latency histogram. */
export const SIGNIFICANT_DIGITS = 3;

/** Internals of hdr-histogram-js 3.0.1's TypedArrayHistogram that the fast path writes. */
interface FastLayout {
  _counts: Uint32Array | Float64Array;
  _totalCount: number;
  maxValue: number;
  minNonZeroValue: number;
}

/** Marks a histogram whose layout was checked for the fast path. */
const FAST = Symbol('barrage.metrics.fastRecord');
type Marked = Histogram & { [FAST]?: true };

// Geometry of a 1 µs / 3 digit histogram: 2048 sub-buckets, unit magnitude 0.
const SUB_BUCKET_HALF_COUNT_MAGNITUDE = 10;
const SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_COUNT_MAGNITUDE;

/** Counts-array index of an integer value in [1, 2^31), as `JsHistogram.countsArrayIndex`. */
export function fastIndex(v: number): number {
  let b = 31 - Math.clz32(v) - SUB_BUCKET_HALF_COUNT_MAGNITUDE;
  if (b < 0) b = 0;
  return ((b + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (v >>> b) - SUB_BUCKET_HALF_COUNT;
}

const PROBES = [1, 2, 3, 1023, 1024, 1025, 2047, 2048, 2049, 4095, 4096, 12_345, 1_048_575, 1_048_576,
  33_554_431, 33_554_432, 59_999_999, HIGHEST_MICROS];

/** True when `h` has the TypedArrayHistogram layout and geometry the fast path assumes. */
export function hasFastLayout(h: Histogram): boolean {
  if (!(h instanceof JsHistogram)) return false;
  const x = h as unknown as Record<string, unknown>;
  const counts = x._counts;
  if (!(counts instanceof Uint32Array || counts instanceof Float64Array)) return false;
  if (
    typeof x._totalCount !== 'number' ||
    typeof x.maxValue !== 'number' ||
    typeof x.minNonZeroValue !== 'number' ||
    x.subBucketHalfCountMagnitude !== SUB_BUCKET_HALF_COUNT_MAGNITUDE ||
    x.subBucketHalfCount !== SUB_BUCKET_HALF_COUNT ||
    x.unitMagnitude !== 0 ||
    x.unitMagnitudeMask !== 0 ||
    x.lowestDiscernibleValueRounded !== 1 ||
    counts.length !== h.countsArrayLength ||
    h.highestTrackableValue < HIGHEST_MICROS
  ) {
    return false;
  }
  for (const v of PROBES) {
    const i = fastIndex(v);
    if (i !== h.countsArrayIndex(v) || i >= counts.length) return false;
  }
  return true;
}

function mark(h: Histogram): Histogram {
  if (hasFastLayout(h)) (h as Marked)[FAST] = true;
  return h;
}

/** True when recording into `h` takes the fast path. */
export function isFastRecording(h: Histogram): boolean {
  return (h as Marked)[FAST] === true;
}

/** A histogram for the hot path: 32-bit buckets, fixed range, no auto-resize. */
export function createLatencyHistogram(): Histogram {
  return mark(
    build({
      bitBucketSize: 32,
      autoResize: false,
      lowestDiscernibleValue: LOWEST_MICROS,
      highestTrackableValue: HIGHEST_MICROS,
      numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
      useWebAssembly: false,
    }),
  );
}

/** A histogram for accumulating merges: 64-bit (float) buckets, exact up to 2^53 per bucket. */
export function createMergeHistogram(): Histogram {
  return mark(
    build({
      bitBucketSize: 64,
      autoResize: false,
      lowestDiscernibleValue: LOWEST_MICROS,
      highestTrackableValue: HIGHEST_MICROS,
      numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
      useWebAssembly: false,
    }),
  );
}

/**
 * Clamp a microsecond value into the histogram's range: rounded to an integer, NaN and values
 * below 1 µs become 1, values above 60 s become 60 s.
 */
export function clampMicros(v: number): number {
  if (v > HIGHEST_MICROS) return HIGHEST_MICROS;
  if (!(v >= LOWEST_MICROS)) return LOWEST_MICROS; // also catches NaN
  return Math.round(v);
}

/**
 * Record one value (µs), clamped into range: never throws, never allocates. Histograms from
 * `createLatencyHistogram` / `createMergeHistogram` / `decodeHistogram` take the fast path; the result is the same
 * as `h.recordValue(clampMicros(v))` (same counts, total, min and max).
 */
export function recordMicros(h: Histogram, v: number): void {
  if (v > HIGHEST_MICROS) v = HIGHEST_MICROS;
  else if (!(v >= LOWEST_MICROS)) v = LOWEST_MICROS; // also catches NaN
  else v = Math.round(v);
  if ((h as Marked)[FAST] === true) {
    const f = h as unknown as FastLayout;
    f._counts[fastIndex(v)]++;
    f._totalCount++;
    if (v > f.maxValue) f.maxValue = v;
    if (v < f.minNonZeroValue) f.minNonZeroValue = v;
  } else {
    h.recordValue(v);
  }
}

/** Encode as the HdrHistogram V2 compressed base64 text (interoperable with the Java/Go ports). */
export function encodeHistogram(h: Histogram): string {
  return encodeIntoCompressedBase64(h);
}

/**
 * Decode a compressed base64 histogram into a 64-bit bucket histogram whose range covers at
 * least 1 µs – 60 s. Throws on text that is not a V2 compressed histogram.
 */
export function decodeHistogram(s: string): Histogram {
  if (typeof s !== 'string' || s.trim() === '') {
    throw new Error('decodeHistogram: empty histogram encoding');
  }
  const h = decodeFromCompressedBase64(s, 64, false, HIGHEST_MICROS);
  h.autoResize = false;
  return mark(h);
}

/**
 * Add `other` into `target` exactly (bucket counts summed). Returns `target`. Throws if
 * `other` holds values beyond `target`'s range (never the case for histograms of this library).
 */
export function mergeInto(target: Histogram, other: Histogram): Histogram {
  if (other.totalCount > 0) target.add(other);
  return target;
}

/** Merge several encoded histograms into one encoded histogram (an empty list gives an empty one). */
export function mergeEncoded(list: readonly string[]): string {
  return encodeHistogram(decodeMerged(list));
}

/**
 * Decode and merge several encoded histograms into a fresh 64-bit histogram. Texts in the
 * V2 format of a 1 µs / 3 digit histogram (all Barrage writes) have their counts added straight
 * into the result, without building a histogram each (a 17,408-bucket array: most of a head's
 * ingest time went to allocating and collecting those); any other text is decoded by the library.
 */
export function decodeMerged(list: readonly string[]): Histogram {
  const acc = createMergeHistogram();
  const fast = isFastRecording(acc);
  let direct = false;
  for (const s of list) {
    const added = fast ? addEncodedCounts((acc as unknown as FastLayout)._counts, s) : -1;
    if (added < 0) mergeInto(acc, decodeHistogram(s));
    else if (added > 0) direct = true;
  }
  // Total, min and max from the counts, as a decode sets them.
  if (direct) (acc as unknown as { establishInternalTackingValues(): void }).establishInternalTackingValues();
  return acc;
}

/** Bytes of a V2 header: cookie, payload length, index offset, digits, lowest, highest, ratio. */
const V2_HEADER_BYTES = 40;
const V2_COMPRESSED_COOKIE = 0x1c849304;
const V2_COOKIE = 0x1c849303;
// Scratch for one text's buckets, so that a text found malformed halfway adds nothing.
let scratchIndex = new Int32Array(1024);
let scratchCount = new Float64Array(1024);

/**
 * Adds the bucket counts of an HdrHistogram V2 compressed text (base64 → zlib → ZigZag
 * LEB128 counts, read as hdr-histogram-js's ZigZagEncoding reads them) into `counts`; returns
 * the number of non-empty buckets added, or -1, with nothing added, when the text is not a
 * 1 µs / 3 digit histogram this reader handles.
 */
function addEncodedCounts(counts: Float64Array | Uint32Array, encoded: string): number {
  if (typeof encoded !== 'string') return -1;
  let raw: Buffer;
  try {
    const bytes = Buffer.from(encoded, 'base64');
    if (bytes.length < 8 || (bytes.readInt32BE(0) & ~0xf0) !== V2_COMPRESSED_COOKIE) return -1;
    const length = bytes.readInt32BE(4);
    if (length <= 0 || 8 + length > bytes.length) return -1;
    raw = inflateSync(bytes.subarray(8, 8 + length));
  } catch {
    return -1;
  }
  if (raw.length < V2_HEADER_BYTES || (raw.readInt32BE(0) & ~0xf0) !== V2_COOKIE) return -1;
  const payload = raw.readInt32BE(4);
  // Bytes 8–11, the normalizing index offset, are ignored as hdr-histogram-js ignores them (it writes 1).
  const digits = raw.readInt32BE(12);
  const lowest = raw.readInt32BE(16) * 2 ** 32 + raw.readUInt32BE(20);
  if (payload < 0 || V2_HEADER_BYTES + payload > raw.length || digits !== SIGNIFICANT_DIGITS || lowest !== LOWEST_MICROS) return -1;
  let n = 0;
  let at = V2_HEADER_BYTES;
  const end = V2_HEADER_BYTES + payload;
  let dst = 0;
  while (at < end) {
    let v = 0;
    let scale = 1;
    let b = 0;
    let bytes = 0;
    do {
      if (at >= end || bytes === 8) return -1; // a 9-byte value (a count ≥ 2^55) is left to the library
      b = raw[at++]!;
      v += (b & 0x7f) * scale;
      scale *= 128;
      bytes++;
    } while (b & 0x80);
    if (v % 2 === 1) {
      dst += (v + 1) / 2; // a run of empty buckets
      continue;
    }
    if (dst >= counts.length) return -1;
    if (v > 0) {
      if (n === scratchIndex.length) {
        const i = new Int32Array(n * 2);
        i.set(scratchIndex);
        scratchIndex = i;
        const c = new Float64Array(n * 2);
        c.set(scratchCount);
        scratchCount = c;
      }
      scratchIndex[n] = dst;
      scratchCount[n++] = v / 2;
    }
    dst++;
  }
  for (let i = 0; i < n; i++) {
    const k = scratchIndex[i]!;
    counts[k] = counts[k]! + scratchCount[i]!;
  }
  return n;
}

let emptyEncoded: string | undefined;
/** The encoding of an empty latency histogram (computed once). */
export function emptyHistogramEncoded(): string {
  if (emptyEncoded === undefined) emptyEncoded = encodeHistogram(createLatencyHistogram());
  return emptyEncoded;
}
