/**
 * Bounded decompression: DEFLATE (ZIP members, OOXML parts) and gzip, fed to fflate's streaming
 * decoder in small slices so a bomb is stopped after a few megabytes, not after it filled memory.
 * SECURITY: the checks run after every slice of 4 KB input; DEFLATE expands at most ~1032:1, so
 * one slice yields at most ~4 MB before the size, ratio and time checks see it.
 */
import { Gunzip, Inflate } from 'fflate';

const SLICE = 4096;
/** the ratio check starts once this much came out: small, very compressible files are normal */
const RATIO_GRACE = 1024 * 1024;

export type InflateResult = { ok: true; data: Buffer } | { ok: false; reason: string };

export interface InflateBounds {
  /** bytes the output may reach */
  readonly maxOut: number;
  readonly maxRatio: number;
  /** true once the extraction deadline passed */
  readonly expired: () => boolean;
}

class Stop extends Error {}

export function inflateBounded(input: Uint8Array, kind: 'deflate' | 'gzip', bounds: InflateBounds): InflateResult {
  const chunks: Uint8Array[] = [];
  let out = 0;
  let consumed = 0;
  let failure: string | null = null;
  const onData = (chunk: Uint8Array): void => {
    out += chunk.length;
    if (out > bounds.maxOut) {
      failure = `decompressed size limit (${bounds.maxOut} bytes left for this message) exceeded`;
      throw new Stop();
    }
    if (out > RATIO_GRACE && out / Math.max(1, consumed) > bounds.maxRatio) {
      failure = `compression ratio above ${bounds.maxRatio}:1 (zip bomb?)`;
      throw new Stop();
    }
    // fflate reuses nothing it hands out, but copy to stay independent of its internals
    chunks.push(chunk.slice());
  };
  const stream = kind === 'gzip' ? new Gunzip(onData) : new Inflate(onData);
  try {
    for (let i = 0; i < input.length; i += SLICE) {
      consumed = Math.min(input.length, i + SLICE);
      stream.push(input.subarray(i, consumed), consumed === input.length);
      if ((i / SLICE) % 64 === 63 && bounds.expired()) return { ok: false, reason: 'extraction time limit reached while decompressing' };
    }
    if (input.length === 0) stream.push(new Uint8Array(0), true);
  } catch (err) {
    if (err instanceof Stop && failure !== null) return { ok: false, reason: failure };
    return { ok: false, reason: `corrupt compressed data (${err instanceof Error ? err.message.slice(0, 80) : 'unknown'})` };
  }
  return { ok: true, data: Buffer.concat(chunks, out) };
}
