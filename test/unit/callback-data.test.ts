import { describe, expect, it } from 'vitest';
import { jobCancelData } from '../../bot/features/jobs';
import { CALLBACK_MAX_BYTES, callbacks, defineCallback } from '../../vocabulary/callback-data';
import { workflowIds } from '../../vocabulary/ids';

const UUID = 'ffffffff-ffff-4fff-bfff-ffffffffffff';
const bytes = (s: string) => new TextEncoder().encode(s).length;

/**
 * Every button the bot sends is packed by one of `callbacks`: packed with the
 * longest value each field kind allows, every one fits Telegram's 64 bytes.
 */
describe('callback data', () => {
  it('every button packs within 64 bytes with the longest values its fields allow, and unpacks to the same values', () => {
    const longest = { int: -999_999_999_999_999, uuid: UUID, key: 'k'.repeat(16) } as const;
    // maxBytes is the prefix plus every field at its longest kind (checked when defined).
    for (const [name, cb] of Object.entries(callbacks)) expect(cb.maxBytes, name).toBeLessThanOrEqual(CALLBACK_MAX_BYTES);
    const transcriptFile = callbacks.transcriptFile.pack({ id: UUID, f: longest.key });
    expect(bytes(transcriptFile)).toBeLessThanOrEqual(CALLBACK_MAX_BYTES);
    expect(callbacks.transcriptFile.unpack(transcriptFile)).toEqual({ id: UUID, f: longest.key });
    expect(bytes(callbacks.galleryPage.pack({ p: longest.int }))).toBeLessThanOrEqual(CALLBACK_MAX_BYTES);
  });

  it('a button whose longest data could exceed 64 bytes cannot be defined', () => {
    expect(() => defineCallback('xx', { a: 'uuid', b: 'uuid' })).toThrow(/can reach 76 bytes/);
    expect(() => defineCallback('xx', { a: 'uuid', b: 'key' })).not.toThrow();
  });

  it('a running job of every kind gets a cancel button, whatever the length of its workflow id', () => {
    for (const [kind, workflowId] of [
      ['avatar_training', workflowIds.avatar(UUID)],
      ['generation', workflowIds.generation(UUID)],
      ['transcription', workflowIds.transcription(UUID)],
    ] as const) {
      const data = jobCancelData(kind, workflowId);
      expect(data, kind).not.toBeNull();
      expect(bytes(data!)).toBeLessThanOrEqual(CALLBACK_MAX_BYTES);
      expect(callbacks.jobCancel.unpack(data!)?.id).toBe(UUID);
    }
    expect(workflowIds.avatar(UUID).length).toBe(43);
    expect(jobCancelData('generation', 'gen-not-a-uuid')).toBeNull();
    expect(jobCancelData('billing', workflowIds.billing(workflowIds.generation(UUID)))).toBeNull();
  });

  it('refuses values that are not of the field kind, in both directions', () => {
    expect(() => callbacks.avatarStart.pack({ id: 'avatar-' + UUID })).toThrow(RangeError);
    expect(callbacks.avatarStart.unpack(`as:${UUID.toUpperCase()}`)).toBeNull();
    expect(callbacks.avatarStart.unpack('as:../../etc')).toBeNull();
    expect(callbacks.genCount.unpack('gn:1e3')).toBeNull();
    expect(callbacks.topupPack.unpack('tp:' + 'x'.repeat(17))).toBeNull();
  });
});
