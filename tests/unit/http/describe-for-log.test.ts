import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { describeForLog } from '../../../functions/http/endpoint.js';

describe('an unexpected error as the log keeps it', () => {
  it('keeps the statement and the database’s error and code, not the query’s parameters (members’ data)', () => {
    const cause = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
    const error = new DrizzleQueryError(
      'insert into source_records (name, phone) values ($1, $2)',
      ['张三', '13957114001'],
      cause,
    );
    const line = describeForLog(error);
    expect(line).toContain('insert into source_records (name, phone) values ($1, $2)');
    expect(line).toContain('params: (withheld)');
    expect(line).toContain('invalid byte sequence for encoding "UTF8": 0x00 [22021]');
    expect(line).not.toContain('张三');
    expect(line).not.toContain('13957114001');
  });
});
