import { describe, expect, it } from 'vitest';
import { tillNote } from '../../../miniprogram/staff/pages/counter/till-note.js';

describe('the counter’s note on a connected till', () => {
  it('says when the till last got through, in Beijing time', () => {
    // 02:32 UTC is 10:32 in Beijing
    expect(tillNote({ tillLastOkAt: '2026-11-25T02:32:10.000Z', tillQuiet: false })).toEqual({
      quiet: false,
      text: '本店收银系统已对接（最近联通 11月25日 10:32）：顾客在收银台结账时出示会员码，积分由收银系统累计',
    });
  });

  it('warns that points wait for a till gone quiet, from when it last got through (the Beijing day after UTC’s)', () => {
    const note = tillNote({ tillLastOkAt: '2026-11-23T17:05:00.000Z', tillQuiet: true });
    expect(note.quiet).toBe(true);
    expect(note.text).toBe(
      '本店收银系统自 11月24日 01:05 起没有再联通 MedLoop：顾客结账的积分要等它恢复上报后才会累计，请联系总部检查收银系统',
    );
  });

  it('warns of a till that never reported', () => {
    const note = tillNote({ tillLastOkAt: null, tillQuiet: true });
    expect(note.quiet).toBe(true);
    expect(note.text).toContain('还没有收到过它的上报');
  });
});
