import { describe, expect, it } from 'vitest';
import {
  clusterCampaigns,
  type IndicatorSet,
  loadIndicatorSets,
  tlshDistance,
} from '../../src/service/campaigns.js';
import { tlshOf } from '../../src/service/scan-task.js';
import type { ClusterInput } from '../../src/service/store.js';

let nextId = 1;
function det(name: string, over: Partial<ClusterInput> = {}): ClusterInput {
  return {
    id: nextId++,
    ecosystem: 'npm',
    name,
    version: '1.0.0',
    verdict: 'malicious',
    score: 90,
    categories: ['exfiltration'],
    publisher: null,
    scannedAt: Date.now(),
    latencyMs: 1000,
    iocs: [],
    tlsh: [],
    ...over,
  };
}

const PAYLOAD = Array.from(
  { length: 60 },
  (_, i) =>
    `const k${i} = Buffer.from(process.env.SECRET_${i} || '', 'utf8').toString('base64'); send('k${i}', k${i});`,
).join('\n');

describe('campaign clustering and attribution', () => {
  it('links detections by similar payload code (TLSH), not by unrelated code', () => {
    const a = tlshOf(Buffer.from(PAYLOAD))!;
    const b = tlshOf(Buffer.from(PAYLOAD.replace(/SECRET_1\b/, 'TOKEN_1').replace('send(', 'post(')))!;
    const other = tlshOf(
      Buffer.from(
        Array.from(
          { length: 80 },
          (_, i) => `export function add${i}(x, y) { return x * ${i} + y / ${i + 1}; }`,
        ).join('\n'),
      ),
    )!;
    expect(tlshDistance(a, b)).toBeLessThan(60);
    expect(tlshDistance(a, other)).toBeGreaterThan(100);
    const campaigns = clusterCampaigns(
      [
        det('pay-one', { tlsh: [{ file: 'index.js', tlsh: a }] }),
        det('pay-two', { tlsh: [{ file: 'lib/x.js', tlsh: b }] }),
        det('unrelated', { tlsh: [{ file: 'index.js', tlsh: other }] }),
      ],
      [],
    );
    expect(campaigns).toHaveLength(1);
    expect(campaigns[0]!.members.map((m) => m.name).sort()).toEqual(['pay-one', 'pay-two']);
    expect(campaigns[0]!.links[0]!.kind).toBe('tlsh');
    expect(campaigns[0]!.attribution).toEqual([]);
  });

  it('links by shared publisher and by the host of IOC URLs, ignoring generic hosts', () => {
    const campaigns = clusterCampaigns(
      [
        det('p1', { publisher: 'evil-dev' }),
        det('p2', { publisher: 'evil-dev' }),
        det('u1', { iocs: ['https://drop.bad-host.xyz/a'] }),
        det('u2', { iocs: ['https://drop.bad-host.xyz/b'] }),
        det('g1', { iocs: ['https://raw.githubusercontent.com/x/y'] }),
        det('g2', { iocs: ['https://raw.githubusercontent.com/x/y'] }),
      ],
      [],
    );
    const groups = campaigns.map((c) =>
      c.members
        .map((m) => m.name)
        .sort()
        .join(','),
    );
    expect(groups.sort()).toEqual(['p1,p2', 'u1,u2']);
  });

  it('attributes with explicit confidence from curated sets; agreeing evidence raises it', () => {
    const set: IndicatorSet = {
      id: 'test-actor',
      version: '2.1.0',
      name: 'Test campaign',
      actor: 'Test actor',
      indicators: { wallets: ['0x52908400098527886E0F7030069857D2E4169EE7'], namePatterns: ['^wallet-'] },
      confidence: { wallets: 'medium' },
    };
    const onlyName = clusterCampaigns([det('wallet-helper')], [set]);
    expect(onlyName[0]!.attribution[0]).toMatchObject({
      set: 'test-actor',
      version: '2.1.0',
      confidence: 'low',
    });
    const both = clusterCampaigns(
      [det('wallet-drainer', { iocs: ['0x52908400098527886E0F7030069857D2E4169EE7'] })],
      [set],
    );
    expect(both[0]!.attribution[0]!.confidence).toBe('high');
    expect(both[0]!.attribution[0]!.basis.join(' ')).toMatch(/wallets: 0x5290/);
    // A lone detection matching nothing is not a campaign.
    expect(clusterCampaigns([det('lonely')], [set])).toEqual([]);
  });

  it('ships curated indicator sets with id, version, actor and references', () => {
    const sets = loadIndicatorSets();
    expect(sets.map((s) => s.id)).toContain('contagious-interview');
    for (const s of sets) {
      expect(s.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(s.actor.length).toBeGreaterThan(3);
      expect(s.references?.length).toBeGreaterThan(0);
    }
  });
});
