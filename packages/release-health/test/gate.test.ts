import { describe, expect, it } from 'vitest';
import { compareSamples, decideGate, validatePolicy, type GatePolicy } from '../src/index.js';

const policy: GatePolicy = { metric: 'sessions', minSample: 500, threshold: 99.5, maxDrop: 0.5 };

describe('compareSamples', () => {
  it('gives the delta in points and says when intervals separate the releases', () => {
    const c = compareSamples('sessions', { sample: 10_000, failures: 200 }, { sample: 100_000, failures: 200 });
    expect(c.candidate.rate).toBeCloseTo(0.98, 12);
    expect(c.baseline!.rate).toBeCloseTo(0.998, 12);
    expect(c.deltaPoints).toBeCloseTo(-1.8, 10);
    expect(c.distinguishable).toBe(true);
    const small = compareSamples('sessions', { sample: 20, failures: 1 }, { sample: 20, failures: 0 });
    expect(small.deltaPoints).toBeCloseTo(-5, 10);
    expect(small.distinguishable).toBe(false); // small samples stay visibly uncertain
  });
});

describe('decideGate', () => {
  it('halts below the threshold with the deciding numbers', () => {
    const d = decideGate({ candidate: { sample: 10_000, failures: 200 } }, policy);
    expect(d.verdict).toBe('halt');
    expect(d.candidate.rate).toBeCloseTo(0.98, 12);
    expect(d.reason).toBe('crash-free sessions 98.00% < threshold 99.5%');
  });

  it('passes a healthy release and reports the delta', () => {
    const d = decideGate({ candidate: { sample: 100_000, failures: 200 }, baseline: { sample: 50_000, failures: 150 } }, policy);
    expect(d.verdict).toBe('pass');
    expect(d.deltaPoints).toBeCloseTo(0.1, 10);
    expect(d.reason).toContain('delta 0.10 points');
  });

  it('halts on a drop larger than maxDrop even above the threshold', () => {
    const input = { candidate: { sample: 10_000, failures: 70 }, baseline: { sample: 10_000, failures: 0 } };
    const d = decideGate(input, { ...policy, threshold: 99 });
    expect(d.verdict).toBe('halt');
    expect(d.reason).toBe('crash-free sessions dropped 0.70 points vs baseline (max 0.5)');
    expect(decideGate(input, { ...policy, threshold: 99, maxDrop: 1 }).verdict).toBe('pass');
  });

  it('is insufficient-data below the minimum sample, never pass', () => {
    const d = decideGate({ candidate: { sample: 499, failures: 0 } }, policy);
    expect(d.verdict).toBe('insufficient-data');
    expect(d.reason).toBe('499 sessions < minimum 500');
    expect(decideGate({ candidate: { sample: 0, failures: 0 } }, { ...policy, minSample: 1 }).verdict).toBe('insufficient-data');
  });

  it('uses users when the metric is users', () => {
    const d = decideGate({ candidate: { sample: 600, failures: 1 } }, { ...policy, metric: 'users', threshold: 99.9 });
    expect(d.verdict).toBe('halt');
    expect(d.reason).toContain('crash-free users 99.83%');
  });

  it('lets the worst meaningful segment decide', () => {
    const d = decideGate(
      {
        candidate: { sample: 20_000, failures: 60 },
        segments: [
          { name: 'node', candidate: { sample: 19_000, failures: 10 } },
          { name: 'react-native', candidate: { sample: 1_000, failures: 50 } },
          { name: 'browser', candidate: { sample: 10, failures: 5 } }, // too small to matter
        ],
      },
      policy,
    );
    expect(d.verdict).toBe('halt');
    expect(d.decidingSegment).toBe('react-native');
    expect(d.reason).toBe('segment react-native: crash-free sessions 95.00% < threshold 99.5%');
    expect(d.segments.find((s) => s.name === 'browser')!.verdict).toBe('insufficient-data');
  });

  it('rejects an unusable policy naming the field, the value and what is expected', () => {
    expect(() => validatePolicy({ ...policy, threshold: 150 })).toThrow('threshold: got 150, expected a percentage between 0 and 100');
    expect(() => validatePolicy({ ...policy, minSample: 0 })).toThrow('minSample: got 0, expected an integer >= 1');
    expect(() => validatePolicy({ ...policy, metric: 'events' as 'users' })).toThrow('metric: got "events"');
  });
});
