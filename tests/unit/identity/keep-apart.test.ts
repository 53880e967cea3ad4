/** keepApart: which of a record's targets it joins when HQ keeps some customers apart. */
import { describe, expect, it } from 'vitest';
import { type JoinTarget, keepApart } from '../../../shared/identity/link.rules.js';

const strong = (customerId: string): JoinTarget => ({ customerId, strong: true });
const phone = (customerId: string): JoinTarget => ({ customerId, strong: false });
const sorted = (v: { join: string[]; hold: string[]; refuse: string[] }) => ({
  join: [...v.join].sort(),
  hold: [...v.hold].sort(),
  refuse: [...v.refuse].sort(),
});

describe('keepApart', () => {
  it('joins every target when nothing is kept apart, once each, never the own customer', () => {
    expect(keepApart('own', [phone('x'), strong('y'), phone('x'), strong('own')], [])).toEqual({
      join: ['x', 'y'],
      hold: [],
      refuse: [],
    });
  });

  it('refuses a target HQ keeps apart from the record’s own customer, however strong', () => {
    expect(sorted(keepApart('own', [strong('x'), phone('y')], [['x', 'own']]))).toEqual({
      join: ['y'],
      hold: [],
      refuse: ['x'],
    });
  });

  it('holds every phone target when two of them are kept apart: the phone’s class is broken', () => {
    expect(sorted(keepApart('own', [phone('x'), phone('y'), phone('z')], [['x', 'y']]))).toEqual({
      join: [],
      hold: ['x', 'y', 'z'],
      refuse: [],
    });
  });

  it('holds two strong targets kept apart from each other, and joins the other strong ones', () => {
    expect(sorted(keepApart('own', [strong('x'), strong('y'), strong('z')], [['y', 'x']]))).toEqual({
      join: ['z'],
      hold: ['x', 'y'],
      refuse: [],
    });
  });

  it('holds the rest of the phone class when one phone target is kept apart from the own customer', () => {
    // HQ split 王波's card from the mall account; his card syncs again with a third card on the phone: that card
    // is as much the mall account's person as his, so it is held, not taken
    expect(sorted(keepApart('card', [phone('mall'), phone('card2')], [['card', 'mall']]))).toEqual({
      join: [],
      hold: ['card2'],
      refuse: ['mall'],
    });
  });

  it('lets strong evidence win over a phone: the phone target kept apart from it is refused', () => {
    expect(sorted(keepApart('own', [strong('x'), phone('y')], [['x', 'y']]))).toEqual({
      join: ['x'],
      hold: [],
      refuse: ['y'],
    });
  });

  it('refuses a phone target kept apart from a strong one joined, and holds the rest of its class', () => {
    expect(
      sorted(
        keepApart(
          'own',
          [strong('x'), phone('y'), phone('z')],
          [
            ['x', 'y'],
            ['y', 'z'],
          ],
        ),
      ),
    ).toEqual({ join: ['x'], hold: ['z'], refuse: ['y'] });
  });

  it('a phone target is not refused for a strong one that is only held', () => {
    expect(
      sorted(
        keepApart(
          'own',
          [strong('x'), strong('y'), phone('z')],
          [
            ['x', 'y'],
            ['x', 'z'],
          ],
        ),
      ),
    ).toEqual({ join: ['z'], hold: ['x', 'y'], refuse: [] });
  });

  it('gives the same verdict in any order of the targets', () => {
    const targets = [strong('a'), strong('b'), phone('c'), phone('d'), phone('e')];
    const apart: [string, string][] = [
      ['a', 'c'],
      ['c', 'd'],
      ['d', 'e'],
      ['own', 'e'],
    ];
    const first = sorted(keepApart('own', targets, apart));
    // every rotation of the list, forwards and backwards
    for (const list of [targets, [...targets].reverse()]) {
      for (let k = 0; k < list.length; k += 1) {
        expect(sorted(keepApart('own', [...list.slice(k), ...list.slice(0, k)], apart))).toEqual(first);
      }
    }
    expect(first).toEqual({ join: ['a', 'b'], hold: ['d'], refuse: ['c', 'e'] });
  });
});
